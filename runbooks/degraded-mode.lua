-- degraded-mode: the LLM provider is down (or failing): switch the
-- service to degraded mode at the AI gateway (a fallback model that needs
-- no provider, or cached answers only), verify with the gateway's health
-- probe that completions are served again, tell the channel. A failed
-- notification is reported, never a reason to undo the mitigation.
-- normal-mode switches back once the provider answers again.
runbook {
  summary = "Switch an AI service to degraded mode at its gateway, verify, notify",
  params  = {
    reason  = { required = true,
                description = "why: kept by the gateway, in the log and the notification" },
    service = { default = "assistant",
                description = "the service whose mode the gateway switches" },
    mode    = { default = "degraded",
                description = "degraded (the fallback model) or cached (cached answers only)" },
    verify_timeout = { default = "60s",
                description = "how long the health probe may take to pass before the switch is undone" },
  },
  match   = { alertname = "LLMProviderDown" },
  timeout = "5m",
}

local gw = require "lib.gateway"

function run(p)
  check(p.mode == "degraded" or p.mode == "cached",
    "mode is degraded or cached, not '" .. p.mode .. "'")
  local flag = gw.url("/v1/flags/" .. p.service)
  local admin

  step("read the service's mode", function()
    local r = http.get(flag, { expect = 200 })
    log(p.service .. " is in " .. r.json.mode .. " mode")
    check(r.json.mode == "normal", p.service .. " is already in " ..
      r.json.mode .. " mode (" .. tostring(r.json.reason) ..
      "): nothing to do; normal-mode switches it back")
    local h = http.get(gw.url("/v1/provider/health"))
    log("the provider is " .. (h.json and h.json.provider or "unknown") ..
        " (" .. h.status .. ")")
    admin = gw.admin()
  end)

  confirm("Switch " .. p.service .. " to " .. p.mode .. " mode?")

  step("switch to " .. p.mode .. " mode", function()
    http.put(flag, { headers = admin, expect = 200,
      json = { mode = p.mode, reason = p.reason } })
  end, { undo = function()
    http.put(flag, { headers = admin, expect = 200,
      json = { mode = "normal", reason = "undo: " .. p.reason } })
  end, idempotent = true }) -- the same PUT twice: the same flag

  step("verify with the health probe", function()
    -- a dry-run calls this once and goes on: its switch was not made
    wait_until(function()
      local r = http.get(gw.url("/v1/health"))
      return r.status == 200 and r.json.mode == p.mode
    end, { timeout = p.verify_timeout, interval = "1s" })
  end)

  step("notify", function()
    gw.announce(p.service .. " is in " .. p.mode .. " mode: " .. p.reason ..
      " (owl run normal-mode switches it back)")
  end)
end

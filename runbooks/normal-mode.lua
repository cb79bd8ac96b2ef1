-- normal-mode: the provider recovered: switch the service back from
-- degraded (or cached) mode to normal at the AI gateway, but only after
-- checking that the provider answers; verify with the health probe that
-- completions are served in normal mode, tell the channel.
runbook {
  summary = "Switch an AI service back to normal mode once its provider answers",
  params  = {
    service = { default = "assistant",
                description = "the service whose mode the gateway switches" },
    reason  = { default = "the provider recovered",
                description = "why: kept by the gateway, in the log and the notification" },
    verify_timeout = { default = "60s",
                description = "how long the health probe may take to pass before the switch is undone" },
  },
  match   = { alertname = "LLMProviderDown" },
  timeout = "5m",
}

local gw = require "lib.gateway"

function run(p)
  local flag = gw.url("/v1/flags/" .. p.service)
  local before, admin

  step("read the service's mode", function()
    local r = http.get(flag, { expect = 200 })
    before = r.json
    log(p.service .. " is in " .. before.mode .. " mode (" ..
        tostring(before.reason) .. ")")
    check(before.mode ~= "normal", p.service .. " is already in normal mode")
    admin = gw.admin()
  end)

  step("check that the provider answers", function()
    local r = http.get(gw.url("/v1/provider/health"))
    check(r.status == 200 and r.json and r.json.provider == "up",
      "the provider is still down (" .. r.status .. "): staying in " ..
      before.mode .. " mode")
  end)

  confirm("Switch " .. p.service .. " back to normal mode?")

  step("switch to normal mode", function()
    http.put(flag, { headers = admin, expect = 200,
      json = { mode = "normal", reason = p.reason } })
  end, { undo = function()
    http.put(flag, { headers = admin, expect = 200,
      json = { mode = before.mode, reason = "undo: " .. p.reason } })
  end, idempotent = true }) -- the same PUT twice: the same flag

  step("verify with the health probe", function()
    wait_until(function()
      local r = http.get(gw.url("/v1/health"))
      return r.status == 200 and r.json.mode == "normal"
    end, { timeout = p.verify_timeout, interval = "1s" })
  end)

  step("notify", function()
    gw.announce(p.service .. " is back in normal mode: " .. p.reason)
  end)
end

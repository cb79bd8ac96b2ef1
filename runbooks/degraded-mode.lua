-- degraded-mode: switch an AI service to degraded mode (cached answers
-- only) at the feature-flag service when its LLM provider is down, and
-- switch it back if anything after the switch fails.
runbook {
  summary = "Switch an AI service to degraded mode (cached answers only)",
  params  = {
    service = { default = "assistant", description = "the service's flag" },
    reason  = { required = true, description = "why: goes to the log and the notification" },
  },
  match   = { alertname = "LLMProviderDown" },
  timeout = "5m",
}

local function flag_url(p)
  check(config.flags_url, "set flags_url in the config (the feature-flag service)")
  return config.flags_url .. "/v1/flags/" .. p.service
end

function run(p)
  step("read current mode", function()
    local r = http.get(flag_url(p))
    check(r.status == 200, "flag service answered " .. r.status)
    log("mode is " .. r.json.mode)
    check(r.json.mode ~= "degraded", p.service .. " is already degraded")
  end)
  confirm("Switch " .. p.service .. " to degraded mode?")
  step("switch to degraded", function()
    local r = http.put(flag_url(p), { json = { mode = "degraded", reason = p.reason } })
    check(r.ok, "flag service refused the switch: " .. r.status)
  end, { undo = function()
    http.put(flag_url(p), { json = { mode = "normal", reason = "undo: " .. p.reason } })
  end })
  step("verify", function()
    -- a dry-run calls this once and goes on: its switch was not made
    wait_until(function()
      return http.get(flag_url(p)).json.mode == "degraded"
    end, { timeout = "30s", interval = "1s" })
  end)
  step("announce", function()
    notify(p.service .. " is in degraded mode: " .. p.reason)
  end)
end

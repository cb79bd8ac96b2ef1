-- Tests for normal-mode.lua (owl test normal-mode).
local f = require "lib.fakes"
local w = f.w
local flag = "/v1/flags/assistant"
local note = "notify assistant is back in normal mode: the provider recovered"

local function gateway(provider, health)
  return f.http({
    ["GET " .. flag] = { status = 200, json = { mode = "degraded", reason = "provider down" } },
    ["GET /v1/provider/health"] = provider,
    ["PUT " .. flag] = { status = 200, json = { mode = "normal" } },
    ["GET /v1/health"] = health,
  })
end
local up = { status = 200, json = { provider = "up" } }
local healthy = { status = 200, json = { status = "ok", mode = "normal" } }

return {
  {
    name = "switches back once the provider answers",
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway(up, healthy) },
    expect = { status = "ok", writes = { w("http.put", flag), note }, undo = {} },
  },
  {
    name = "stays degraded while the provider is down",
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway(
      { status = 503, json = { provider = "down" } }, healthy) },
    expect = { status = "failed", error = "the provider is still down (503): staying in degraded mode",
               writes = {} },
  },
  {
    name = "the probe fails in normal mode: back to degraded",
    params = { verify_timeout = "1s" },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway(up,
      { status = 503, json = { status = "failing", mode = "normal" } }) },
    expect = { status = "failed", error = "did not hold within 1 s",
               writes = { w("http.put", flag) }, undo = { w("http.put", flag) } },
  },
  {
    name = "a failed notification is reported, the service stays normal",
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway(up, healthy),
              notify = { error = "the webhook answered 410" } },
    expect = { status = "ok", writes = { w("http.put", flag), note }, undo = {} },
  },
  {
    name = "nothing to do for a normal service",
    config = f.config,
    fakes = { secrets = f.secrets, http = f.http({
      ["GET " .. flag] = { status = 200, json = { mode = "normal", reason = json.null } } }) },
    expect = { status = "failed", error = "already in normal mode", writes = {} },
  },
}

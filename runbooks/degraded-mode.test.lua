-- Tests for degraded-mode.lua (owl test degraded-mode), against fake
-- answers of the AI gateway (lib/fakes.lua). owl test also dry-runs each
-- one and checks that the plan lists the writes the live run made.
local f = require "lib.fakes"
local w = f.w
local flag = "/v1/flags/assistant"

local function gateway(health, extra)
  local h = f.http({
    ["GET " .. flag] = { status = 200, json = { mode = "normal", reason = json.null } },
    ["GET /v1/provider/health"] = { status = 503, json = { provider = "down" } },
    ["PUT " .. flag] = { status = 200, json = { mode = "degraded" } },
    ["GET /v1/health"] = health,
  })
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

local ok_health = { { status = 503, json = { status = "failing", mode = "normal" } },
                    { status = 200, json = { status = "ok", mode = "degraded" } } }

return {
  {
    name = "switches a normal service to degraded, verifies, notifies",
    params = { reason = "provider down" },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway(ok_health) },
    expect = { status = "ok", writes = {
      w("http.put", flag),
      "notify assistant is in degraded mode: provider down (owl run normal-mode switches it back)" },
      undo = {} },
  },
  {
    name = "cached mode",
    params = { reason = "provider down", mode = "cached" },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway(
      { status = 200, json = { status = "ok", mode = "cached" } }) },
    expect = { status = "ok", writes = { w("http.put", flag),
      "notify assistant is in cached mode: provider down (owl run normal-mode switches it back)" } },
  },
  {
    name = "a failed notification is reported and the mitigation stays",
    params = { reason = "provider down" },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway(ok_health),
              notify = { error = "https://hooks.slack.test answered 404" } },
    expect = { status = "ok", writes = {
      w("http.put", flag),
      "notify assistant is in degraded mode: provider down (owl run normal-mode switches it back)" },
      undo = {} },
  },
  {
    name = "the health probe never passes: the switch is undone",
    params = { reason = "provider down", verify_timeout = "1s" },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway(
      { status = 503, json = { status = "failing", mode = "degraded" } }) },
    expect = { status = "failed", error = "the condition did not hold within 1 s",
               writes = { w("http.put", flag) },
               undo = { w("http.put", flag) } },
  },
  {
    name = "refuses a service that is already degraded",
    params = { reason = "again" },
    config = f.config,
    fakes = { secrets = f.secrets, http = f.http({
      ["GET " .. flag] = { status = 200, json = { mode = "degraded", reason = "earlier" } },
    }) },
    expect = { status = "failed", error = "already in degraded mode (earlier)", writes = {} },
  },
  {
    name = "refuses a mode it does not know",
    params = { reason = "x", mode = "off" },
    config = f.config,
    fakes = { secrets = f.secrets, http = {} },
    expect = { status = "failed", error = "mode is degraded or cached, not 'off'", writes = {} },
  },
  {
    name = "the gateway's flag cannot be read: nothing is switched",
    params = { reason = "provider down" },
    config = f.config,
    fakes = { secrets = f.secrets, http = f.http({
      ["GET " .. flag] = { status = 500, body = "oops" } }) },
    expect = { status = "failed", error = "answered 500, expected 200: oops", writes = {} },
  },
}

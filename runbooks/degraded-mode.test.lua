-- Tests for degraded-mode.lua (owl test degraded-mode): fake answers of
-- the flag service, and what the run must do.
local flags = "http://flags.test"
local url = flags .. "/v1/flags/assistant"

return {
  {
    name = "switches a normal service to degraded",
    params = { reason = "provider down" },
    config = { flags_url = flags },
    fakes = { http = {
      ["GET " .. url] = { { status = 200, json = { mode = "normal" } },
                          { status = 200, json = { mode = "degraded" } } },
      ["PUT " .. url] = { status = 200, json = { mode = "degraded" } },
    } },
    expect = { status = "ok", writes = {
      "http.put " .. url,
      "notify assistant is in degraded mode: provider down" } },
  },
  {
    name = "refuses a service that is already degraded",
    params = { reason = "again" },
    config = { flags_url = flags },
    fakes = { http = {
      ["GET " .. url] = { status = 200, json = { mode = "degraded" } },
    } },
    expect = { status = "failed", error = "already degraded", writes = {} },
  },
  {
    name = "undoes the switch when the flag never reads degraded",
    params = { reason = "flaky" },
    config = { flags_url = flags },
    fakes = { http = {
      -- normal before the switch, and still normal after it
      ["GET " .. url] = { status = 200, json = { mode = "normal" } },
      ["PUT " .. url] = { status = 200 },
    } },
    expect = { status = "failed", error = "wait_until",
      writes = { "http.put " .. url },
      undo_writes = { "http.put " .. url } },
  },
  {
    name = "stops at a flag service that fails",
    params = { reason = "oops" },
    config = { flags_url = flags },
    fakes = { http = {
      ["GET " .. url] = { status = 500, body = "oops" },
    } },
    expect = { status = "failed", error = "flag service answered 500",
      writes = {}, undo_writes = {} },
  },
}

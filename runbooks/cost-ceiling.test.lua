-- Tests for cost-ceiling.lua (owl test cost-ceiling).
local f = require "lib.fakes"
local w = f.w

local before = { rate_limit = 600, default_rate_limit = 600, model = json.null,
                 ["until"] = json.null, reason = json.null, spend_usd = 912.5,
                 spend_usd_last_hour = 310.25, calls_this_minute = 580 }
local capped = { rate_limit = 60, default_rate_limit = 600, model = "gpt-4o-mini",
                 ["until"] = "2026-12-07T18:00:00Z", reason = "runaway agent",
                 spend_usd = 912.5, spend_usd_last_hour = 310.25, calls_this_minute = 12 }
local note = "notify spend ceiling on the gateway: 60 completions/min, model gpt-4o-mini until +4h: runaway agent"

local function gateway(after)
  return f.http({
    ["GET /v1/limits"] = { { status = 200, json = before }, after },
    ["PUT /v1/limits"] = { status = 200, json = capped },
  })
end

return {
  {
    name = "lowers the rate limit and switches to a cheaper model",
    params = { reason = "runaway agent", rate_limit = 60, model = "gpt-4o-mini" },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway({ status = 200, json = capped }) },
    expect = { status = "ok", writes = { w("http.put", "/v1/limits"), note }, undo = {} },
  },
  {
    name = "refuses a ceiling above the current limit",
    params = { reason = "typo", rate_limit = 6000 },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway({ status = 200, json = before }) },
    expect = { status = "failed",
               error = "refused: a ceiling of 6000/min is above the current limit of 600/min",
               writes = {} },
  },
  {
    name = "the gateway never reports the ceiling: the limits are restored",
    params = { reason = "runaway agent", rate_limit = 60, model = "gpt-4o-mini",
               verify_timeout = "1s" },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway({ status = 503, json = { error = "down" } }) },
    expect = { status = "failed", error = "did not hold within 1 s",
               writes = { w("http.put", "/v1/limits") },
               undo = { w("http.put", "/v1/limits") } },
  },
  {
    name = "a failed notification is reported; the ceiling stays",
    params = { reason = "runaway agent", rate_limit = 60, model = "gpt-4o-mini" },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway({ status = 200, json = capped }),
              notify = { error = "the webhook answered 404" } },
    expect = { status = "ok", writes = { w("http.put", "/v1/limits"), note }, undo = {} },
  },
  {
    name = "needs a rate limit or a model",
    params = { reason = "x" },
    config = f.config,
    fakes = { secrets = f.secrets, http = {} },
    expect = { status = "failed", error = "give rate_limit, model or both", writes = {} },
  },
  {
    name = "until a given time",
    params = { reason = "until the fix ships", rate_limit = 100,
               expires = "2026-12-07T18:00:00Z" },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway({ status = 200,
      json = { rate_limit = 100, model = json.null } }) },
    expect = { status = "ok", writes = { w("http.put", "/v1/limits"),
      "notify spend ceiling on the gateway: 100 completions/min until 2026-12-07T18:00:00Z: until the fix ships" } },
  },
}

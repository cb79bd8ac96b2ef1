-- cost-ceiling: spend is running away (a retry loop, an agent stuck in a
-- cycle, a traffic spike): lower the gateway's rate limit and/or switch
-- to a cheaper model until a given time, verify, tell the channel. At
-- that time the gateway returns to its defaults by itself; the undo
-- restores the limits that were in place. A ceiling above the current
-- limit is refused: this runbook only ever lowers spend.
runbook {
  summary = "Cap an AI service's spend at its gateway (rate limit, cheaper model) until a time",
  params  = {
    reason     = { required = true,
                   description = "why: kept by the gateway, in the log and the notification" },
    rate_limit = { type = "number",
                   description = "completions per minute at most (below the current limit)" },
    model      = { description = "a cheaper model to serve instead of the pinned one" },
    duration   = { default = "4h",
                   description = "how long the ceiling holds (30m, 4h, 2d); then the defaults return" },
    expires    = { description = "or the time it ends, RFC 3339 UTC (2026-12-07T18:00:00Z); wins over duration" },
    verify_timeout = { default = "30s",
                   description = "how long the gateway may take to report the ceiling before it is undone" },
  },
  match   = { alertname = "TokenSpendSpike" },
  timeout = "5m",
}

local gw = require "lib.gateway"

-- The body of PUT /v1/limits that puts back what GET /v1/limits showed.
local function restore_body(l, reason)
  local b = { rate_limit = l.rate_limit, reason = reason }
  if type(l.model) == "string" then b.model = l.model end
  if type(l["until"]) == "string" then b["until"] = l["until"] end
  return b
end

function run(p)
  check(p.rate_limit or p.model, "give rate_limit, model or both")
  local limits = gw.url("/v1/limits")
  local before, admin, body

  step("read the limits", function()
    -- what this run depends on (a plan applied later is held to these,
    -- not to the spend counters, which move every second)
    before = http.get(limits, { expect = 200,
      uses = { "rate_limit", "model", "until" } }).json
    log(string.format("rate limit %d/min (default %d), model %s, " ..
      "spend $%.2f in the last hour", before.rate_limit,
      before.default_rate_limit, tostring(before.model),
      before.spend_usd_last_hour))
    if p.rate_limit then
      check(p.rate_limit >= 0 and p.rate_limit == math.floor(p.rate_limit),
        "rate_limit is a whole number of completions per minute")
      check(p.rate_limit <= before.rate_limit, string.format(
        "refused: a ceiling of %d/min is above the current limit of %d/min " ..
        "(this runbook only lowers spend)", p.rate_limit, before.rate_limit))
    end
    body = { rate_limit = p.rate_limit or before.rate_limit,
             model = p.model, reason = p.reason }
    if p.expires then
      body["until"] = p.expires
    else
      body.for_seconds = gw.seconds(p.duration)
    end
    admin = gw.admin()
  end)

  confirm(string.format("Cap %s at %d completions/min%s until %s?",
    config.gateway_url, body.rate_limit,
    p.model and (" on " .. p.model) or "", p.expires or ("+" .. p.duration)))

  step("set the ceiling", function()
    http.put(limits, { headers = admin, json = body, expect = 200 })
  end, { undo = function()
    http.put(limits, { headers = admin, expect = 200,
      json = restore_body(before, "undo: " .. p.reason) })
  end })

  step("verify", function()
    wait_until(function()
      local r = http.get(limits)
      return r.status == 200 and r.json.rate_limit == body.rate_limit and
        (p.model == nil or r.json.model == p.model)
    end, { timeout = p.verify_timeout, interval = "1s" })
  end)

  step("notify", function()
    gw.announce(string.format("spend ceiling on the gateway: %d completions/min%s until %s: %s",
      body.rate_limit, p.model and (", model " .. p.model) or "",
      p.expires or ("+" .. p.duration), p.reason))
  end)
end

-- pause-batch: a batch or agent job is running away (spend climbing, a
-- loop that never ends, load on a provider that is struggling): pause
-- it at the gateway, keeping its progress, verify that it stopped, tell
-- the channel. The undo resumes it from where it stopped. Why this one
-- next: see runbooks/README.md.
runbook {
  summary = "Pause a runaway batch or agent job at the gateway, keeping its progress",
  params  = {
    reason = { required = true,
               description = "why: kept by the gateway with the job, in the log and the notification" },
    job    = { description = "the job's name or id (default: the running job that spent the most)" },
    verify_timeout = { default = "30s",
               description = "how long the job may take to report paused before the pause is undone" },
  },
  match   = { alertname = "TokenSpendSpike" },
  timeout = "5m",
}

local gw = require "lib.gateway"

function run(p)
  local job, admin

  step("find the job", function()
    -- a plan is held to the jobs and their states, not to their
    -- progress or spend, which move every second (were another job to
    -- be picked at apply time, its pause would not be the plan's write,
    -- and the apply stops before it)
    local r = http.get(gw.url("/v1/batches"), { expect = 200,
      uses = { "batches.*.id", "batches.*.name", "batches.*.state" } })
    for _, b in ipairs(r.json.batches) do
      if p.job == nil then
        if b.state == "running" and (job == nil or b.spend_usd > job.spend_usd) then
          job = b
        end
      elseif tostring(b.id) == p.job or b.name == p.job then
        job = b
      end
    end
    check(job, p.job and ("no job '" .. p.job .. "' at the gateway")
                     or "no job is running at the gateway")
    log(string.format("job %d (%s): %s, %d of %d done, $%.2f spent",
      job.id, job.name, job.state, job.done, job.total, job.spend_usd))
    check(job.state == "running", "job " .. job.name .. " is " .. job.state ..
      ", not running: nothing to pause")
    admin = gw.admin()
  end)

  confirm(string.format("Pause job %s (%d of %d done)?", job.name, job.done,
    job.total))

  local url = gw.url("/v1/batches/" .. job.id)
  step("pause " .. job.name, function()
    http.post(url .. "/pause", { headers = admin, expect = 200,
      json = { reason = p.reason } })
  end, { undo = function()
    http.post(url .. "/resume", { headers = admin, expect = 200 })
  end })

  step("verify that it stopped", function()
    wait_until(function()
      local r = http.get(url)
      return r.status == 200 and r.json.state == "paused"
    end, { timeout = p.verify_timeout, interval = "1s" })
    local r = http.get(url)
    if r.status == 200 and r.json.state == "paused" then
      log(string.format("paused at %d of %d", r.json.done, r.json.total))
    end
  end)

  -- what it says is known before the first write (where it stopped is
  -- in the log): an applied plan sends the text the plan showed
  step("notify", function()
    gw.announce(string.format("job %s paused: %s " ..
      "(its progress is kept; resume with POST /v1/batches/%d/resume)",
      job.name, p.reason, job.id))
  end)
end

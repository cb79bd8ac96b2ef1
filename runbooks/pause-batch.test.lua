-- Tests for pause-batch.lua (owl test pause-batch).
local f = require "lib.fakes"
local w = f.w

local jobs = { batches = {
  { id = 1, name = "nightly-embeddings", state = "running", done = 4000,
    total = 2000000, rate = 400, spend_usd = 12.5 },
  { id = 2, name = "agent-loop", state = "running", done = 90000,
    total = 100000, rate = 2000, spend_usd = 480.0 },
  { id = 3, name = "reindex", state = "done", done = 10, total = 10,
    rate = 5, spend_usd = 900.0 },
} }
local paused = { id = 2, name = "agent-loop", state = "paused", done = 90400,
                 total = 100000, spend_usd = 481.0 }
local note = "notify job agent-loop paused: loop " ..
  "(its progress is kept; resume with POST /v1/batches/2/resume)"

local function gateway(after)
  return f.http({
    ["GET /v1/batches"] = { status = 200, json = jobs },
    ["POST /v1/batches/2/pause"] = { status = 200, json = paused },
    ["POST /v1/batches/2/resume"] = { status = 200 },
    ["GET /v1/batches/2"] = after,
  })
end

return {
  {
    name = "pauses the running job that spent the most",
    params = { reason = "loop" },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway({ status = 200, json = paused }) },
    expect = { status = "ok", writes = { w("http.post", "/v1/batches/2/pause"), note },
               undo = {} },
  },
  {
    name = "a job named by the operator",
    params = { reason = "loop", job = "nightly-embeddings" },
    config = f.config,
    fakes = { secrets = f.secrets, http = f.http({
      ["GET /v1/batches"] = { status = 200, json = jobs },
      ["POST /v1/batches/1/pause"] = { status = 200 },
      ["GET /v1/batches/1"] = { status = 200, json = { state = "paused", done = 4100, total = 2000000 } },
    }) },
    expect = { status = "ok", writes = { w("http.post", "/v1/batches/1/pause"),
      "notify job nightly-embeddings paused: loop " ..
      "(its progress is kept; resume with POST /v1/batches/1/resume)" } },
  },
  {
    name = "the job never reports paused: it is resumed",
    params = { reason = "loop", verify_timeout = "1s" },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway({ status = 200,
      json = { id = 2, state = "running", done = 90500, total = 100000 } }) },
    expect = { status = "failed", error = "did not hold within 1 s",
               writes = { w("http.post", "/v1/batches/2/pause") },
               undo = { w("http.post", "/v1/batches/2/resume") } },
  },
  {
    name = "a failed notification is reported; the job stays paused",
    params = { reason = "loop" },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway({ status = 200, json = paused }),
              notify = { error = "the webhook answered 404" } },
    expect = { status = "ok", writes = { w("http.post", "/v1/batches/2/pause"), note },
               undo = {} },
  },
  {
    name = "a job that is not running is left alone",
    params = { reason = "loop", job = "reindex" },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway({ status = 200, json = paused }) },
    expect = { status = "failed", error = "job reindex is done, not running", writes = {} },
  },
  {
    name = "an unknown job",
    params = { reason = "loop", job = "nope" },
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway({ status = 200, json = paused }) },
    expect = { status = "failed", error = "no job 'nope' at the gateway", writes = {} },
  },
}

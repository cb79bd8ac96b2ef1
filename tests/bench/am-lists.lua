-- am-lists.lua: wrk script for bench-serve.sh and bench-growth.sh: the
-- bodies Prometheus sends to Alertmanager's POST /api/v2/alerts (a JSON
-- list of 10 alerts), the same bytes to both receivers. Request n is the
-- same body whichever receiver gets it.
--   SHAPE=growing: a pool of POOL distinct alerts in GROUPS alertnames
--     (Alertmanager's and owl's grouping: one incident per alertname),
--     10 consecutive alerts a request, cycling: the incidents grow to
--     POOL / GROUPS alerts, then every delivery is a repeat.
--   SHAPE=new: every request is 10 alerts of an alertname of its own
--     (a new incident per request).
--   OFFSET: the number of the first request; LIMIT: requests per thread
--     before the thread stops (0: until -d ends). AUTH: a header value.
local shape = os.getenv("SHAPE") or "growing"
local pool = tonumber(os.getenv("POOL") or "10000")
local groups = tonumber(os.getenv("GROUPS") or "10")
local offset = tonumber(os.getenv("OFFSET") or "0")
local limit = tonumber(os.getenv("LIMIT") or "0")
local auth = os.getenv("AUTH")
local threads = {}
local nthreads = 0

setup = function(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
  table.insert(threads, thread)
end

local function alert(name, j)
  return string.format('{"labels":{"alertname":"%s","instance":' ..
    '"node-%d:9100","job":"node","severity":"%s"},"annotations":' ..
    '{"summary":"%s on node-%d","description":"Synthetic storm for the ' ..
    'owl benchmark, alert %d"},"startsAt":"2026-11-29T15:52:42.000Z",' ..
    '"generatorURL":"http://prometheus:9090/graph?g0.expr=up"}',
    name, j, j % 3 == 0 and "critical" or "warning", name, j, j)
end

local function body(n)
  local parts = {}
  for i = 1, 10 do
    if shape == "new" then
      parts[i] = alert("Storm" .. n, i)
    else
      local j = (n * 10 + i - 1) % pool
      parts[i] = alert("Storm" .. (j % groups), j)
    end
  end
  return "[" .. table.concat(parts, ",") .. "]"
end

local k, step, sent, got = 0, 1, 0, 0
init = function(args)
  k = offset + (tid or 0)
  step = tonumber(os.getenv("THREADS") or "1")
end

request = function()
  local n = k
  k = k + step
  sent = sent + 1
  return wrk.format("POST", nil,
    { ["Content-Type"] = "application/json", ["Authorization"] = auth },
    body(n))
end

response = function(status, headers, b)
  got = got + 1
  if limit > 0 and got >= limit then
    wrk.thread:stop()
  end
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d " ..
    "p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, summary.errors.status))
end

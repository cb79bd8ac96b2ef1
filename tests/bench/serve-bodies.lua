-- serve-bodies.lua: wrk script for bench-serve.sh. Each request carries
-- 10 distinct alerts; bodies cycle through GROUPS groups so that the
-- load is a mix of repeated deliveries of the same alerts (the common
-- case: Alertmanager re-sends whole groups) with distinct label sets.
-- FORMAT=am-api: Alertmanager's POST /api/v2/alerts (a JSON array);
-- FORMAT=webhook: the webhook body Alertmanager would send to owl.
local format = os.getenv("FORMAT") or "webhook"
local groups = tonumber(os.getenv("GROUPS") or "100")
local bodies = {}

local function alert(g, i)
  local labels = string.format(
    '{"alertname":"BenchAlert%d","instance":"node-%d:9100",' ..
    '"job":"node","severity":"%s"}', g, i,
    i % 3 == 0 and "critical" or "warning")
  local ann = string.format(
    '{"summary":"Bench alert %d on node-%d","description":' ..
    '"Synthetic load for owl serve benchmark, group %d member %d"}',
    g, i, g, i)
  return labels, ann
end

local function fingerprint(g, i)
  return string.format("%08x%08x", g * 7919 + 17, i * 104729 + 31)
end

for g = 1, groups do
  local parts = {}
  for i = 1, 10 do
    local labels, ann = alert(g, i)
    if format == "am-api" then
      parts[i] = string.format('{"labels":%s,"annotations":%s,' ..
        '"startsAt":"2026-11-29T15:52:42Z",' ..
        '"generatorURL":"http://prometheus:9090/graph"}', labels, ann)
    else
      parts[i] = string.format('{"status":"firing","labels":%s,' ..
        '"annotations":%s,"startsAt":"2026-11-29T15:52:42Z",' ..
        '"endsAt":"0001-01-01T00:00:00Z",' ..
        '"generatorURL":"http://prometheus:9090/graph",' ..
        '"fingerprint":"%s"}', labels, ann, fingerprint(g, i))
    end
  end
  local list = "[" .. table.concat(parts, ",") .. "]"
  if format == "am-api" then
    bodies[g] = list
  else
    bodies[g] = string.format('{"receiver":"owl","status":"firing",' ..
      '"alerts":%s,"groupLabels":{"alertname":"BenchAlert%d"},' ..
      '"commonLabels":{"alertname":"BenchAlert%d","job":"node"},' ..
      '"commonAnnotations":{},"externalURL":"http://alertmanager:9093",' ..
      '"version":"4","groupKey":"{}:{alertname=\\"BenchAlert%d\\"}",' ..
      '"truncatedAlerts":0}\n', list, g, g, g)
  end
end

local n = 0
request = function()
  n = n + 1
  local body = bodies[(n % groups) + 1]
  return wrk.format("POST", nil,
    { ["Content-Type"] = "application/json",
      ["Authorization"] = os.getenv("AUTH") }, body)
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d " ..
    "p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, summary.errors.status))
end

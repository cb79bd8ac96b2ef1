-- bench1000: 1,000 steps of one write effect each, for the engine
-- overhead figure (dry-run: the writes are simulated, so what is timed is
-- owl: worker round trips, the chokepoint, the action log, the plan).
runbook { summary = "Benchmark: 1,000 steps", params = { n = { type = "number", default = 1000 } } }

function run(p)
  for i = 1, p.n do
    step("step " .. i, function()
      http.post("http://127.0.0.1:9/bench/" .. i, { json = { i = i } })
    end)
  end
end

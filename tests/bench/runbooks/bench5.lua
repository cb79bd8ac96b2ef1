-- bench5: five steps of one kind of bench20's tasks (kind = write,
-- replace, get or exec, the same bodies; none: no step, the baseline),
-- for bench-runbook.sh's breakdown of where the 20-step dry-run's time
-- goes.
runbook {
  summary = "Benchmark: 5 of bench20's tasks of one kind",
  params = { dir = { required = true }, url = { required = true },
             kind = { required = true } },
}

local tasks = {
  write = function(p, i)
    file.write(p.dir .. "/conf" .. i .. ".ini",
      "[service]\nreplicas = " .. (i + 1) .. "\nmode = degraded\n")
  end,
  replace = function(p, i)
    file.replace(p.dir .. "/model" .. i .. ".yaml", "model: [^\n]*",
      "model: gpt-4o-2024-08-06")
  end,
  get = function(p, i)
    local r = http.get(p.url .. "/health" .. i .. ".json")
    check(r.status == 200, "health answered " .. r.status)
  end,
  exec = function(p, i)
    exec({"true", "restart", "worker-" .. i})
  end,
}

function run(p)
  if p.kind == "none" then
    return
  end
  local task = tasks[p.kind]
  check(task ~= nil, "kind is none, write, replace, get or exec")
  for i = 1, 5 do
    step(p.kind .. " " .. i, function() task(p, i) end)
  end
end

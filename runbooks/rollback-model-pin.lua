-- rollback-model-pin: roll back the model an AI service is pinned to
-- (after an eval-score drop) by editing the "model:" line of its config
-- file, and reload it. The dry-run shows the diff.
runbook {
  summary = "Roll back an AI service's model pin in its config file",
  params  = {
    config_file = { required = true, description = "absolute path of the service's YAML config" },
    to          = { required = true, description = "the model to pin, e.g. gpt-4o-2024-08-06" },
    reload      = { type = "boolean", default = false,
                    description = "then run config.reload_argv (e.g. systemctl reload)" },
  },
  match   = { suite = "nightly" },
  timeout = "5m",
}

local PIN = "model:[ \t]*[^\n]+"

function run(p)
  local before
  step("read the current pin", function()
    local text = file.read(p.config_file)
    check(text, p.config_file .. " does not exist")
    before = text:match("model:[ \t]*([^\n]+)")
    check(before, "no 'model:' line in " .. p.config_file)
    log("pinned to " .. before)
    check(before ~= p.to, "already pinned to " .. p.to)
  end)
  step("pin " .. p.to, function()
    file.replace(p.config_file, PIN, "model: " .. p.to, { count = 1 })
  end, { undo = function()
    file.replace(p.config_file, PIN, "model: " .. before, { count = 1 })
  end })
  if p.reload then
    step("reload the service", function()
      exec(config.reload_argv, { timeout = "60s" })
    end)
  end
end

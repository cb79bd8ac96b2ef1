-- Tests for rollback-model-pin.lua (owl test rollback-model-pin).
local cfg = "/etc/assistant/config.yaml"

return {
  {
    name = "pins the given model and reloads",
    params = { config_file = cfg, to = "gpt-4o-2024-08-06", reload = true },
    config = { reload_argv = { "systemctl", "reload", "assistant" } },
    fakes = {
      files = { [cfg] = "name: assistant\nmodel: gpt-5-bad\ntemperature: 0.2\n" },
      exec = { ["systemctl reload assistant"] = { code = 0 } },
    },
    expect = { status = "ok", writes = {
      "file.replace " .. cfg, "exec systemctl reload assistant" } },
  },
  {
    name = "does nothing when already pinned",
    params = { config_file = cfg, to = "gpt-4o-2024-08-06" },
    fakes = { files = { [cfg] = "model: gpt-4o-2024-08-06\n" } },
    expect = { status = "failed", error = "already pinned", writes = {} },
  },
  {
    name = "undoes the pin when the reload fails",
    params = { config_file = cfg, to = "gpt-4o-2024-08-06", reload = true },
    config = { reload_argv = { "systemctl", "reload", "assistant" } },
    fakes = {
      files = { [cfg] = "model: gpt-5-bad\n" },
      exec = { ["systemctl reload assistant"] = { code = 1, stderr = "unit not found" } },
    },
    expect = { status = "failed", error = "unit not found" },
  },
}

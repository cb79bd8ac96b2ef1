-- Tests for rollback-model-pin.lua (owl test rollback-model-pin): the
-- config repository is a fake (fakes.git): its pin file and the file's
-- history; a declared push error plays someone who pushed first.
local f = require "lib.fakes"
local w = f.w
local repo = "https://git.test/ai/config.git"
local pinfile = "services/assistant.yaml"
local target = repo .. " main " .. pinfile
local now = "name: assistant\nfallback_model: small-local\nmodel: gpt-4o-2024-08-06\n"
local before = "name: assistant\nfallback_model: small-local\nmodel: gpt-4o-2024-05-13\n"

local function git(extra)
  local r = {
    files = { [pinfile] = now },
    history = { [pinfile] = {
      { commit = "c3c3c3c3c3c3", author = "bob", time = "2026-12-06T09:00:00Z",
        subject = "pin gpt-4o-2024-08-06", content = now },
      { commit = "b2b2b2b2b2b2", author = "alice", time = "2026-11-02T09:00:00Z",
        subject = "pin gpt-4o-2024-05-13", content = before },
    } },
  }
  for k, v in pairs(extra or {}) do r[k] = v end
  return { [repo] = r }
end

local function gateway(model)
  return f.http({ ["GET /v1/model"] = model })
end
local serves = { { status = 200, json = { model = "gpt-4o-2024-08-06" } },
                 { status = 200, json = { model = "gpt-4o-2024-05-13" } } }
local config = { gateway_url = f.gw, config_repo = repo }
local writes = { "git.replace " .. target, "git.commit " .. repo .. " main",
                 "git.push " .. repo .. " main" }
local note = "notify assistant is pinned back to gpt-4o-2024-05-13 (from gpt-4o-2024-08-06)"

return {
  {
    name = "pins the previous model from the history, pushes, waits for the gateway",
    config = config,
    incident = { id = 42, ref = "INC-42", title = "Eval score drop", labels = {} },
    fakes = { secrets = f.secrets, git = git(), http = gateway(serves) },
    expect = { status = "ok", writes = { writes[1], writes[2], writes[3], note },
               undo = {} },
  },
  {
    name = "to= wins over the history",
    params = { to = "gpt-4.1-2025-04-14" },
    config = config,
    fakes = { secrets = f.secrets, git = git(), http = gateway({
      { status = 200, json = { model = "gpt-4o-2024-08-06" } },
      { status = 200, json = { model = "gpt-4.1-2025-04-14" } } }) },
    expect = { status = "ok", writes = { writes[1], writes[2], writes[3],
      "notify assistant is pinned back to gpt-4.1-2025-04-14 (from gpt-4o-2024-08-06)" } },
  },
  {
    name = "someone else pushed first: nothing is pushed, the run stops",
    config = config,
    fakes = { secrets = f.secrets, git = git({ push = {
      error = "rejected: someone else pushed first (the branch moved since the checkout); nothing was pushed" } }),
      http = gateway(serves) },
    expect = { status = "failed", error = "someone else pushed first",
               writes = writes, undo = {} },
  },
  {
    name = "the gateway never serves the pin: the push is reverted",
    params = { wait = "1s" },
    config = config,
    fakes = { secrets = f.secrets, git = git(), http = gateway(
      { status = 200, json = { model = "gpt-4o-2024-08-06" } }) },
    expect = { status = "failed", error = "did not hold within 1 s",
               writes = writes, undo = { "git.revert " .. repo .. " main" } },
  },
  {
    name = "a failed notification is reported; the pin stays",
    config = config,
    fakes = { secrets = f.secrets, git = git(), http = gateway(serves),
              notify = { error = "the webhook answered 404" } },
    expect = { status = "ok", writes = { writes[1], writes[2], writes[3], note },
               undo = {} },
  },
  {
    name = "no earlier pin in the history",
    config = config,
    fakes = { secrets = f.secrets, git = git({ history = { [pinfile] = {
      { commit = "c3c3", author = "bob", time = "2026-12-06T09:00:00Z",
        subject = "first pin", content = now } } } }), http = gateway(serves) },
    expect = { status = "failed", error = "no earlier pin in the history of services/assistant.yaml: give to=",
               writes = {} },
  },
  {
    name = "already pinned to the model asked for",
    params = { to = "gpt-4o-2024-08-06" },
    config = config,
    fakes = { secrets = f.secrets, git = git(), http = gateway(serves) },
    expect = { status = "failed", error = "already pinned to gpt-4o-2024-08-06", writes = {} },
  },
  {
    name = "a config file on the box: edits its model: line",
    params = { config_file = "/etc/assistant/config.yaml", to = "gpt-4o-2024-05-13" },
    config = config,
    fakes = { files = { ["/etc/assistant/config.yaml"] = now } },
    expect = { status = "ok", writes = { "file.replace /etc/assistant/config.yaml" } },
  },
  {
    name = "a config file on the box, then a reload that fails: the edit is undone",
    params = { config_file = "/etc/assistant/config.yaml", to = "gpt-4o-2024-05-13",
               reload = true },
    config = { reload_argv = { "systemctl", "reload", "assistant" } },
    fakes = { files = { ["/etc/assistant/config.yaml"] = now },
              exec = { ["systemctl reload assistant"] = { code = 1, stderr = "failed" } } },
    expect = { status = "failed", writes = { "file.replace /etc/assistant/config.yaml",
                                             "exec systemctl reload assistant" },
               undo = { "file.replace /etc/assistant/config.yaml" } },
  },
}

-- rollback-model-pin: a new model version made answers worse (an eval
-- score dropped, complaints rose): pin the service back to the model it
-- used before. Teams running GitOps (Argo CD, Flux) keep the pin in a
-- config repository: this runbook finds the previous pin in the pin
-- file's history (or takes `to`), commits the change with the incident
-- id, pushes it (never forced: if someone pushed first, nothing is
-- pushed and the run stops), and waits until the gateway serves the new
-- pin. The dry-run shows the diff and the commit message. The undo is a
-- revert commit pushed on top. For a service configured on the box,
-- `config_file` edits that file instead (and `reload` reloads it).
runbook {
  summary = "Roll back an AI service's model pin in its config repository (or file)",
  params  = {
    to          = { description = "the model to pin (default: the previous pin in the file's history)" },
    service     = { default = "assistant",
                    description = "the service: its pin file is services/SERVICE.yaml" },
    repo        = { description = "the config repository (default: config.config_repo)" },
    ref         = { default = "main", description = "the branch the GitOps tool deploys" },
    file        = { description = "the pin file in the repository (default: services/SERVICE.yaml)" },
    wait        = { default = "5m",
                    description = "how long the gateway may take to serve the new pin before the change is reverted" },
    config_file = { description = "instead of a repository: the service's YAML config on this box (absolute path)" },
    reload      = { type = "boolean", default = false,
                    description = "with config_file: then run config.reload_argv (e.g. systemctl reload)" },
  },
  match   = { suite = "nightly" },
  timeout = "15m",
}

local gw = require "lib.gateway"

-- the `model:` line (not fallback_model:, not a longer key)
local LINE = "%f[%w_]model:[ \t]*[^\n]+"

local function pin_of(text)
  return type(text) == "string" and (text .. "\n"):match("%f[%w_]model:[ \t]*([^\n]-)[ \t]*\n")
end

-- The config file on the box (no repository).
local function on_the_box(p)
  local before
  step("read the current pin", function()
    local text = file.read(p.config_file)
    check(text, p.config_file .. " does not exist")
    before = pin_of(text)
    check(before, "no 'model:' line in " .. p.config_file)
    log("pinned to " .. before)
    check(p.to, "give to= (a file on the box has no history to read)")
    check(before ~= p.to, "already pinned to " .. p.to)
  end)
  confirm("Pin " .. p.config_file .. " to " .. p.to .. "?")
  step("pin " .. p.to, function()
    file.replace(p.config_file, LINE, "model: " .. p.to, { count = 1 })
  end, { undo = function()
    file.replace(p.config_file, LINE, "model: " .. before, { count = 1 })
  end })
  if p.reload then
    step("reload the service", function()
      exec(config.reload_argv, { timeout = "60s" })
    end)
  end
end

function run(p)
  if p.config_file then return on_the_box(p) end
  local url = p.repo or config.config_repo
  check(url, "set config_repo in the config (the config repository's URL), or give repo=")
  local path = p.file or ("services/" .. p.service .. ".yaml")
  local h, current, target, from

  step("find the previous pin", function()
    local opts = { ref = p.ref }
    if config.config_repo_token then
      opts.token = secret.get(config.config_repo_token)
    elseif config.config_repo_ssh_key then
      opts.ssh_key = secret.get(config.config_repo_ssh_key)
    end
    h = git.checkout(url, opts)
    current = pin_of(git.read(h, path))
    check(current, "no 'model:' line in " .. path .. " at " .. p.ref)
    log(path .. " pins " .. current .. " at " .. h.commit:sub(1, 12))
    target = p.to
    for _, c in ipairs(git.log(h, path, { limit = 50 })) do
      local m = pin_of(c.content)
      if m and m ~= current then
        from = c
        if not target then target = m end
        break
      end
    end
    check(target, "no earlier pin in the history of " .. path ..
      ": give to=")
    check(target ~= current, "already pinned to " .. target)
    if from and from.commit then
      log("the previous pin, " .. target .. ", was set by " .. from.author ..
          " at " .. from.time .. " (" .. from.commit:sub(1, 12) .. " " ..
          from.subject .. ")")
    end
  end)

  confirm("Pin " .. p.service .. " back from " .. current .. " to " .. target ..
    " in " .. url .. " (" .. p.ref .. ") and push?")

  step("commit and push the pin", function()
    git.replace(h, path, LINE, "model: " .. target, { count = 1 })
    git.commit(h, "Roll back the model pin of " .. p.service .. " to " ..
      target .. "\n\n" .. current .. " is rolled back" ..
      (incident and (" for " .. incident.ref .. ": " .. incident.title) or "") ..
      ".")
    git.push(h)
  end, { undo = function()
    git.revert(h)
  end })

  step("wait until the gateway serves " .. target, function()
    wait_until(function()
      local r = http.get(gw.url("/v1/model"))
      return r.status == 200 and r.json.model == target
    end, { timeout = p.wait, interval = "2s" })
  end)

  step("notify", function()
    gw.announce(p.service .. " is pinned back to " .. target .. " (from " ..
      current .. ")")
  end)
end

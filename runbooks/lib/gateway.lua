-- lib/gateway.lua: what the shipped runbooks share to act on an AI
-- gateway (the API of runbooks/README.md, "The demo AI gateway"; LiteLLM
-- and Portkey have the same shape): its URL from the config, the admin
-- token from owl's secrets, and a notification that never undoes a
-- mitigation when the chat webhook is down.
local M = {}

-- The gateway's URL for path: config.gateway_url .. path.
function M.url(path)
  check(config.gateway_url,
    "set gateway_url in the config (the AI gateway's base URL)")
  return config.gateway_url .. path
end

-- The headers of an admin call: the token is the secret named by
-- config.gateway_admin_secret (default "gateway_admin"); the runbook
-- only ever holds a handle, owl masks it everywhere.
function M.admin()
  local name = config.gateway_admin_secret or "gateway_admin"
  return { Authorization = "Bearer " .. secret.get(name) }
end

-- Posts text to the team's channel. A dead webhook is reported in the
-- run's output and log, and the run goes on: the mitigation in place
-- matters more than the message about it.
function M.announce(text)
  local ok, err = pcall(notify, text)
  if not ok then
    log("WARNING: the notification failed (" .. tostring(err) ..
        "); the change stays in place: tell the channel by hand")
  end
  return ok
end

-- A duration ("90s", "30m", "4h", "2d") in seconds.
function M.seconds(d)
  local n, unit = tostring(d):match("^(%d+)([smhd]?)$")
  check(n, "not a duration: '" .. tostring(d) .. "' (e.g. 30m, 4h)")
  local mult = { [""] = 1, s = 1, m = 60, h = 3600, d = 86400 }
  return tonumber(n) * mult[unit]
end

return M

-- lib/fakes.lua: fake answers of the AI gateway that the shipped
-- runbooks' tests (NAME.test.lua) share.
local M = {}

M.gw = "http://gateway.test"
M.config = { gateway_url = M.gw }
M.secrets = { gateway_admin = "admin-token-for-tests",
              assistant_api_key = "old-key-for-tests-0001" }

-- "METHOD path" -> answer(s), for fakes.http; extra entries win.
function M.http(t)
  local out = {}
  for k, v in pairs(t) do
    local method, path = k:match("^(%u+) (.*)$")
    out[method .. " " .. M.gw .. path] = v
  end
  return out
end

-- "kind path" as a test's expected writes list them.
function M.w(kind, path)
  return kind .. " " .. M.gw .. path
end

return M

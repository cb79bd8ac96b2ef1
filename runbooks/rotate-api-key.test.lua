-- Tests for rotate-api-key.lua (owl test rotate-api-key).
local f = require "lib.fakes"
local w = f.w
local note = "notify the assistant provider key was rotated (scheduled rotation); the old key is revoked"

local function gateway(extra)
  local h = f.http({
    ["GET /v1/whoami"] = { status = 200, json = { key_id = 3, name = "assistant" } },
    ["POST /v1/keys"] = { status = 201, json = { id = 7, name = "assistant" } },
    ["POST /v1/chat/completions"] = { status = 200, json = { model = "gpt-4o" } },
    ["DELETE /v1/keys/3"] = { status = 204 },
    ["DELETE /v1/keys/7"] = { status = 204 },
  })
  for k, v in pairs(f.http(extra or {})) do h[k] = v end
  return h
end

return {
  {
    name = "installs, verifies, stores the new key, then revokes the old",
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway() },
    expect = { status = "ok", writes = {
      w("http.post", "/v1/keys"),
      w("http.post", "/v1/chat/completions"),
      "secret.put assistant_api_key",
      w("http.delete", "/v1/keys/3"),
      note }, undo = {} },
  },
  {
    name = "the new key fails a real call: it is revoked, the old one kept",
    config = f.config,
    fakes = { secrets = f.secrets, http = f.http({
      ["GET /v1/whoami"] = { status = 200, json = { key_id = 3, name = "assistant" } },
      ["POST /v1/keys"] = { status = 201, json = { id = 7 } },
      ["POST /v1/chat/completions"] = { status = 401, json = { error = "invalid API key" } },
      ["DELETE /v1/keys/7"] = { status = 204 },
    }) },
    expect = { status = "failed", error = "answered 401, expected 200",
               writes = { w("http.post", "/v1/keys"), w("http.post", "/v1/chat/completions") },
               undo = { w("http.delete", "/v1/keys/7") } },
  },
  {
    name = "the gateway refuses the new key: nothing else happens",
    config = f.config,
    fakes = { secrets = f.secrets, http = f.http({
      ["GET /v1/whoami"] = { status = 200, json = { key_id = 3, name = "assistant" } },
      ["POST /v1/keys"] = { status = 403, json = { error = "admin token required" } },
    }) },
    expect = { status = "failed", error = "answered 403, expected 201",
               writes = { w("http.post", "/v1/keys") }, undo = {} },
  },
  {
    name = "a failed notification is reported; the rotation stands",
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway(),
              notify = { error = "the webhook answered 404" } },
    expect = { status = "ok", writes = {
      w("http.post", "/v1/keys"), w("http.post", "/v1/chat/completions"),
      "secret.put assistant_api_key", w("http.delete", "/v1/keys/3"), note },
      undo = {} },
  },
  {
    name = "an old key that is not active: nothing to revoke",
    config = f.config,
    fakes = { secrets = f.secrets, http = gateway({
      ["GET /v1/whoami"] = { status = 401, json = { error = "API key revoked" } } }) },
    expect = { status = "ok", writes = {
      w("http.post", "/v1/keys"), w("http.post", "/v1/chat/completions"),
      "secret.put assistant_api_key",
      "notify the assistant provider key was rotated (scheduled rotation)" } },
  },
}

-- Tests for rotate-api-key.lua (owl test rotate-api-key).
local gw = "http://gateway.test"

return {
  {
    name = "registers, verifies, stores the new key and revokes the old",
    config = { gateway_url = gw },
    fakes = {
      secrets = { gateway_admin = "admin-token-for-tests",
                  assistant_api_key = "old-key-for-tests-0001" },
      http = {
        ["POST " .. gw .. "/v1/keys"] = { status = 201, json = { id = 7 } },
        ["GET " .. gw .. "/v1/whoami"] = { status = 200, json = { key_id = 3 } },
        ["DELETE " .. gw .. "/v1/keys/3"] = { status = 204 },
      },
    },
    expect = { status = "ok", writes = {
      "http.post " .. gw .. "/v1/keys",
      "secret.put assistant_api_key",
      "http.delete " .. gw .. "/v1/keys/3" } },
  },
  {
    name = "stops before anything when the gateway refuses the new key",
    config = { gateway_url = gw },
    fakes = {
      secrets = { gateway_admin = "admin-token-for-tests",
                  assistant_api_key = "old-key-for-tests-0001" },
      http = { ["POST " .. gw .. "/v1/keys"] = { status = 403 } },
    },
    expect = { status = "failed", error = "gateway answered 403",
               writes = { "http.post " .. gw .. "/v1/keys" } },
  },
}

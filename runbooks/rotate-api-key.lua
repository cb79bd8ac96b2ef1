-- rotate-api-key: rotate the LLM gateway API key a service uses: make a
-- new key, register it, check it works, store it, revoke the old one.
-- Keys never enter the runbook: secret.get/generate give handles that
-- owl fills in at the last moment, and masks everywhere it writes.
runbook {
  summary = "Rotate an AI service's LLM gateway API key",
  params  = {
    secret = { default = "assistant_api_key",
               description = "the owl secret that holds the service's key" },
  },
  match   = { alertname = "LLMKeyLeaked" },
  timeout = "10m",
}

function run(p)
  local gw = config.gateway_url
  local admin = secret.get("gateway_admin")
  local old = secret.get(p.secret)
  local new = secret.generate({ bytes = 32 })
  local auth = { Authorization = "Bearer " .. admin }
  local new_id = "unknown"

  step("register the new key", function()
    local r = http.post(gw .. "/v1/keys", { headers = auth,
      json = { key = new, name = p.secret } })
    check(r.status == 201 or r.simulated, "gateway answered " .. r.status)
    if r.json and r.json.id then new_id = r.json.id end
  end, { undo = function()
    http.delete(gw .. "/v1/keys/" .. new_id, { headers = auth })
  end })

  step("verify the new key", function()
    wait_until(function()
      return http.get(gw .. "/v1/whoami",
        { headers = { Authorization = "Bearer " .. new } }).status == 200
    end, { timeout = "30s", interval = "2s" })
  end)

  step("store the new key", function()
    secret.put(p.secret, new)
  end, { undo = function()
    secret.put(p.secret, old)
  end })

  step("revoke the old key", function()
    local r = http.get(gw .. "/v1/whoami",
      { headers = { Authorization = "Bearer " .. old } })
    if r.status == 200 then
      http.delete(gw .. "/v1/keys/" .. r.json.key_id, { headers = auth })
    else
      log("the old key was not active (" .. r.status .. ")")
    end
  end)
end

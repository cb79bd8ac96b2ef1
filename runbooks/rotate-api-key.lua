-- rotate-api-key: a provider key leaked (or is due): create a new key,
-- install it at the AI gateway, verify that a real completion succeeds
-- with it, store it where the service reads it, and revoke the old key
-- only after all that. Keys never enter the runbook: secret.get and
-- secret.generate give handles that owl fills in at the last moment and
-- masks everywhere it writes (no log, plan, output or database holds a
-- key). The verification is a completion (a POST): a dry-run does not
-- send it, so a key that was never registered never reaches the gateway.
runbook {
  summary = "Rotate an AI service's provider key at its gateway, verify it, revoke the old one",
  params  = {
    secret  = { default = "assistant_api_key",
                description = "the owl secret that holds the service's key (read, then replaced)" },
    service = { default = "assistant",
                description = "the service the key belongs to (its name at the gateway)" },
    reason  = { default = "scheduled rotation",
                description = "why: goes to the log and the notification" },
  },
  match   = { alertname = "LLMKeyLeaked" },
  timeout = "10m",
}

local gw = require "lib.gateway"

function run(p)
  local admin, old, new, old_id, new_id

  step("find the key in use", function()
    admin = gw.admin()
    old = secret.get(p.secret)
    local r = http.get(gw.url("/v1/whoami"),
      { headers = { Authorization = "Bearer " .. old } })
    if r.status == 200 then
      old_id = r.json.key_id
      log("the service's key is id " .. old_id .. " (" .. r.json.name .. ")")
    else
      log("the stored key is not active at the gateway (" .. r.status ..
          "): nothing to revoke afterwards")
    end
  end)

  step("install a new key at the gateway", function()
    new = secret.generate({ bytes = 32 })
    local r = http.post(gw.url("/v1/keys"), { headers = admin, expect = 201,
      json = { key = new, name = p.service } })
    new_id = r.json and r.json.id
    log("the new key is id " .. tostring(new_id))
  end, { undo = function()
    if new_id then
      http.delete(gw.url("/v1/keys/" .. new_id), { headers = admin,
        expect = 204 })
    end
  end })

  step("verify a real call with the new key", function()
    http.post(gw.url("/v1/chat/completions"), { expect = 200,
      headers = { Authorization = "Bearer " .. new },
      json = { service = p.service, max_tokens = 1,
               messages = { { role = "user", content = "ping" } } } })
  end)

  step("store the new key", function()
    secret.put(p.secret, new)
  end, { undo = function()
    secret.put(p.secret, old)
  end })

  if old_id then
    confirm("Revoke the old key (id " .. old_id .. ")? This cannot be undone.")
    step("revoke the old key", function()
      http.delete(gw.url("/v1/keys/" .. old_id), { headers = admin,
        expect = 204 })
    end)
  end

  step("notify", function()
    gw.announce("the " .. p.service .. " provider key was rotated (" ..
      p.reason .. ")" .. (old_id and "; the old key is revoked" or ""))
  end)
end

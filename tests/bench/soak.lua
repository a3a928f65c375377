-- wrk script for tests/bench/soak.sh: a fixed mix of requests, each connection waiting
-- delay_ms between requests (the soak's rate). Assertions are used once each.
--   wrk ... -s soak.lua URL -- DIR DELAY_MS
-- DIR holds es.txt, rs.txt, hs.txt (assertions), bearer (an access token for /auth/check),
-- admin (an access token with idgate:admin) and basic (client_id:secret of a
-- client_secret_basic client), post (a client_secret_post client's form fields).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "status.lua")

local assertions = {es = {}, rs = {}, hs = {}}
local used = {es = 0, rs = 0, hs = 0}
local bearer, admin, basic, post
local delay_ms = 0
local pos = 0
-- One round of the mix: 20 requests. Token requests with every client authentication method,
-- /auth/check, JWKS and admin reads.
local mix = {"es", "check", "hs", "es", "jwks", "check", "es", "admin", "hs", "rs",
             "check", "basic", "es", "post", "check", "hs", "jwks", "es", "admin", "check"}
local form = {["Content-Type"] = "application/x-www-form-urlencoded"}
local assertion_form = "grant_type=client_credentials&client_assertion_type=" ..
  "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion="

local function first_line(path)
  local f = assert(io.open(path))
  local line = f:read("*l")
  f:close()
  return line
end

function init(args)
  local dir = args[1]
  delay_ms = tonumber(args[2])
  for kind, list in pairs(assertions) do
    for line in io.lines(dir .. "/" .. kind .. ".txt") do list[#list + 1] = line end
  end
  bearer = first_line(dir .. "/bearer")
  admin = first_line(dir .. "/admin")
  basic = first_line(dir .. "/basic")
  post = first_line(dir .. "/post")
end

function delay()
  return delay_ms
end

local function token_request(kind)
  used[kind] = used[kind] + 1
  -- Past the end: a replay of the first, refused, so a short supply shows as errors.
  local a = assertions[kind][used[kind]] or assertions[kind][1]
  return wrk.format("POST", "/oauth2/token", form, assertion_form .. a)
end

function request()
  pos = pos % #mix + 1
  local kind = mix[pos]
  if kind == "es" or kind == "rs" or kind == "hs" then return token_request(kind) end
  if kind == "check" then
    return wrk.format("GET", "/auth/check", {["Authorization"] = "Bearer " .. bearer})
  end
  if kind == "jwks" then return wrk.format("GET", "/oauth2/jwks") end
  if kind == "admin" then
    return wrk.format("GET", "/api/admin/clients/soak-es", {["Authorization"] = "Bearer " .. admin})
  end
  if kind == "basic" then
    return wrk.format("POST", "/oauth2/token",
      {["Content-Type"] = form["Content-Type"], ["Authorization"] = "Basic " .. basic},
      "grant_type=client_credentials")
  end
  return wrk.format("POST", "/oauth2/token", form, "grant_type=client_credentials&" .. post)
end

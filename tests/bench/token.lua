-- wrk script: POSTs each pre-generated assertion exactly once (one wrk thread).
-- done() (the RESULT line) comes from status.lua next to this file.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "status.lua")
local assertions = {}
local next_index = 0
local exhausted = 0

function init(args)
  for line in io.lines(args[1]) do assertions[#assertions + 1] = line end
end

function request()
  next_index = next_index + 1
  local a = assertions[next_index]
  if a == nil then
    exhausted = exhausted + 1
    a = assertions[1] -- a replay: counted as a non-2xx answer, so the run is invalid
  end
  return wrk.format("POST", "/oauth2/token", {["Content-Type"] = "application/x-www-form-urlencoded"},
    "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=" .. a)
end

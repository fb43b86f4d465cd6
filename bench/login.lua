-- wrk script for a login storm: POST /auth/login with the bench users' credentials.
local bodies = {}
local counter = 0

function init(args)
  local file = io.open(args[1], "r")
  for line in file:lines() do
    table.insert(bodies, line)
  end
  file:close()
  counter = math.random(#bodies)
end

function request()
  counter = counter % #bodies + 1
  return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" }, bodies[counter])
end

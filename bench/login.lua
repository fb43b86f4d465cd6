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

function done(summary, latency, requests)
  io.write(string.format("RESULT logins/s=%.1f p50_ms=%.1f p99_ms=%.1f errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end

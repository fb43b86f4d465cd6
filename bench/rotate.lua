-- wrk script: every request takes the next (token, method, path, body) line of the request file,
-- so many signed-in users with their own scopes hit the server at once (an empty token sends no
-- Authorization header: sign-ins).
-- Request file lines: <token>\t<METHOD>\t<path>\t<json body or empty>
local requests = {}
local counter = 0
local sent = 0
local threads = 0

-- Each thread gets its own number, so the ids it makes for new records never collide with
-- another thread's (their random generators start alike).
function setup(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end

function headers_for(r)
  local headers = {}
  if r.token ~= "" then
    headers["Authorization"] = "Bearer " .. r.token
  end
  return headers
end

function init(args)
  local file = io.open(args[1], "r")
  for line in file:lines() do
    local token, method, path, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
    local r = { token = token, method = method, path = path, body = body }
    if body == "" then
      -- Without a body the request is the same every time: format it once, so that the load
      -- generator spends its time sending rather than building strings.
      r.raw = wrk.format(method, path, headers_for(r))
    end
    table.insert(requests, r)
  end
  file:close()
  -- Start each wrk thread at a different place in the list.
  math.randomseed(os.time() * 1000 + (thread_no or 0))
  counter = math.random(#requests)
end

function request()
  counter = counter % #requests + 1
  local r = requests[counter]
  if r.raw then
    return r.raw
  end
  local headers = headers_for(r)
  headers["Content-Type"] = "application/json"
  -- Each __UUID__ becomes a fresh uuid (v4 layout): random bits, then this thread's number and
  -- a count of the ids it made (a sync batch holds hundreds of them).
  local body = r.body:gsub("__UUID__", function()
    sent = sent + 1
    return string.format("%08x-%04x-4%03x-8%03x-%04x%08x",
      math.random(0, 0x7fffffff), math.random(0, 0xffff), math.random(0, 0xfff), math.random(0, 0xfff),
      thread_no or 0, sent)
  end)
  return wrk.format(r.method, r.path, headers, body)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end

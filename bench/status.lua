-- wrk script: counts responses by status class so a chaos run can say what failed how.
counts = {}
samples = {} -- the first body seen per failing status, so a run can say why it failed
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  samples = {}
end

function response(status, headers, body)
  local key = tostring(status)
  counts[key] = (counts[key] or 0) + 1
  if status >= 300 and samples[key] == nil then
    samples[key] = string.sub(body or "", 1, 300):gsub("%s+", " ")
  end
end

function done(summary, latency, requests)
  local total = {}
  local bodies = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for k, v in pairs(c) do
      total[k] = (total[k] or 0) + v
    end
    for k, v in pairs(thread:get("samples")) do
      bodies[k] = bodies[k] or v
    end
  end
  local parts = {}
  for k, v in pairs(total) do
    table.insert(parts, k .. "=" .. v)
  end
  table.sort(parts)
  io.write(string.format("STATUS %s\n", table.concat(parts, " ")))
  io.write(string.format("P99_MS %.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("REQUESTS %d\n", summary.requests))
  local e = summary.errors
  io.write(string.format("SOCKET_ERRORS connect=%d read=%d write=%d timeout=%d\n",
    e.connect, e.read, e.write, e.timeout))
  for k, v in pairs(bodies) do
    io.write(string.format("BODY %s %s\n", k, v))
  end
end

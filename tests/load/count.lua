-- wrk script for tests/load/run.sh.
-- * Counts responses outside 2xx exactly (wrk's own "Non-2xx or 3xx" line lets redirects pass).
-- * With paths after `--` (wrk ... -s count.lua URL -- /a /b), sends them in turn on each
--   connection's thread (the soak mixes the block post and the health route this way).
-- * Prints one machine-readable summary line, "WRK key=value ...".
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  paths = args
  turn = 0
end

function request()
  if #paths == 0 then
    return wrk.format()
  end
  turn = turn % #paths + 1
  return wrk.format(nil, paths[turn])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do
    n = n + t:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d non2xx=%d p50_us=%d p99_us=%d max_us=%d " ..
    "err_connect=%d err_read=%d err_write=%d err_timeout=%d\n",
    summary.requests, summary.duration, n, latency:percentile(50),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout))
end

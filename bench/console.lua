-- wrk script: GET console pages with a session cookie; GONGKAI_COOKIE is the session cookie's
-- value, GONGKAI_PATHS a file of paths, one per line.
local cookie = os.getenv("GONGKAI_COOKIE")
local paths = {}
for line in io.lines(os.getenv("GONGKAI_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Cookie"] = "gongkai_session=" .. cookie})
end
function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end

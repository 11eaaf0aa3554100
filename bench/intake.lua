-- wrk script: POST /api/v1/cases with a valid intake (token and agency from the environment).
-- GONGKAI_AGENCY=3 registers every request with agency 3 (all intakes then share that agency's
-- case-number counter); GONGKAI_AGENCIES=50 picks one of agencies 1..50 at random per request.
local token = os.getenv("GONGKAI_TOKEN")
local agency = os.getenv("GONGKAI_AGENCY") or "1"
local spread = tonumber(os.getenv("GONGKAI_AGENCIES") or "0")
local received = os.getenv("GONGKAI_RECEIVED") or "2026-11-20"
local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
local function body(agency_id)
  return '{"agency_id": ' .. agency_id .. ', "channel": "online", "received_on": "' .. received .. '", '
    .. '"applicant": {"category": "natural_person", "name": "压测申请人", "phone": "13800000000"}, '
    .. '"description": "性能测试：申请公开2024年财政预算执行情况"}'
end
local fixed = body(agency)
request = function()
  local payload = fixed
  if spread > 0 then payload = body(math.random(1, spread)) end
  return wrk.format("POST", "/api/v1/cases", headers, payload)
end
function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

-- wrk script: POST /api/v1/cases with a valid intake (token and agency from the environment).
local token = os.getenv("GONGKAI_TOKEN")
local agency = os.getenv("GONGKAI_AGENCY") or "1"
local received = os.getenv("GONGKAI_RECEIVED") or "2026-11-20"
wrk.method = "POST"
wrk.path = "/api/v1/cases"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"agency_id": ' .. agency .. ', "channel": "online", "received_on": "' .. received .. '", '
  .. '"applicant": {"category": "natural_person", "name": "压测申请人", "phone": "13800000000"}, '
  .. '"description": "性能测试：申请公开2024年财政预算执行情况"}'
function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

-- serve_body.lua - wrk script for `shardboost serve`: POST one body over and
-- over to /v1/predict, and count the answers by model version, the non-200
-- answers, and (with SB_EXPECT) answers whose bytes differ from the expected
-- answer for that version. Used by tests/integration/serve_registry.sh (load
-- during a promote: zero failures) and tests/bench/bench_serve.sh.
--   SB_BODY=file (required)  SB_CTYPE=content type (default application/json)
--   SB_EXPECT=file of the expected answer  SB_EXPECT_VERSION=vN it is for
local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

wrk.method = "POST"
wrk.path = "/v1/predict"
wrk.body = slurp(os.getenv("SB_BODY"))
wrk.headers["Content-Type"] = os.getenv("SB_CTYPE") or "application/json"

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok, bad, mismatch = 0, 0, 0
  for i = 1, 9 do _G["seen_v" .. i] = 0 end
  local e = os.getenv("SB_EXPECT")
  expected = e and slurp(e) or nil
  expected_version = os.getenv("SB_EXPECT_VERSION")
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    return
  end
  ok = ok + 1
  local n = tonumber(body:match('"version":"v(%d+)"') or "0")
  if n >= 1 and n <= 9 then _G["seen_v" .. n] = _G["seen_v" .. n] + 1 end
  if expected and ("v" .. n) == expected_version and body ~= expected then mismatch = mismatch + 1 end
end

function done(summary, latency, requests)
  local t = {ok = 0, bad = 0, mismatch = 0}
  local seen = {}
  for _, th in ipairs(threads) do
    t.ok = t.ok + th:get("ok")
    t.bad = t.bad + th:get("bad")
    t.mismatch = t.mismatch + th:get("mismatch")
    for i = 1, 9 do seen[i] = (seen[i] or 0) + th:get("seen_v" .. i) end
  end
  local e = summary.errors
  io.write(string.format("wrk-check: ok=%d bad=%d mismatch=%d socket_errors=%d",
    t.ok, t.bad, t.mismatch, e.connect + e.read + e.write + e.timeout))
  for i = 1, 9 do if seen[i] > 0 then io.write(string.format(" v%d=%d", i, seen[i])) end end
  io.write("\n")
  io.write(string.format("wrk-latency-us: p50=%.0f p99=%.0f p999=%.0f max=%.0f\n",
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
  io.write(string.format("wrk-rate: requests=%d seconds=%.3f\n", summary.requests, summary.duration / 1e6))
end

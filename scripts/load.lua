-- wrk script for scripts/load.sh.
--
-- With a sessions file (`wrk ... -s load.lua URL -- sessions.lua`): every request saves the first
-- page of the intake form (POST /intake/page/0, answered 303), taking the patient sessions in
-- turn, each thread starting at its own place. The file returns { {cookie, csrf}, ... }.
-- Without one: GET /, for the hello-world baseline (a request function too, so both runs pay
-- the same in wrk).
-- Either way `done` prints one line for load.sh to read:
--   RESULT <requests/s> <p99 ms> <non-2xx/3xx responses> <socket errors>

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local sessions = nil
local next_session = 0
local plain = nil

local answers = "&a.reason=Cough+for+two+weeks&a.pain_level=3&a.symptom_start=2026-11-01"

function init(args)
  if args[1] then
    sessions = dofile(args[1])
    next_session = (id or 0) * 997 % #sessions
  else
    plain = wrk.format("GET", "/")
  end
end

function request()
  if not sessions then
    return plain
  end
  next_session = next_session % #sessions + 1
  local session = sessions[next_session]
  return wrk.format("POST", "/intake/page/0", {
    ["Cookie"] = session[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "csrf=" .. session[2] .. answers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.2f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(99.0) / 1000,
    e.status,
    e.connect + e.read + e.write + e.timeout))
end

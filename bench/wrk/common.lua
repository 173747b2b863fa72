-- Shared by every scenario script.
--
-- bench/run.py calls wrk as `wrk ... URL -- THREADS ARG...`; wrk hands init() those words as
-- args[0] = URL, args[1] = THREADS, args[2...] = the script's own arguments.
--
-- done() prints one line, "@@bench {json}", with the counts and latency percentiles (in
-- microseconds) that bench/harness/wrk.py reads, plus the sum of each thread's `counters`.
local common = {}

local threads = {}
counters = {} -- this thread's counts by name (each thread loads its own copy of this module)

-- Runs in wrk's main Lua state once per thread, before any request.
function common.setup(thread)
   thread:set("tid", #threads) -- 0-based thread index, a global of the thread's own state
   table.insert(threads, thread)
end

-- The thread count and the script's own arguments.
function common.args(args)
   local own, i = {}, 2
   while args[i] ~= nil do
      own[#own + 1] = args[i]
      i = i + 1
   end
   return tonumber(args[1]), own
end

-- The lines of a data file, each split into its space-separated fields.
function common.rows(path)
   local rows = {}
   for line in io.lines(path) do
      local fields = {}
      for field in line:gmatch("%S+") do
         fields[#fields + 1] = field
      end
      if #fields > 0 then
         rows[#rows + 1] = fields
      end
   end
   return rows
end

-- This thread's share of `rows`: every THREADS-th row from its own index. No two threads get
-- the same row, which single-use data (refresh tokens, a number's send then login) needs.
function common.share(rows, thread_count)
   local mine = {}
   for i = tid + 1, #rows, thread_count do
      mine[#mine + 1] = rows[i]
   end
   return mine
end

-- wrk calls request() once more than it sends: right after init(), on the first thread's
-- state, to check the script makes a valid request, and throws that request away. A script
-- whose request() uses something up (a single-use token, a number's send before its login)
-- answers that first call with `spare`, a request that uses nothing up, through this wrapper.
-- On the other threads the spare is sent, which does no harm.
function common.first_call_spare(spare, request)
   local first = true
   return function()
      if first then
         first = false
         return spare()
      end
      return request()
   end
end

function common.count(name)
   counters[name] = (counters[name] or 0) + 1
end

-- A response() for the scripts whose rate is low enough to afford one: counts every answer
-- that is not a 2xx by its status ("status_429"), so the report can say what went wrong.
-- The fast read scripts leave it out: wrk then skips the call into Lua for each response.
function common.response(status, headers, body)
   if status < 200 or status > 299 then
      common.count("status_" .. status)
   end
end

function common.get(path, token)
   return wrk.format("GET", path, { Authorization = "Bearer " .. token })
end

function common.post_json(path, body, headers)
   headers = headers or {}
   headers["Content-Type"] = "application/json"
   return wrk.format("POST", path, headers, body)
end

local function counters_json()
   local totals = {}
   for _, thread in ipairs(threads) do
      for name, value in pairs(thread:get("counters") or {}) do
         totals[name] = (totals[name] or 0) + value
      end
   end
   local parts = {}
   for name, value in pairs(totals) do
      parts[#parts + 1] = string.format('"%s":%d', name, value)
   end
   return "{" .. table.concat(parts, ",") .. "}"
end

function common.done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      '@@bench {"requests":%d,"duration_us":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p99.9":%d,"max":%d,"mean":%.1f},' ..
      '"extra":%s}\n',
      summary.requests, summary.duration,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency:percentile(99.9), latency.max, latency.mean,
      counters_json()))
end

return common

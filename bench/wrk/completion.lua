-- Customers marking the day's training items done, and undoing it: PATCH PATH
-- {"status":"completed",...} for an item, and a round later {"status":"pending"} for the same
-- item, so every request changes the day's log and moves the streak (a repeated PATCH would be
-- a cheap no-op: completion is idempotent).
-- Arguments: COMPLETIONS_FILE (lines "accessToken planId itemId,itemId,...") PATH (with
-- "{planId}" and "{itemId}") SPARE_PATH (a GET that changes nothing, for wrk's check call).
--
-- A thread takes every THREADS-th customer and walks their items item-major (the first item of
-- every customer, then the second...), so requests in flight together are other customers'
-- and seldom wait on each other's streak lock.
local common = require "common"

setup = common.setup
done = common.done
response = common.response

local completed, pending = {}, {}
local marked = {}
local next_pair = 0
local spare_request

local COMPLETED = '{"status":"completed","feedback":"Felt strong","metrics":{"rpe":7}}'
local PENDING = '{"status":"pending"}'

function init(args)
   local thread_count, own = common.args(args)
   local rows = common.share(common.rows(own[1]), thread_count)
   local path = own[2]
   local items = {}
   local widest = 0
   for i, row in ipairs(rows) do
      items[i] = {}
      for item in row[3]:gmatch("[^,]+") do
         items[i][#items[i] + 1] = item
      end
      widest = math.max(widest, #items[i])
   end
   for k = 1, widest do
      for i, row in ipairs(rows) do
         local item = items[i][k]
         if item then
            local item_path = path:gsub("{planId}", row[2]):gsub("{itemId}", item)
            local headers = { Authorization = "Bearer " .. row[1], ["Content-Type"] = "application/json" }
            completed[#completed + 1] = wrk.format("PATCH", item_path, headers, COMPLETED)
            pending[#pending + 1] = wrk.format("PATCH", item_path, headers, PENDING)
            marked[#marked + 1] = false
         end
      end
   end
   if rows[1] then
      spare_request = common.get(own[3], rows[1][1])
   end
end

local function mark()
   next_pair = next_pair % #completed + 1
   local was_marked = marked[next_pair]
   marked[next_pair] = not was_marked
   if was_marked then
      common.count("undone")
      return pending[next_pair]
   end
   common.count("completed")
   return completed[next_pair]
end

request = common.first_call_spare(function() return spare_request end, mark)

-- POST /messages as signed-in customers to their coach, rotating through this thread's share.
-- Arguments: SENDERS_FILE (lines "accessToken body", the body a JSON object without spaces
-- inside its strings' neighbours: see harness/threads.py) PATH.
local common = require "common"

setup = common.setup
done = common.done

local requests = {}
local next_request = 0

function init(args)
   local thread_count, own = common.args(args)
   local senders_file, path = own[1], own[2]
   for line in io.lines(senders_file) do
      local token, body = line:match("^(%S+) (.+)$")
      if token ~= nil then
         requests[#requests + 1] = { token = token, body = body }
      end
   end
   local mine = {}
   for i = tid + 1, #requests, thread_count do
      local one = requests[i]
      mine[#mine + 1] = common.post_json(path, one.body, { Authorization = "Bearer " .. one.token })
   end
   requests = mine
end

function request()
   next_request = next_request % #requests + 1
   return requests[next_request]
end

response = common.response

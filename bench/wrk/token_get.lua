-- GET a path as signed-in users, rotating through this thread's share of the access tokens.
-- Arguments: TOKENS_FILE (lines "userId accessToken") PATH ("{userId}" becomes the token's
-- own user id, e.g. /api/v1/plans/training/{userId}).
local common = require "common"

setup = common.setup
done = common.done

local requests = {}
local next_request = 0

function init(args)
   local thread_count, own = common.args(args)
   local tokens_file, path = own[1], own[2]
   for _, row in ipairs(common.share(common.rows(tokens_file), thread_count)) do
      local user_path = path:gsub("{userId}", row[1])
      requests[#requests + 1] = common.get(user_path, row[2])
   end
end

function request()
   next_request = next_request % #requests + 1
   return requests[next_request]
end

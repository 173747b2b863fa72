-- POST /api/v1/auth/login with a password, rotating through this thread's share of the
-- password users. Arguments: PATH PHONES_FILE PASSWORD (one password, no quotes in it).
local common = require "common"

setup = common.setup
done = common.done
response = common.response

local requests = {}
local next_request = 0

function init(args)
   local thread_count, own = common.args(args)
   local path, phones_file, password = own[1], own[2], own[3]
   for _, row in ipairs(common.share(common.rows(phones_file), thread_count)) do
      local body = string.format('{"provider":"%s","password":"%s"}', row[1], password)
      requests[#requests + 1] = common.post_json(path, body)
   end
end

function request()
   next_request = next_request % #requests + 1
   return requests[next_request]
end

-- POST the wearable webhook as the Standard Webhooks partner: each request a delivery of its
-- own (signed in advance by the harness), this thread's share taken in turn from OFFSET on
-- (each run of the scenario starts past the deliveries the runs before it sent: a delivery
-- sent again is a redelivery, answered without being queued, which is not what is measured).
-- Arguments: DELIVERIES_FILE (lines "webhookId timestamp signature body") PATH OFFSET.
local common = require "common"

setup = common.setup
done = common.done

local requests = {}
local next_request = 0

function init(args)
   local thread_count, own = common.args(args)
   local deliveries_file, path, offset = own[1], own[2], tonumber(own[3] or "0")
   for _, row in ipairs(common.share(common.rows(deliveries_file), thread_count)) do
      requests[#requests + 1] = common.post_json(path, row[4], {
         ["webhook-id"] = row[1],
         ["webhook-timestamp"] = row[2],
         ["webhook-signature"] = row[3],
         ["Wearable-Provider"] = "partner",
      })
   end
   next_request = math.floor(offset / thread_count) % #requests
end

function request()
   next_request = next_request % #requests + 1
   return requests[next_request]
end

response = common.response

-- The OTP sign-in cycle with fixed test numbers: POST SEND_PATH {"phone"}, later POST
-- LOGIN_PATH {"phone","otp"} with the number's fixed code (FITCOACH_TEST_OTPS).
-- Arguments: SEND_PATH LOGIN_PATH QA_FILE (lines "phone code") FORWARDED_BASE.
--
-- FORWARDED_BASE "-": no X-Forwarded-For. A number: every request carries its own address,
-- 10.x.y.z counted up from it (plus a million per thread), as if it came through a trusted
-- load balancer, so per-IP rate limits count each client separately instead of refusing the
-- benchmark's single address.
--
-- The thread walks its numbers round-robin, alternating send and login per number. A number's
-- login therefore goes out a whole round after its send, by which time the send has been
-- answered (a thread has far fewer connections than numbers). Threads never share a number:
-- one's send would retire the other's code.
local common = require "common"

setup = common.setup
done = common.done
response = common.response

local send_path, login_path
local sends, logins, sent = {}, {}, {}
local next_number = 0
local forwarded_base, forwarded_count = nil, 0

function init(args)
   local thread_count, own = common.args(args)
   send_path, login_path = own[1], own[2]
   for i, row in ipairs(common.share(common.rows(own[3]), thread_count)) do
      sends[i] = string.format('{"phone":"%s"}', row[1])
      logins[i] = string.format('{"phone":"%s","otp":"%s"}', row[1], row[2])
      sent[i] = false
   end
   if own[4] ~= "-" then
      forwarded_base = tonumber(own[4]) + tid * 1000000
   end
end

local function forwarded_for()
   local n = forwarded_base + forwarded_count
   forwarded_count = forwarded_count + 1
   return string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256,
      n % 256)
end

local function cycle()
   next_number = next_number % #sends + 1
   local headers = {}
   if forwarded_base then
      headers["X-Forwarded-For"] = forwarded_for()
   end
   local was_sent = sent[next_number]
   sent[next_number] = not was_sent
   if was_sent then
      common.count("logins")
      return common.post_json(login_path, logins[next_number], headers)
   end
   common.count("sends")
   return common.post_json(send_path, sends[next_number], headers)
end

-- The spare (see common.first_call_spare): a send for the first number that leaves its turn
-- in the cycle as it was; a second send only replaces the number's code.
request = common.first_call_spare(function()
   local headers = forwarded_base and { ["X-Forwarded-For"] = forwarded_for() } or {}
   return common.post_json(send_path, sends[1], headers)
end, cycle)

-- A mobile app's day, as a weighted mix of requests by signed-in users.
-- Arguments: TOKENS_FILE (lines "userId accessToken") REFRESH_FILE (one unused refresh token a
-- line) PHONES_FILE PASSWORD CATALOG_PATH WEIGHTS (e.g. "me=54,training=24,...,login=1";
-- bench/harness/scenarios.py holds the weights and says why).
--
-- Kinds are interleaved by smooth weighted round-robin over one 100-request cycle, so the mix
-- holds over any stretch of the run, not only on average. Refresh tokens are single-use: each
-- is sent once, and when a thread's share runs out it sends /auth/me instead and counts
-- "refresh_exhausted" (the harness then reports it).
local common = require "common"

setup = common.setup
done = common.done
response = common.response

local PATHS = {
   me = "/api/v1/auth/me",
   training = "/api/v1/plans/training/{userId}",
   diet = "/api/v1/plans/diet/{userId}",
   catalog = nil, -- from the arguments: the path with its filters
   refresh = "/api/v1/auth/refresh-token",
   login = "/api/v1/auth/login",
}

local READS = { "me", "training", "diet", "catalog" } -- GETs prepared once per token
local prepared = { me = {}, training = {}, diet = {}, catalog = {}, login = {} }
local position = { me = 0, training = 0, diet = 0, catalog = 0, login = 0 }
local refresh_tokens, refresh_used = {}, 0
local schedule, step = {}, 0

local function parse_weights(spec)
   local weights = {}
   for kind, weight in spec:gmatch("(%a+)=(%d+)") do
      assert(prepared[kind] or kind == "refresh", "unknown kind " .. kind)
      weights[#weights + 1] = { kind = kind, weight = tonumber(weight), current = 0 }
   end
   return weights
end

-- nginx's smooth weighted round-robin: each pick goes to the highest running score.
local function build_schedule(weights)
   local total = 0
   for _, w in ipairs(weights) do
      total = total + w.weight
   end
   for _ = 1, total do
      local best
      for _, w in ipairs(weights) do
         w.current = w.current + w.weight
         if best == nil or w.current > best.current then
            best = w
         end
      end
      best.current = best.current - total
      schedule[#schedule + 1] = best.kind
   end
end

function init(args)
   local thread_count, own = common.args(args)
   PATHS.catalog = own[5]
   for _, row in ipairs(common.share(common.rows(own[1]), thread_count)) do
      for _, kind in ipairs(READS) do
         local path = PATHS[kind]:gsub("{userId}", row[1])
         table.insert(prepared[kind], common.get(path, row[2]))
      end
   end
   for _, row in ipairs(common.share(common.rows(own[2]), thread_count)) do
      refresh_tokens[#refresh_tokens + 1] = row[1]
   end
   for _, row in ipairs(common.share(common.rows(own[3]), thread_count)) do
      local body = string.format('{"provider":"%s","password":"%s"}', row[1], own[4])
      table.insert(prepared.login, common.post_json(PATHS.login, body))
   end
   build_schedule(parse_weights(own[6]))
end

local function next_prepared(kind)
   position[kind] = position[kind] % #prepared[kind] + 1
   return prepared[kind][position[kind]]
end

local function refresh()
   if refresh_used == #refresh_tokens then
      common.count("refresh_exhausted")
      return next_prepared("me")
   end
   refresh_used = refresh_used + 1
   local body = string.format('{"refreshToken":"%s"}', refresh_tokens[refresh_used])
   return common.post_json(PATHS.refresh, body)
end

local function next_request()
   step = step % #schedule + 1
   local kind = schedule[step]
   common.count(kind)
   if kind == "refresh" then
      return refresh()
   end
   return next_prepared(kind)
end

-- The spare (see common.first_call_spare): a /auth/me, which uses up no refresh token.
request = common.first_call_spare(function()
   return prepared.me[1]
end, next_request)

-- Checkouts on the sandbox provider: POST ORDERS_PATH {"productId"} for a published product
-- (a pending order, its invoice and the payment intent), then, once its answer is in, POST
-- ORDERS_PATH/{orderId}/confirm {"paymentMethodId":"pm_card_visa"} as the same customer (the
-- capture, the order and invoice paid, the subscription extended). A checkout is those two
-- requests, so checkouts/s is half the requests/s when every answer is a 2xx.
-- Arguments: TOKENS_FILE (lines "userId accessToken") CATALOG_PATH (a GET listing published
-- products: the first answer gives the product bought) ORDERS_PATH.
--
-- An answer does not say which connection asked, so each order carries its customer's slot in
-- X-Request-ID, which the server echoes: the confirm goes out with that customer's token.
-- Idempotency keys are unique per thread and run (the seed is reused across runs).
local common = require "common"

setup = common.setup
done = common.done

local tokens = {}
local next_token = 0
local product_id = nil
local confirms = {}
local catalog_path, orders_path
local sequence = 0
local run_tag

function init(args)
   local thread_count, own = common.args(args)
   for _, row in ipairs(common.share(common.rows(own[1]), thread_count)) do
      tokens[#tokens + 1] = row[2]
   end
   catalog_path, orders_path = own[2], own[3]
   math.randomseed(os.time() + tid * 7919)
   run_tag = string.format("%d-%d-%d", os.time(), tid, math.random(1, 1000000000))
end

local function next_key()
   sequence = sequence + 1
   return string.format("bench-%s-%d", run_tag, sequence)
end

local function post(path, token, body, request_id)
   return wrk.format("POST", path, {
      Authorization = "Bearer " .. token,
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = next_key(),
      ["X-Request-ID"] = request_id,
   }, body)
end

local function place()
   next_token = next_token % #tokens + 1
   common.count("placed")
   local body = '{"productId":"' .. product_id .. '"}'
   return post(orders_path, tokens[next_token], body, "order-" .. next_token .. "-" .. sequence)
end

function request()
   if product_id == nil then
      return common.get(catalog_path, tokens[1])
   end
   local confirm = table.remove(confirms, 1)
   if confirm ~= nil then
      return confirm
   end
   return place()
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      common.count("status_" .. status)
      return
   end
   if product_id == nil then
      product_id = body:match('"items":%[{"id":"([%x%-]+)"')
      return
   end
   local request_id = headers["x-request-id"] or headers["X-Request-ID"] or ""
   local slot = request_id:match("^order%-(%d+)%-")
   if slot ~= nil then
      local order_id = body:match('"order":{"id":"([%x%-]+)"')
      if order_id ~= nil then
         local path = orders_path .. "/" .. order_id .. "/confirm"
         local pay = '{"paymentMethodId":"pm_card_visa"}'
         confirms[#confirms + 1] = post(path, tokens[tonumber(slot)], pay, "confirm-" .. slot)
      end
   elseif body:find('"status":"paid"', 1, true) then
      common.count("checkouts")
   end
end

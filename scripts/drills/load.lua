-- wrk script for one route of the mixed workload; ROUTE picks it. Prints throughput,
-- p50/p99/max and the errors (connect/read/write/timeouts and non-2xx/3xx answers) as one JSON
-- line the drill collects.
local route = os.getenv("ROUTE")
local key = os.getenv("KEY")
local sku = os.getenv("SKU")
local qty = os.getenv("QTY") or "1"
local price = os.getenv("PRICE") or "0"
local counter = 0
local thread_id = 0
local queries = { "%EB%8B%88%ED%8A%B8", "%EA%B0%80%EB%94%94%EA%B1%B4", "knit", "black",
  "%E3%83%8B%E3%83%83%E3%83%88", "cardigan", "%EC%9B%90%ED%94%BC%EC%8A%A4", "" }
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_id = id or 0
  wrk.headers["Authorization"] = key and ("Bearer " .. key) or nil
end

function request()
  counter = counter + 1
  if route == "search" then
    local q = queries[(counter % #queries) + 1]
    return wrk.format("GET", "/api/v1/search?q=" .. q .. "&locale=ja&currency=JPY&per_page=24")
  elseif route == "feed" then
    return wrk.format("GET", "/api/v1/feeds/products?format=jsonl")
  elseif route == "orders" then
    local n = thread_id * 100000000 + counter
    local body = '{"partner_order_id":"LD-' .. n .. '","currency":"JPY","lines":[{"sku_id":' .. sku ..
      ',"quantity":' .. qty .. ',"unit_price":"' .. price .. '"}],"ship_to":{"name":"Load","country":"JP","address_lines":["1-1"],' ..
      '"postal_code":"100-0001","phone":"+81 3 0000 0000"}}'
    return wrk.format("POST", "/api/v1/orders",
      -- A headers table replaces wrk.headers (it is not merged): the key goes in again.
      { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = "ld-" .. os.time() .. "-" .. n }, body)
  elseif route == "styles" then
    return wrk.format("GET", "/api/v1/styles?per_page=50")
  end
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format(
    '{"route":"%s","requests":%d,"rps":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"errors":%d}\n',
    route, summary.requests, summary.requests / secs, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
      summary.errors.timeout))
end

// The Lua scripts that make reservation and settlement atomic on Redis, whatever the number of gateways.
// KEYS[1] state hash {spend, reserved}, KEYS[2] holds hash {id: amount}, KEYS[3] expiry zset {id: deadline};
// amounts are whole nano-USD; time is the Redis server's, so gateways with skewed clocks agree.

/** Drops holds past their deadline (a gateway died mid-call) and leaves `now` (ms) set. */
const EXPIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 1000)
if #expired > 0 then
  local amounts = redis.call('HMGET', KEYS[2], unpack(expired))
  local total = 0
  for _, a in ipairs(amounts) do
    if a then total = total + tonumber(a) end
  end
  redis.call('HDEL', KEYS[2], unpack(expired))
  redis.call('ZREM', KEYS[3], unpack(expired))
  if total > 0 then redis.call('HINCRBY', KEYS[1], 'reserved', -total) end
end
local spend = tonumber(redis.call('HGET', KEYS[1], 'spend') or '0')
local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')
`;

const TOUCH = `
for i = 1, 3 do redis.call('PEXPIREAT', KEYS[i], ARGV[#ARGV]) end
`;

/** ARGV: id, amount, limit (-1 = none), ttl ms, keys' expiry (epoch ms). Returns {ok, spend, reserved} before. */
export const RESERVE = `${EXPIRE}
local amount = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
if limit >= 0 and spend + reserved + amount > limit then
  return {0, spend, reserved}
end
redis.call('HSET', KEYS[2], ARGV[1], amount)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[1])
redis.call('HINCRBY', KEYS[1], 'reserved', amount)
${TOUCH}
return {1, spend, reserved}
`;

/** ARGV: id, cost, keys' expiry (epoch ms). */
export const SETTLE = `
local held = redis.call('HGET', KEYS[2], ARGV[1])
if held then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('HINCRBY', KEYS[1], 'reserved', -tonumber(held))
end
local cost = tonumber(ARGV[2])
if cost > 0 then redis.call('HINCRBY', KEYS[1], 'spend', cost) end
${TOUCH}
return 1
`;

/** Returns {spend, reserved}. */
export const GET = `${EXPIRE}
return {spend, reserved}
`;

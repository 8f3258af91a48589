// The Lua scripts of the Redis rate store: gcra.ts's steps, for every counter of a call in one atomic script,
// on the Redis server's clock (so gateways with skewed clocks agree). KEYS[i] holds counter i's TAT: epoch ms,
// a decimal string, expiring when the counter is full again. ARGV holds three numbers per counter.

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local eps = 1e-6
`;

/**
 * ARGV per counter: limit, period ms, cost. All or none: the costs are taken only when every counter has room.
 * Returns {ok, then per counter: remaining, reset ms, retry ms (0: it fits; -1: the cost exceeds the limit)}.
 */
export const CONSUME = `${NOW}
local ok = 1
local steps = {}
for i = 1, #KEYS do
  local limit = tonumber(ARGV[3 * i - 2])
  local period = tonumber(ARGV[3 * i - 1])
  local cost = tonumber(ARGV[3 * i])
  local interval = period / limit
  local base = tonumber(redis.call('GET', KEYS[i]) or '0')
  if base < now then base = now end
  local nxt = base + cost * interval
  local retry = 0
  if cost * interval > period + eps then
    retry = -1
  elseif nxt - now > period + eps then
    retry = math.ceil(nxt - period - now)
  end
  if retry ~= 0 then ok = 0 end
  steps[i] = {base, nxt, interval, limit, period, retry, cost}
end
local out = {ok}
for i = 1, #KEYS do
  local s = steps[i]
  local at = s[1]
  if ok == 1 then
    at = s[2]
    if s[7] > 0 then redis.call('SET', KEYS[i], string.format('%.4f', at), 'PX', math.max(1, math.ceil(at - now))) end
  end
  local used = at - now
  local remaining = math.floor((s[5] - used) / s[3] + eps)
  if remaining < 0 then remaining = 0 end
  if remaining > s[4] then remaining = s[4] end
  local reset = math.ceil(used - eps)
  if reset < 0 then reset = 0 end
  out[#out + 1] = remaining
  out[#out + 1] = reset
  out[#out + 1] = s[6]
end
return out
`;

/** ARGV per counter: limit, period ms, cost (negative gives units back, never past a full counter). */
export const ADJUST = `${NOW}
for i = 1, #KEYS do
  local interval = tonumber(ARGV[3 * i - 1]) / tonumber(ARGV[3 * i - 2])
  local base = tonumber(redis.call('GET', KEYS[i]) or '0')
  if base < now then base = now end
  local nxt = base + tonumber(ARGV[3 * i]) * interval
  if nxt > now then
    redis.call('SET', KEYS[i], string.format('%.4f', nxt), 'PX', math.max(1, math.ceil(nxt - now)))
  else
    redis.call('DEL', KEYS[i])
  end
end
return 1
`;

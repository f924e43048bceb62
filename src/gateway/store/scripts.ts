// The Lua scripts that make each multi-key step atomic across replicas: admitting a user's job
// (cache hit, join, or claim and charge), taking a fair upstream batch, recording its results,
// the job leases, and the shared upstream rate on Redis's own clock. Every key a script touches
// carries the `{gb}` hash tag, so on a Redis Cluster they all live in one slot.
//
// An item is "lookupKey\ninput": the key is the cache identity (src/places lookupKey), the input
// is what goes upstream (an address keeps its case). Inputs never hold a newline: addresses are
// cleaned (inner whitespace collapsed) and reverse inputs are "lat,lon".

/** Milliseconds on Redis's clock: every replica reads the same one. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const SPLIT = `local function split(item)
  local at = string.find(item, '\\n', 1, true)
  return string.sub(item, 1, at - 1), string.sub(item, at + 1)
end`;

/**
 * KEYS: P ("{gb}:"). ARGV: user, day, budget ("" for none), group, jobId, jobTtlSeconds,
 * creditsPerInput, then the items. Returns {refused(0/1), hits, joins, claimed, creditsToday}.
 * A job whose new items would pass the budget is refused whole and nothing is written.
 */
export const ADMIT = `${SPLIT}
local p = KEYS[1]
local user, day, budget, group, jobId = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local jobTtl, price = tonumber(ARGV[6]), tonumber(ARGV[7])
local creditsKey = p .. 'credits:' .. day
local spent = tonumber(redis.call('HGET', creditsKey, user) or '0')
local seen, fresh, hits, joins = {}, {}, 0, 0
for i = 8, #ARGV do
  local key = split(ARGV[i])
  if not seen[key] then
    seen[key] = true
    if redis.call('EXISTS', p .. 'cache:' .. key) == 1 then
      hits = hits + 1
    elseif redis.call('EXISTS', p .. 'queued:' .. key) == 1
        or redis.call('EXISTS', p .. 'inflight:' .. key) == 1 then
      joins = joins + 1
    else
      fresh[#fresh + 1] = ARGV[i]
    end
  end
end
local cost = #fresh * price
if budget ~= '' and cost > 0 and spent + cost > tonumber(budget) then
  return {1, hits, joins, #fresh, tostring(spent)}
end
if #fresh > 0 then
  local queue = p .. 'q:' .. group .. ':' .. user
  for _, item in ipairs(fresh) do
    local key = split(item)
    redis.call('SET', p .. 'queued:' .. key, '1')
    redis.call('RPUSH', queue, item)
  end
  if redis.call('LPOS', p .. 'turn:' .. group, user) == false then
    redis.call('RPUSH', p .. 'turn:' .. group, user)
  end
  redis.call('SADD', p .. 'groups', group)
  spent = tonumber(redis.call('HINCRBYFLOAT', creditsKey, user, cost))
  redis.call('EXPIRE', creditsKey, 31 * 86400)
end
if jobId ~= '' then
  local items = {}
  for i = 8, #ARGV do items[#items + 1] = ARGV[i] end
  redis.call('HSET', p .. 'job:' .. jobId, 'user', user, 'group', group,
    'items', cjson.encode(items))
  redis.call('EXPIRE', p .. 'job:' .. jobId, jobTtl)
end
return {0, hits, joins, #fresh, tostring(spent)}`;

/**
 * Takes up to ARGV[2] queued items of one group, one per user in turn, into a new upstream job
 * ARGV[1] leased to ARGV[3] for ARGV[4] ms. KEYS: P, group in ARGV[5]. Returns the items.
 */
export const TAKE = `${NOW}
${SPLIT}
local p = KEYS[1]
local uid, max, owner, lease, group = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5]
local turnKey = p .. 'turn:' .. group
local users = redis.call('LRANGE', turnKey, 0, -1)
local taken, emptied = {}, {}
local active = #users
while #taken < max and active > 0 do
  active = 0
  for _, user in ipairs(users) do
    if #taken >= max then break end
    if not emptied[user] then
      local item = redis.call('LPOP', p .. 'q:' .. group .. ':' .. user)
      if item then
        active = active + 1
        local key = split(item)
        redis.call('DEL', p .. 'queued:' .. key)
        redis.call('SET', p .. 'inflight:' .. key, uid)
        taken[#taken + 1] = item
      else
        emptied[user] = true
      end
    end
  end
end
redis.call('DEL', turnKey)
for _, user in ipairs(users) do
  if redis.call('LLEN', p .. 'q:' .. group .. ':' .. user) > 0 then
    redis.call('RPUSH', turnKey, user)
  end
end
if redis.call('LLEN', turnKey) == 0 then redis.call('SREM', p .. 'groups', group) end
if #taken > 0 then
  redis.call('HSET', p .. 'ujob:' .. uid, 'group', group, 'items', cjson.encode(taken),
    'owner', owner, 'upstreamId', '', 'sentAt', '0')
  redis.call('ZADD', p .. 'ujobs', now + lease, uid)
end
return taken`;

/**
 * Records an upstream job's answers: ARGV: uid, found TTL s, not-found TTL s, then triples
 * (lookup key, result JSON, "1" found / "0" not found). Clears its in-flight marks and forgets it.
 */
export const COMPLETE = `local p = KEYS[1]
local uid = ARGV[1]
local ttlFound, ttlMissing = tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 4, #ARGV, 3 do
  local key = ARGV[i]
  local ttl = ARGV[i + 2] == '1' and ttlFound or ttlMissing
  redis.call('SET', p .. 'cache:' .. key, ARGV[i + 1], 'EX', ttl)
  if redis.call('GET', p .. 'inflight:' .. key) == uid then
    redis.call('DEL', p .. 'inflight:' .. key)
  end
end
redis.call('DEL', p .. 'ujob:' .. uid)
redis.call('ZREM', p .. 'ujobs', uid)
return 1`;

/**
 * Takes over an upstream job whose lease has expired (its replica died or let it go): ARGV: uid,
 * owner, lease ms. Returns {group, items, upstreamId, sentAt} or nil when another holds it.
 */
export const CLAIM = `${NOW}
local p = KEYS[1]
local uid, owner, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
local expiry = redis.call('ZSCORE', p .. 'ujobs', uid)
if not expiry or tonumber(expiry) > now then return nil end
if redis.call('EXISTS', p .. 'ujob:' .. uid) == 0 then
  redis.call('ZREM', p .. 'ujobs', uid)
  return nil
end
redis.call('ZADD', p .. 'ujobs', now + lease, uid)
redis.call('HSET', p .. 'ujob:' .. uid, 'owner', owner)
return redis.call('HMGET', p .. 'ujob:' .. uid, 'group', 'items', 'upstreamId', 'sentAt')`;

/** Upstream jobs whose lease has expired by Redis's clock. KEYS: P. */
export const EXPIRED = `${NOW}
return redis.call('ZRANGEBYSCORE', KEYS[1] .. 'ujobs', '-inf', now, 'LIMIT', 0, 50)`;

/**
 * Renews (ARGV[3] > 0) or lets go of (ARGV[3] = 0) a lease this owner holds. ARGV: uid, owner,
 * lease ms, then optional field/value pairs to record on the job. Returns 1 if held.
 */
export const LEASE = `${NOW}
local p = KEYS[1]
local uid, owner, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('HGET', p .. 'ujob:' .. uid, 'owner') ~= owner then return 0 end
if redis.call('ZSCORE', p .. 'ujobs', uid) == false then return 0 end
for i = 4, #ARGV, 2 do
  local value = ARGV[i + 1]
  if value == '=now' then value = tostring(now) end
  redis.call('HSET', p .. 'ujob:' .. uid, ARGV[i], value)
end
redis.call('ZADD', p .. 'ujobs', lease > 0 and now + lease or 0, uid)
return 1`;

/**
 * One upstream request slot: ARGV: rate, window ms, member, "submit"|"poll". Returns 0 when the
 * slot is taken, else the ms to wait. A sliding log of the last window's requests on Redis's
 * clock; a shared back-off after a 429 stops everyone; polls give way while a submit waits.
 */
export const ACQUIRE = `${NOW}
local p = KEYS[1]
local rate, window, member, purpose = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4]
local backoff = redis.call('PTTL', p .. 'backoff')
if backoff > 0 then return backoff end
local log = p .. 'rate'
redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
local count = redis.call('ZCARD', log)
if purpose == 'submit' then
  redis.call('SET', p .. 'submitwait', '1', 'PX', window)
elseif redis.call('EXISTS', p .. 'submitwait') == 1 and count >= rate - 1 then
  return math.max(10, math.floor(window / rate))
end
if count < rate then
  redis.call('ZADD', log, now, member)
  redis.call('PEXPIRE', log, window)
  if purpose == 'submit' then redis.call('DEL', p .. 'submitwait') end
  return 0
end
local oldest = redis.call('ZRANGE', log, 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now + 1)`;

/**
 * An upstream 429: ARGV: base ms, max ms, retry-after ms (0 for none), quota-after ms. Sets the
 * shared back-off (doubling per 429 in a row); returns 1 once 429s have persisted long enough to
 * conclude the daily quota is spent.
 */
export const STRIKE = `${NOW}
local p = KEYS[1]
local base, max, retryAfter, quotaAfter = tonumber(ARGV[1]), tonumber(ARGV[2]),
  tonumber(ARGV[3]), tonumber(ARGV[4])
local strikes = redis.call('INCR', p .. 'strikes')
redis.call('SET', p .. 'firststrike', now, 'NX')
local delay = math.min(max, base * 2 ^ math.min(strikes - 1, 16))
if retryAfter > delay then delay = math.min(retryAfter, max) end
redis.call('SET', p .. 'backoff', '1', 'PX', math.floor(delay))
local first = tonumber(redis.call('GET', p .. 'firststrike'))
if now - first >= quotaAfter then
  redis.call('SET', p .. 'quota', '1', 'PX', max)
  return 1
end
return 0`;

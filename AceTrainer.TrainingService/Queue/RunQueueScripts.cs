using AceTrainer.ServiceDefaults.Redis;

namespace AceTrainer.TrainingService.Queue;

/// <summary>
/// The Lua scripts behind <see cref="RunQueue"/>: each state change is one script, so Redis runs it atomically and no
/// other client sees a run half-moved between sets. Times are Unix milliseconds passed in by the caller (the caller's
/// TimeProvider), never Redis' own clock. Run states in the hash: waiting, leased, paused, dead.
/// </summary>
internal static class RunQueueScripts
{
    // Shared by the scripts that end a lease: drop it from the lease set and free its worker, but only if the worker
    // still points at this run (a stale mapping must not free a worker that already holds another run).
    private const string ReleaseLease = """
        local function release_lease(leases, workers, run, id)
          redis.call('ZREM', leases, id)
          local worker = redis.call('HGET', run, 'worker')
          if worker and redis.call('HGET', workers, worker) == id then redis.call('HDEL', workers, worker) end
          redis.call('HDEL', run, 'token', 'worker', 'until')
        end
        local function holds(run, token)
          return redis.call('HGET', run, 'state') == 'leased' and redis.call('HGET', run, 'token') == token
        end
        """;

    /// KEYS: due, dead, run. ARGV: id, dueMs, nowMs. Returns 'new', or the state of the run already there.
    public static readonly RedisScript Enqueue = new("""
        local state = redis.call('HGET', KEYS[3], 'state')
        if state and state ~= 'dead' then return state end
        if state == 'dead' then redis.call('ZREM', KEYS[2], ARGV[1]); redis.call('DEL', KEYS[3]) end
        redis.call('HSET', KEYS[3], 'state', 'waiting', 'due', ARGV[2], 'failures', 0, 'leases', 0, 'enqueued', ARGV[3])
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        return 'new'
        """);

    /// KEYS: due, leases, workers. ARGV: prefix, worker, nowMs, untilMs, token. Returns {id, attempt} or nil.
    /// The run hash key is built from the prefix because the run is only known inside the script (single-node Redis only).
    public static readonly RedisScript Lease = new("""
        if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then return false end
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'LIMIT', 0, 1)
        if #ids == 0 then return false end
        local id = ids[1]
        local run = ARGV[1] .. 'run:' .. id
        redis.call('ZREM', KEYS[1], id)
        redis.call('ZADD', KEYS[2], ARGV[4], id)
        redis.call('HSET', KEYS[3], ARGV[2], id)
        redis.call('HINCRBY', run, 'leases', 1)
        redis.call('HSET', run, 'state', 'leased', 'token', ARGV[5], 'worker', ARGV[2], 'until', ARGV[4], 'request', '')
        return {id, tonumber(redis.call('HGET', run, 'failures') or '0') + 1}
        """);

    /// KEYS: leases, run. ARGV: id, token, untilMs. Returns 'lost', 'cancel', 'pause' or 'continue'.
    /// An expired lease not yet taken back is renewed: until the sweep runs nobody else can hold the run.
    public static readonly RedisScript Heartbeat = new(ReleaseLease + "\n" + """
        if not holds(KEYS[2], ARGV[2]) then return 'lost' end
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
        redis.call('HSET', KEYS[2], 'until', ARGV[3])
        local request = redis.call('HGET', KEYS[2], 'request')
        if request == 'cancel' or request == 'pause' then return request end
        return 'continue'
        """);

    /// KEYS: leases, workers, run. ARGV: id, token. Removes a run whose lease the caller holds (completed or cancelled); 1 or 0.
    public static readonly RedisScript Remove = new(ReleaseLease + "\n" + """
        if not holds(KEYS[3], ARGV[2]) then return 0 end
        release_lease(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
        redis.call('DEL', KEYS[3])
        return 1
        """);

    /// KEYS: leases, paused, workers, run. ARGV: id, token, nowMs. Parks a leased run as paused, due now once resumed;
    /// a cancel requested meanwhile wins. Returns 'paused', 'cancelled' or 'lost'.
    public static readonly RedisScript ReleasePaused = new(ReleaseLease + "\n" + """
        if not holds(KEYS[4], ARGV[2]) then return 'lost' end
        release_lease(KEYS[1], KEYS[3], KEYS[4], ARGV[1])
        if redis.call('HGET', KEYS[4], 'request') == 'cancel' then redis.call('DEL', KEYS[4]); return 'cancelled' end
        redis.call('HSET', KEYS[4], 'state', 'paused', 'due', ARGV[3], 'request', '')
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
        return 'paused'
        """);

    /// KEYS: due, leases, paused, dead, workers, run. ARGV: id, token, error, transient (1/0), nowMs, maxAttempts,
    /// backoffBaseMs, backoffMaxMs. Returns {outcome, failures, retryAtMs}.
    public static readonly RedisScript Fail = new(ReleaseLease + "\n" + """
        local run = KEYS[6]
        if not holds(run, ARGV[2]) then return {'lost', 0, '0'} end
        release_lease(KEYS[2], KEYS[5], run, ARGV[1])
        local failures = redis.call('HINCRBY', run, 'failures', 1)
        redis.call('HSET', run, 'error', ARGV[3], 'failed', ARGV[5])
        local request = redis.call('HGET', run, 'request')
        redis.call('HSET', run, 'request', '')
        if request == 'cancel' then redis.call('DEL', run); return {'cancelled', failures, '0'} end
        if ARGV[4] == '1' and failures < tonumber(ARGV[6]) then
          local delay = math.min(tonumber(ARGV[7]) * 2 ^ (failures - 1), tonumber(ARGV[8]))
          local due = string.format('%.0f', tonumber(ARGV[5]) + delay)
          redis.call('HSET', run, 'due', due)
          if request == 'pause' then
            redis.call('HSET', run, 'state', 'paused')
            redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
            return {'paused', failures, due}
          end
          redis.call('HSET', run, 'state', 'waiting')
          redis.call('ZADD', KEYS[1], due, ARGV[1])
          return {'retrying', failures, due}
        end
        redis.call('HSET', run, 'state', 'dead')
        redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1])
        return {'dead', failures, '0'}
        """);

    /// KEYS: due, leases, paused, workers, dead. ARGV: prefix, nowMs, maxExpired, error. Takes back every expired lease (its
    /// token dies with it): due now with its failure count kept, or paused/removed if that was requested; a run whose
    /// leases expired maxExpired times (its worker keeps dying on it) is dead-lettered with the error instead.
    /// Returns {taken back, dead-lettered id...}.
    public static readonly RedisScript RequeueExpired = new(ReleaseLease + "\n" + """
        local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[2])
        local dead = {}
        for _, id in ipairs(ids) do
          local run = ARGV[1] .. 'run:' .. id
          release_lease(KEYS[2], KEYS[4], run, id)
          local expired = redis.call('HINCRBY', run, 'expired', 1)
          local request = redis.call('HGET', run, 'request')
          redis.call('HSET', run, 'request', '', 'due', ARGV[2])
          if request == 'cancel' then
            redis.call('DEL', run)
          elseif request == 'pause' then
            redis.call('HSET', run, 'state', 'paused')
            redis.call('ZADD', KEYS[3], ARGV[2], id)
          elseif expired >= tonumber(ARGV[3]) then
            redis.call('HSET', run, 'state', 'dead', 'error', ARGV[4], 'failed', ARGV[2])
            redis.call('ZADD', KEYS[5], ARGV[2], id)
            table.insert(dead, id)
          else
            redis.call('HSET', run, 'state', 'waiting')
            redis.call('ZADD', KEYS[1], ARGV[2], id)
          end
        end
        local result = {#ids}
        for _, id in ipairs(dead) do table.insert(result, id) end
        return result
        """);

    /// KEYS: due, leases, paused, workers, run. ARGV: id, token, nowMs. A worker that stops (its host shuts down) gives the
    /// run back, due now, without counting a failure or an expiry; a requested cancel or pause wins. Returns
    /// 'queued', 'paused', 'cancelled' or 'lost'.
    public static readonly RedisScript GiveBack = new(ReleaseLease + "\n" + """
        if not holds(KEYS[5], ARGV[2]) then return 'lost' end
        release_lease(KEYS[2], KEYS[4], KEYS[5], ARGV[1])
        local request = redis.call('HGET', KEYS[5], 'request')
        redis.call('HSET', KEYS[5], 'request', '', 'due', ARGV[3])
        if request == 'cancel' then redis.call('DEL', KEYS[5]); return 'cancelled' end
        if request == 'pause' then
          redis.call('HSET', KEYS[5], 'state', 'paused')
          redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
          return 'paused'
        end
        redis.call('HSET', KEYS[5], 'state', 'waiting')
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
        return 'queued'
        """);

    /// KEYS: due, paused, dead, run. ARGV: id. Returns 'absent', 'flagged' (leased: the heartbeat will say cancel) or 'removed'.
    public static readonly RedisScript Cancel = new("""
        local state = redis.call('HGET', KEYS[4], 'state')
        if not state then return 'absent' end
        if state == 'leased' then redis.call('HSET', KEYS[4], 'request', 'cancel'); return 'flagged' end
        redis.call('ZREM', KEYS[1], ARGV[1]); redis.call('ZREM', KEYS[2], ARGV[1]); redis.call('ZREM', KEYS[3], ARGV[1])
        redis.call('DEL', KEYS[4])
        return 'removed'
        """);

    /// KEYS: due, paused, run. ARGV: id, nowMs. Returns 'absent', 'paused', 'already', 'flagged' or 'no' (dead, or a cancel is pending).
    public static readonly RedisScript Pause = new("""
        local state = redis.call('HGET', KEYS[3], 'state')
        if not state then return 'absent' end
        if state == 'paused' then return 'already' end
        if state == 'waiting' then
          redis.call('ZREM', KEYS[1], ARGV[1])
          redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
          redis.call('HSET', KEYS[3], 'state', 'paused')
          return 'paused'
        end
        if state == 'leased' and redis.call('HGET', KEYS[3], 'request') ~= 'cancel' then
          redis.call('HSET', KEYS[3], 'request', 'pause')
          return 'flagged'
        end
        return 'no'
        """);

    /// KEYS: due, paused, run. ARGV: id. Returns 'absent', 'resumed' (back at its due time), 'unflagged' (a leased run's
    /// pause request withdrawn before the worker acted) or 'no'.
    public static readonly RedisScript Resume = new("""
        local state = redis.call('HGET', KEYS[3], 'state')
        if not state then return 'absent' end
        if state == 'paused' then
          redis.call('ZREM', KEYS[2], ARGV[1])
          redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], 'due'), ARGV[1])
          redis.call('HSET', KEYS[3], 'state', 'waiting')
          return 'resumed'
        end
        if state == 'leased' and redis.call('HGET', KEYS[3], 'request') == 'pause' then
          redis.call('HSET', KEYS[3], 'request', '')
          return 'unflagged'
        end
        return 'no'
        """);
}

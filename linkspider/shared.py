"""A crawl shared by N worker processes through one Redis: frontier, leases, the end.

Every worker runs the same ``scrapy crawl discover -a crawl_id=ID ... -s
LINKSPIDER_REDIS_URL=redis://...``.  What they share lives in Redis under
``linkspider:ID:`` (one Lua script per operation, so each is atomic):

``known`` (set), ``per_domain`` and ``variants`` (hashes), ``allowed`` (set)
    The frontier (:class:`SharedFrontier`): a URL is admitted once for the whole
    crawl, ``max_pages_per_domain`` and the trap rules' query-variant counts hold
    across workers, and a seed that moved puts its new domain in scope for all.
    Admitting a URL and queueing it are one step: a worker that dies after
    admitting a URL cannot lose it.
``queue`` (list)
    The URLs waiting, as ``"depth redirects url"``, breadth-first.
``lease:WORKER`` (hash, URL -> entry)
    The URLs a worker took from the queue: taking one moves it there in the same
    step.  A lease is released when the page's row and edges are committed to the
    dataset (the dataset writer's commit), so a worker that dies loses nothing:
    ``workers`` (sorted set) holds each worker's last heartbeat (every quarter of
    ``LINKSPIDER_REDIS_LEASE``, by Redis's clock), and any worker puts the leases of
    one silent for longer than ``LINKSPIDER_REDIS_LEASE`` back at the head of the
    queue.  A page fetched twice that way (its worker was slow, not dead, or died
    after writing and before releasing) is written twice; the end-of-crawl
    compaction keeps one fetch of it.
``meta`` (hash)
    Who created the crawl, and ``finished`` once it has been finished.

The crawl ends when the queue is empty and no worker holds a lease: each worker
checks that when it is idle (after committing what it has buffered), then
closes.  The last steps (compaction, ranks, the ``crawls/`` row, ``history/``)
run once, in the first worker to take the ``final`` lock, after every other
worker has closed (written its last rows).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time
from collections.abc import Iterable, Sequence

from linkspider.frontier import Frontier
from linkspider.traps import DEFAULT_RULES, TrapRules, path_key, strip_session_ids, trap_reason

logger = logging.getLogger(__name__)

_WORKER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

#: admission codes of the ADMIT script
_ADMITTED, _SEEN, _VARIANTS, _DOMAIN_CAP, _OUT_OF_SCOPE = range(5)
_REASONS = {
    _SEEN: "seen",
    _VARIANTS: "trap/query_variants",
    _DOMAIN_CAP: "skipped/domain_page_cap",
    _OUT_OF_SCOPE: "out_of_scope",
}

# KEYS: known, per_domain, variants, allowed, queue, meta
# ARGV: max_per_domain, max_variants, site (1|0), then the candidates as one text: a line
# "url\tdomain\tvariant key\tdepth\tredirects" each (serialized URLs hold no tab or newline).
# Returns the codes as a string of digits, and the scope's version (meta's allowed_version).
_ADMIT = r"""
local max_pd, max_v, site = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1'
local out = {}
for url, domain, vkey, depth, redirects in
    string.gmatch(ARGV[4], '([^\t\n]+)\t([^\t\n]*)\t([^\t\n]*)\t(%d+)\t(%d+)') do
  local code = 0
  if site and redis.call('SISMEMBER', KEYS[4], domain) == 0 then
    code = 4
  elseif redis.call('SISMEMBER', KEYS[1], url) == 1 then
    code = 1
  else
    if vkey ~= '' then
      if tonumber(redis.call('HGET', KEYS[3], vkey) or '0') >= max_v then
        code = 2
      else
        redis.call('HINCRBY', KEYS[3], vkey, 1)
      end
    end
    if code == 0 then
      if tonumber(redis.call('HGET', KEYS[2], domain) or '0') >= max_pd then
        code = 3
      else
        redis.call('SADD', KEYS[1], url)
        redis.call('HINCRBY', KEYS[2], domain, 1)
        redis.call('LPUSH', KEYS[5], depth .. ' ' .. redirects .. ' ' .. url)
      end
    end
  end
  out[#out + 1] = code
end
return {table.concat(out), redis.call('HGET', KEYS[6], 'allowed_version') or '0'}
"""

# KEYS: allowed, meta; ARGV: domain.  A domain in scope for every worker (a seed that moved).
_ALLOW = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[2], 'allowed_version', 1)
end
return redis.call('HGET', KEYS[2], 'allowed_version') or '0'
"""

#: Functions the scripts below share: Redis's clock in ms (every worker's leases are timed by
#: it), and giving a worker's leases back to the head of the queue.
_PRELUDE = """
local function now_ms()
  local t = redis.call('TIME')
  return t[1] * 1000 + math.floor(t[2] / 1000)
end
local function give_back(lease_key, queue)
  local moved = 0
  for _, entry in ipairs(redis.call('HVALS', lease_key)) do
    redis.call('RPUSH', queue, entry)
    moved = moved + 1
  end
  redis.call('DEL', lease_key)
  return moved
end
"""

# KEYS: queue, lease hash, workers; ARGV: worker.  Takes the next URL and leases it.
_TAKE = """
local entry = redis.call('RPOP', KEYS[1])
if not entry then return false end
redis.call('HSET', KEYS[2], string.match(entry, '^%d+ %d+ (.*)$'), entry)
redis.call('ZADD', KEYS[3], now_ms(), ARGV[1])
return entry
"""

# KEYS: workers; ARGV: worker, lease ms, then the politeness slots it holds (in-flight key,
# token ...): the worker is alive, and so are its slots.
_BEAT = """
local now = now_ms()
redis.call('ZADD', KEYS[1], now, ARGV[1])
local lease = tonumber(ARGV[2])
for i = 3, #ARGV, 2 do
  redis.call('ZADD', ARGV[i], 'XX', now + lease, ARGV[i + 1])
  redis.call('PEXPIRE', ARGV[i], lease * 4)
end
"""

# KEYS: workers, queue, meta; ARGV: lease key prefix, lease ms, this worker.
# The leases of every worker silent for longer than the lease go back to the queue's head
# (counted in meta's "requeued": a page may then be written twice).
_REQUEUE = """
local moved = 0
for _, w in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms() - tonumber(ARGV[2]))) do
  if w ~= ARGV[3] then
    moved = moved + give_back(ARGV[1] .. w, KEYS[2])
    redis.call('ZREM', KEYS[1], w)
  end
end
if moved > 0 then redis.call('HINCRBY', KEYS[3], 'requeued', moved) end
return moved
"""

# KEYS: queue, workers; ARGV: lease key prefix.  1 when nothing is queued nor leased.
_IDLE = """
if redis.call('LLEN', KEYS[1]) > 0 then return 0 end
for _, w in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if redis.call('HLEN', ARGV[1] .. w) > 0 then return 0 end
end
return 1
"""

# KEYS: lease hash, queue, workers; ARGV: worker.  A worker that leaves gives back its leases.
_LEAVE = """
redis.call('ZREM', KEYS[3], ARGV[1])
return give_back(KEYS[1], KEYS[2])
"""

# KEYS: the host's in-flight sorted set, the host's next-start key
# ARGV: token, concurrency, delay ms, lease ms.  0 when the request may start (its slot is
# then held), -1 when the host's slots are all taken, else the ms until the host's next start.
_SLOT = """
local now = now_ms()
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
if next_start > now then return next_start - now end
local delay = tonumber(ARGV[3])
if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay + 1000) end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) * 4)
return 0
"""


class SharedCrawlError(ValueError):
    """A shared crawl that cannot start (Redis unreachable, a finished crawl, bad settings)."""


def default_worker_id() -> str:
    """``host-pid``, made safe for a file name."""
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:40] or "host"
    return f"{host}-{os.getpid()}"


def parse_entry(text: str) -> tuple[str, int, int]:
    """``(url, depth, redirects)`` of a queue entry (``"depth redirects url"``, written by
    the admission script).

    >>> parse_entry("2 0 http://a.test/x y")
    ('http://a.test/x y', 2, 0)
    """
    depth, redirects, url = text.split(" ", 2)
    return url, int(depth), int(redirects)


def _checked_worker(worker: str) -> str:
    if not _WORKER_ID.match(worker):
        raise SharedCrawlError(
            f"LINKSPIDER_WORKER_ID={worker!r}: use letters, digits, '.', '_' or '-' "
            "(at most 64 characters)"
        )
    return worker


def _connect(url: str, socket_timeout: float):
    """A Redis client that answered a PING (text in, text out)."""
    import redis

    try:
        client = redis.Redis.from_url(
            url, socket_timeout=socket_timeout, socket_connect_timeout=10, decode_responses=True
        )
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise SharedCrawlError(f"LINKSPIDER_REDIS_URL={url!r}: {exc}") from None
    return client


def check_redis(url: str, worker: str | None) -> None:
    """Raise :class:`SharedCrawlError` (one line) if the shared crawl cannot start."""
    if worker is not None:
        _checked_worker(worker)
    _connect(url, socket_timeout=10).close()


class SharedCrawl:
    """One worker's handle on a shared crawl (see the module's documentation)."""

    def __init__(self, url: str, crawl_id: str, worker: str | None, lease: float) -> None:
        self.crawl_id = crawl_id
        self.worker = _checked_worker(worker or default_worker_id())
        self.lease_ms = int(lease * 1000)
        self.redis = _connect(url, socket_timeout=30)
        prefix = self.prefix = f"linkspider:{crawl_id}:"
        self.keys = {
            name: prefix + name
            for name in (
                "known", "per_domain", "variants", "allowed", "queue", "workers", "meta", "final",
                "robots",
            )
        }  # fmt: skip
        self.lease_prefix = prefix + "lease:"
        self.lease_key = self.lease_prefix + self.worker
        script = self.redis.register_script
        self._admit = script(_ADMIT)
        self._allow = script(_ALLOW)
        self._take = script(_PRELUDE + _TAKE)
        self._beat = script(_PRELUDE + _BEAT)
        self._requeue = script(_PRELUDE + _REQUEUE)
        self._idle = script(_IDLE)
        self._leave = script(_PRELUDE + _LEAVE)
        self._slot = script(_PRELUDE + _SLOT)
        self.created = False
        #: the politeness slots this worker holds: token -> the host's in-flight key
        self.slots: dict[str, str] = {}

    # -- joining and leaving --------------------------------------------------------

    def join(self, allowed_domains: Iterable[str]) -> bool:
        """Register this worker; True if it created the crawl (the first to join)."""
        meta = self.keys["meta"]
        if self.redis.hget(meta, "finished"):
            raise SharedCrawlError(
                f"crawl {self.crawl_id!r} of this Redis has finished; a new crawl needs a new "
                "crawl_id"
            )
        # a worker of this name that was killed: what it held goes back to the queue
        returned = self.leave()
        if returned:
            logger.info(
                "shared crawl %s: %d requests a previous %s held put back in the queue",
                self.crawl_id, returned, self.worker,
            )  # fmt: skip
        self.created = bool(self.redis.hsetnx(meta, "created_by", self.worker))
        for domain in allowed_domains:
            self.add_domain(domain)
        self.heartbeat()
        return self.created

    def forget_creation(self) -> None:
        """The crawl could not start after all (its id is taken): let a later one create it."""
        if self.created:
            self.redis.delete(self.keys["meta"], self.keys["allowed"], self.keys["workers"])

    def heartbeat(self) -> None:
        """This worker is alive, and so are the politeness slots it holds."""
        held = [v for token, key in list(self.slots.items()) for v in (key, token)]
        self._beat(keys=[self.keys["workers"]], args=[self.worker, self.lease_ms, *held])

    def requeue_expired(self) -> int:
        """Put the leases of workers silent for longer than the lease back in the queue."""
        moved = int(
            self._requeue(
                keys=[self.keys["workers"], self.keys["queue"], self.keys["meta"]],
                args=[self.lease_prefix, self.lease_ms, self.worker],
            )
        )
        if moved:
            logger.warning(
                "shared crawl %s: %d requests of silent workers put back in the queue",
                self.crawl_id, moved,
            )  # fmt: skip
        return moved

    def leave(self) -> int:
        """This worker is done: what it still holds goes back to the queue."""
        return int(
            self._leave(
                keys=[self.lease_key, self.keys["queue"], self.keys["workers"]],
                args=[self.worker],
            )
        )

    # -- the frontier and the queue -------------------------------------------------

    def admit(
        self,
        candidates: Sequence[tuple[str, str, str, int, int]],
        max_per_domain: int,
        max_variants: int,
        site: bool,
    ) -> tuple[list[int], int]:
        """Admission codes for ``(url, domain, variant key, depth, redirects)`` (admitted
        ones are queued), and the version of the scope (it changes when a domain is added)."""
        if not candidates:
            return [], self.scope_version()
        lines = "\n".join(f"{u}\t{d}\t{k}\t{depth}\t{r}" for u, d, k, depth, r in candidates)
        keys = [
            self.keys[k] for k in ("known", "per_domain", "variants", "allowed", "queue", "meta")
        ]
        codes, version = self._admit(
            keys=keys, args=[max_per_domain, max_variants, "1" if site else "0", lines]
        )
        return [int(c) for c in codes], int(version)

    def add_domain(self, domain: str) -> int:
        """Put ``domain`` in scope for every worker; the scope's version."""
        return int(self._allow(keys=[self.keys["allowed"], self.keys["meta"]], args=[domain]))

    def scope_version(self) -> int:
        return int(self.redis.hget(self.keys["meta"], "allowed_version") or 0)

    def allowed_domains(self) -> set[str]:
        return self.redis.smembers(self.keys["allowed"])

    def take(self) -> tuple[str, int, int] | None:
        """The next URL, leased to this worker (None when the queue is empty)."""
        taken = self._take(
            keys=[self.keys["queue"], self.lease_key, self.keys["workers"]], args=[self.worker]
        )
        return parse_entry(taken) if taken else None

    def queued(self) -> int:
        return int(self.redis.llen(self.keys["queue"]))

    def release(self, urls: Iterable[str]) -> None:
        """The pages of ``urls`` are committed: their leases end."""
        urls = list(urls)
        for start in range(0, len(urls), 1000):
            self.redis.hdel(self.lease_key, *urls[start : start + 1000])

    def idle(self) -> bool:
        """Nothing queued and no lease held by any worker: the crawl is over."""
        self.requeue_expired()
        return bool(
            self._idle(keys=[self.keys["queue"], self.keys["workers"]], args=[self.lease_prefix])
        )

    # -- robots.txt -------------------------------------------------------------------

    def robots(self, netloc: str) -> str | None:
        """What a worker learnt of the host's robots.txt (``body:...``, ``all:``,
        ``none:reason``), or None."""
        return self.redis.hget(self.keys["robots"], netloc)

    def claim_robots(self, netloc: str) -> bool:
        """True if this worker is to fetch the host's robots.txt (no other worker is: a
        claim lasts a minute, then another worker may try)."""
        return bool(self.redis.set(f"{self.prefix}robots-claim:{netloc}", self.worker,
                                   nx=True, px=60_000))  # fmt: skip

    def set_robots(self, netloc: str, known: str) -> None:
        self.redis.hset(self.keys["robots"], netloc, known[: 512 * 1024])

    # -- politeness -----------------------------------------------------------------

    def take_slot(self, host: str, token: str, concurrency: int, delay_ms: int) -> int:
        """0 when a request to ``host`` may start now (the slot ``token`` is then held until
        :meth:`release_slot`, renewed by the heartbeat); -1 when the host's slots are all
        taken; else the ms until the host's next start (see linkspider.shared_politeness)."""
        key = f"{self.prefix}host:{host}"
        wait = int(
            self._slot(keys=[key + ":flight", key + ":next"],
                       args=[token, concurrency, delay_ms, self.lease_ms])
        )  # fmt: skip
        if wait == 0:
            self.slots[token] = key + ":flight"
        return wait

    def release_slot(self, token: str) -> None:
        key = self.slots.pop(token, None)
        if key is not None:
            self.redis.zrem(key, token)

    # -- the end --------------------------------------------------------------------

    def requeued(self) -> int:
        """Leases of silent workers put back in the queue so far: when there were some, a
        page may have been written twice (and edges of an unfinished write left)."""
        return int(self.redis.hget(self.keys["meta"], "requeued") or 0)

    def finalizer(self) -> bool:
        """True for the one worker that finishes the crawl (compaction, ranks ...)."""
        return bool(self.redis.set(self.keys["final"], self.worker, nx=True))

    def wait_for_others(self) -> None:
        """Until every other worker has left (written its last rows) or gone silent."""
        pause = 0.05
        while True:
            self.requeue_expired()  # removes silent workers
            others = [w for w in self.redis.zrange(self.keys["workers"], 0, -1) if w != self.worker]
            if not others:
                return
            logger.info("shared crawl %s: waiting for %s to close", self.crawl_id, others)
            time.sleep(pause)  # another process's progress: nothing here to wait on instead
            pause = min(pause * 2, 2.0)

    def finished(self) -> None:
        """Mark the crawl finished and drop its frontier (a finished crawl cannot restart)."""
        self.redis.hset(self.keys["meta"], "finished", time.strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.redis.delete(
            *(self.keys[k] for k in ("known", "per_domain", "variants", "allowed", "queue",
                                     "workers", "final", "robots"))
        )  # fmt: skip


class SharedFrontier(Frontier):
    """The :class:`~linkspider.frontier.Frontier` of a shared crawl: its state in Redis.

    Trap rules that look at one URL run here; what needs counting (seen, query
    variants, pages per domain, the domains in scope) runs in Redis, and an
    admitted URL is queued there in the same step (:meth:`admit_many`, one round
    trip for all the links of a page).  A URL this worker has seen admitted (by any
    worker) is not asked about again, and the scope of a site crawl is checked
    here against the domains in scope as of the last round trip, then, for the
    links it left out, again if another worker has added a domain since.
    """

    def __init__(
        self,
        shared: SharedCrawl,
        scope: str,
        allowed_domains: Iterable[str],
        max_pages_per_domain: int,
        rules: TrapRules = DEFAULT_RULES,
    ) -> None:
        super().__init__(scope, allowed_domains, max_pages_per_domain, rules)
        self.shared = shared
        self.scope_version = -1  # of allowed_domains: unknown until the first round trip

    def in_scope(self, domain: str) -> bool:
        # checked in admit_many, against the scope every worker has widened
        return True

    def add_domain(self, domain: str) -> None:
        super().add_domain(domain)
        self.shared.add_domain(domain)

    def admit(self, url: str, domain: str) -> tuple[str | None, str | None]:
        return self.admit_many([(url, domain, 0, 0)])[0]

    def admit_many(
        self, candidates: Sequence[tuple[str, str, int, int]]
    ) -> list[tuple[str | None, str | None]]:
        """``(url, domain, depth, redirects)`` -> ``(url queued, None)`` or ``(None, reason)``;
        reason ``out_of_scope`` is not a stat."""
        out: list[tuple[str | None, str | None]] = [(None, "seen")] * len(candidates)
        ask: list[int] = []
        outside: list[int] = []
        prepared: dict[int, tuple[str, str, str, int, int]] = {}
        site = self.scope == "site"
        for i, (url, domain, depth, redirects) in enumerate(candidates):
            url = strip_session_ids(url)
            if url in self.known:
                continue
            if site and domain not in self.allowed_domains:
                outside.append(i)
                out[i] = (None, "out_of_scope")
            elif self._prepare(i, url, domain, depth, redirects, prepared, out):
                ask.append(i)
        if ask:
            version = self._ask(ask, prepared, out)
        else:  # nothing to admit: the scope's version still matters for what was left out
            version = self.shared.scope_version() if outside else self.scope_version
        if outside and version != self.scope_version:
            # another worker widened the scope (a seed that moved): look at those again
            self.allowed_domains |= self.shared.allowed_domains()
            self.scope_version = version
            again = []
            for i in outside:
                url, domain, depth, redirects = candidates[i]
                url = strip_session_ids(url)
                if domain in self.allowed_domains and self._prepare(
                    i, url, domain, depth, redirects, prepared, out
                ):
                    again.append(i)
            self._ask(again, prepared, out)
        return out

    def _prepare(self, i, url, domain, depth, redirects, prepared, out) -> bool:
        """The rules that look at the URL alone: True if Redis is to be asked about it."""
        reason = trap_reason(url, self.rules)
        if reason is not None:
            out[i] = (None, f"trap/{reason}")
            return False
        prepared[i] = (url, domain, path_key(url) if "?" in url else "", depth, redirects)
        return True

    def _ask(self, indexes: list[int], prepared: dict, out: list) -> int:
        """Admit ``prepared[i]`` for each index in Redis; the scope's version."""
        if not indexes:
            return self.scope_version
        codes, version = self.shared.admit(
            [prepared[i] for i in indexes],
            self.max_pages_per_domain,
            self.rules.max_query_variants,
            site=self.scope == "site",
        )
        for i, code in zip(indexes, codes, strict=True):
            url = prepared[i][0]
            if code in (_ADMITTED, _SEEN):
                self.known.add(url)  # in the crawl's known set: never asked about again
            out[i] = (url, None) if code == _ADMITTED else (None, _REASONS[code])
        if self.scope_version < 0:
            self.scope_version = version
        return version

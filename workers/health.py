"""`nasti doctor`'s queue check: with ``[queue] backend = "celery"``, is the broker (Redis) reachable, and are OCR
batches waiting with nobody reading them? Registered into nasti.doctor's checks."""
from __future__ import annotations

from collections.abc import Iterator

from nasti.doctor import Context, Finding, _fail, _ok, _warn, check
from workers.app import QUEUE_KEYS
from workers.app import safe_broker_url as _safe


@check("queue")
def check_queue(ctx: Context) -> Iterator[Finding]:
    q = ctx.cfg.queue
    if q.backend != "celery":
        yield _ok("queue", "queue", "local OCR pool on this machine ([queue] backend = \"local\"): no broker needed")
        return
    import redis

    where = _safe(q.url)
    try:
        client = redis.Redis.from_url(q.url, socket_timeout=3, socket_connect_timeout=3)
        client.ping()
        waiting = sum(int(client.llen(k)) for k in QUEUE_KEYS)
    except redis.AuthenticationError:
        yield _fail("queue", "queue", f"the queue {where} refused nasti's password: check the password in [queue] "
                    "url against Redis's requirepass")
        return
    except redis.RedisError as e:
        yield _fail("queue", "queue", f"the queue {where} is not reachable ({type(e).__name__}): is redis-server "
                    "running and bound to this network, and the firewall open on its port?")
        return
    if not ctx.cfg.store_url.startswith("postgresql"):
        yield _warn("queue", "queue", f"the queue {where} is reachable, but workers on other machines need a shared "
                    "database: set [store] url to PostgreSQL")
        return
    yield _ok("queue", "queue", f"the queue {where} is reachable; {waiting} OCR batches waiting for a worker",
              waiting=waiting)

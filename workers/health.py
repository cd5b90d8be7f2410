"""The queue's health for `nasti doctor` (nasti.doctor's `queue` check): with ``[queue] backend = "celery"``, is the
broker (Redis) reachable, and are OCR batches waiting with nobody reading them?"""
from __future__ import annotations

from typing import Any

from common.config import Config
from workers.app import QUEUE_KEYS
from workers.app import safe_broker_url as _safe


def queue_status(cfg: Config) -> tuple[str, str, dict[str, Any]]:
    """(ok | warn | fail, what an operator reads, data)."""
    q = cfg.queue
    if q.backend != "celery":
        return "ok", "local OCR pool on this machine ([queue] backend = \"local\"): no broker needed", {}
    import redis

    where = _safe(q.url)
    try:
        client = redis.Redis.from_url(q.url, socket_timeout=3, socket_connect_timeout=3)
        client.ping()
        waiting = sum(int(client.llen(k)) for k in QUEUE_KEYS)
    except redis.AuthenticationError:
        return "fail", (f"the queue {where} refused nasti's password: check the password in [queue] url against "
                        "Redis's requirepass"), {}
    except redis.RedisError as e:
        return "fail", (f"the queue {where} is not reachable ({type(e).__name__}): is redis-server running and bound "
                        "to this network, and the firewall open on its port?"), {}
    if not cfg.store_url.startswith("postgresql"):
        return "warn", (f"the queue {where} is reachable, but workers on other machines need a shared database: "
                        "set [store] url to PostgreSQL"), {}
    return "ok", f"the queue {where} is reachable; {waiting} OCR batches waiting for a worker", {"waiting": waiting}

"""The installation's surroundings: values in the config that load but hurt, the share, the queue's broker."""
from __future__ import annotations

import os
from collections.abc import Iterator

from nasti.checks.registry import Context, Finding, check, fail, ok, warn


@check("config")
def check_config(ctx: Context) -> Iterator[Finding]:
    """Types and ranges are checked at load (a config that loads has them right); here: values that load but hurt."""
    cfg = ctx.cfg
    yield ok("config", "config", f"{cfg.path}: every key has the right type and range", path=str(cfg.path))
    cores = os.cpu_count() or 1
    if cfg.ocr.workers > cores:
        yield warn("config", "config", f"[ocr] workers = {cfg.ocr.workers} but this machine has {cores} cores: "
                    "tesseract runs slower, not faster (0 = one per core)")
    if cfg.tags.review_match_below < cfg.tags.fuzzy_threshold:
        yield warn("config", "config", f"[tags] review_match_below ({cfg.tags.review_match_below:g}) is below "
                    f"fuzzy_threshold ({cfg.tags.fuzzy_threshold:g}): weak register matches never go to review")
    if cfg.ocr.page_timeout < 30:
        yield warn("config", "config", f"[ocr] page_timeout = {cfg.ocr.page_timeout:g} s: a dense 300-dpi page "
                    "can take longer on a busy machine")
    if cfg.office.cutover is None:
        yield warn("config", "config", "[office] cutover is not set: readiness cannot project against a date")


# -- share ----------------------------------------------------------------------------------------------------------
@check("share")
def check_share(ctx: Context) -> Iterator[Finding]:
    from nasti.sharecheck import share_problem
    from watch_folder.mounts import fs_type, is_network

    cfg = ctx.cfg
    problem = share_problem(cfg, create=False)   # the doctor never creates anything
    if problem:
        yield fail("share", "share", problem, path=str(cfg.share))
        return
    kind = fs_type(cfg.share) or "?"
    mount = "a mount point" if os.path.ismount(cfg.share) else "not a mount point"
    yield ok("share", "share", f"{cfg.share} exists, readable and writable ({kind}, {mount})", path=str(cfg.share),
              fs_type=kind, mount=os.path.ismount(cfg.share))
    if is_network(cfg.share) and not cfg.share_require_mount:
        yield warn("share", "share", "the share is a network mount but [share] require_mount is not set: if it "
                    "is ever unmounted nasti would not notice at start-up")


@check("queue")
def check_queue(ctx: Context) -> Iterator[Finding]:
    """[queue] backend = "celery" (scale-out): the broker and the batches waiting (workers.health)."""
    from workers.health import queue_status

    level, message, data = queue_status(ctx.cfg)
    yield {"ok": ok, "warn": warn, "fail": fail}[level]("queue", "queue", message, **data)

"""The OCR workers page (``[queue] backend = "celery"``): per worker machine and process the batches it reads now,
what it finished in the last hour and its pages per minute; the batches waiting; rejected and failed batches with
their reason. For the deployment's own collector, who administers it (as /admin and /audit)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from report.i18n import local_time
from report.web.auth import OWN_OFFICE, require
from report.web.render import render
from store.workerstatus import worker_status

CODES = ("page_timeout", "batch_failed", "corrupt_pdf")   # reasons with a message of their own (w_code_*)


async def workers_page(request: Request) -> Response:
    require(request, roles=("collector",), office=OWN_OFFICE)
    state = request.app.state
    zone = state.cfg.office.zone
    with state.store.session() as s:
        st = worker_status(s)
    workers = [{"machine": w.machine, "process": w.process, "batches_hour": w.batches_hour,
                "pages_hour": w.pages_hour, "ppm": f"{w.pages_per_minute:.1f}",
                "running": [{"document": r.document, "source": r.source, "first": r.first_page, "last": r.last_page,
                             "read": r.pages_read, "total": r.last_page - r.first_page + 1,
                             "since": local_time(r.since, zone) if r.since else "—",
                             "lease": "—" if r.lease_left is None else f"{max(0.0, r.lease_left):.0f}"}
                            for r in w.running]}
               for w in st.workers]
    failed = [{"document": f.document, "source": f.source, "first": f.first_page, "last": f.last_page,
               "state": f.state, "code": f.code if f.code in CODES else "other", "machine": f.machine,
               "process": f.process, "at": local_time(f.at, zone)} for f in st.failed]
    return render(request, "workers.html", workers=workers, failed=failed, queued=st.queued_batches,
                  queued_pages=st.queued_pages, as_of=local_time(st.as_of, zone))

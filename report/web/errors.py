"""A use case's refusal (``store.cases.CaseError``) as an HTTP error: 404 when something is not there, 403 when it
is not the viewer's, else ``invalid`` (400, or 404 where a page treats an unknown branch as a missing page)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.exceptions import HTTPException

from store import cases


@contextmanager
def case_errors(invalid: int = 400) -> Iterator[None]:
    try:
        yield
    except cases.NotFound as e:
        raise HTTPException(404, str(e)) from e
    except cases.Forbidden as e:
        raise HTTPException(403, "branch") from e
    except cases.CaseError as e:
        raise HTTPException(invalid, str(e)) from e

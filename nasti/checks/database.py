"""The database: reachable, its schema current (or new: `nasti migrate` creates it)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nasti.checks.registry import Context, Finding, check, fail, ok, warn
from nasti.checks.storage import writable_dir


@check("database")
def check_database(ctx: Context) -> Iterator[Finding]:
    from sqlalchemy.engine import make_url

    from nasti.schema import explain, safe_url, schema_state
    from store.db import make_engine

    url = ctx.cfg.store_url
    shown = safe_url(url)
    if url.startswith("sqlite"):
        db = make_url(url).database or ""
        if db and db != ":memory:" and not Path(db).exists():
            parent = Path(db).parent
            usable = writable_dir(parent)
            ctx.facts["schema"] = "new"
            yield (warn if usable else fail)("database", "database",
                                               f"no database yet at {db}: `nasti migrate` (or the first `nasti watch`"
                                               f") creates it" + ("" if usable else f"; but {parent} is not writable"))
            return
    engine = make_engine(url)
    try:
        st = schema_state(engine)
    except Exception as e:
        yield fail("database", "database", f"cannot reach {shown}: {str(e).splitlines()[0]}")
        return
    finally:
        engine.dispose()
    ctx.facts["schema"] = st.state
    data = {"current": st.current, "head": st.head}
    if st.state == "current":
        yield ok("database", "database", f"{shown} reachable, schema {st.current} (current)", **data)
    elif st.state == "new":
        yield warn("database", "database", f"{shown} is empty: `nasti migrate` creates the schema", **data)
    else:
        yield fail("database", "database", explain(st, url), **data)


"""What clerks really do, at controlled moments of the state machine (hooks of ingest/steps.py, not sleeps):
overwrite, rename or delete a file while it is processed. Real files, real tesseract, real SQLite."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from ingest.steps import HOOKS
from tests.ingest_rig import check_invariants, png, rig


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def overwrite(path: Path, data: bytes, inplace: bool) -> None:
    if inplace:   # same inode: cp over an existing file
        with open(path, "r+b") as fh:
            fh.truncate(0)
            fh.write(data)
    else:         # a new file renamed over it (Explorer, rsync)
        tmp = path.with_name(".tmp-" + path.name)
        tmp.write_bytes(data)
        os.replace(tmp, path)


def once(fn):  # type: ignore[no-untyped-def]
    done: list[bool] = []

    def run(**ctx):  # type: ignore[no-untyped-def]
        if not done:
            done.append(True)
            fn(**ctx)
    return run


# where the overwrite happens → what becomes of the first bytes (archived before it, or closed as replaced)
MOMENTS = {"after_preflight": "rejected", "after_inspect": "rejected", "after_ocr": "rejected",
           "before_copy": "rejected", "after_copy": "done", "after_record": "done", "before_settle": "done"}


@pytest.mark.parametrize("inplace", [False, True], ids=["replace", "inplace"])
@pytest.mark.parametrize("moment", sorted(MOMENTS))
def test_overwrite_mid_processing_keeps_both_versions(tmp_path: Path, moment: str, inplace: bool) -> None:
    first, second = png("नस्ती पहली 2317"), png("नस्ती दूसरी 2318")
    with rig(tmp_path) as r:
        path = r.drop("revenue/x.png", first)
        HOOKS[moment] = once(lambda **_: overwrite(path, second, inplace))
        r.handle(path)
        docs = r.docs()
        assert [d["sha256"] for d in docs] == [sha(first), sha(second)], "the new bytes are a new drop"
        old, new = docs
        assert old["status"] == MOMENTS[moment], dict(old)
        if old["status"] == "rejected":
            assert old["reason_code"] == "replaced" and old["rejected_path"] is None
            assert any("was replaced during" in (e["detail"] or "") for e in r.events(old["id"]))
            assert old["resolved_by_id"] == new["id"], "closed by the new version: not counted as rejected"
        else:
            assert (r.archive / old["archive_path"]).read_bytes() == first
        assert new["status"] == "done" and (r.archive / new["archive_path"]).read_bytes() == second
        assert not path.exists(), "the second version was archived, then removed"
        assert all(d["settled"] for d in docs)
        check_invariants(r.share, r.archive, r.root / "var" / "nasti.db")


@pytest.mark.parametrize("moment", ["after_inspect", "after_ocr", "before_copy"])
def test_rename_mid_processing_is_no_duplicate(tmp_path: Path, moment: str) -> None:
    data = png("नस्ती 4411")
    with rig(tmp_path) as r:
        path = r.drop("revenue/scan.png", data)
        renamed = path.with_name("आदेश 4411.png")
        HOOKS[moment] = once(lambda **_: os.rename(path, renamed))
        r.handle(path)
        [old] = r.docs()
        assert old["status"] == "rejected" and old["reason_code"] == "removed" and old["settled"]
        assert "damaged" not in old["reason"] and "/" not in old["reason"]
        HOOKS.clear()
        r.handle(renamed)
        old, new = r.docs()
        assert new["source"] == "revenue/आदेश 4411.png" and new["status"] == "done", dict(new)
        assert new["duplicate_of_id"] is None
        assert not (r.share / "_rejected").exists()
        check_invariants(r.share, r.archive, r.root / "var" / "nasti.db")


def test_delete_mid_ocr_closes_the_record_and_leaves_no_orphan(tmp_path: Path) -> None:
    with rig(tmp_path) as r:
        path = r.drop("revenue/gone.png", png("नस्ती 5120"))
        HOOKS["after_copy"] = once(lambda **_: path.unlink())
        r.handle(path)
        [doc] = r.docs()
        # the verified copy was made before the clerk deleted it: it is kept, nothing is lost
        assert doc["status"] == "done" and doc["settled"]
        path2 = r.drop("revenue/gone2.png", png("नस्ती 5121"))
        HOOKS["after_ocr"] = once(lambda **_: path2.unlink())
        r.handle(path2)
        doc2 = r.docs()[1]
        assert doc2["status"] == "rejected" and doc2["reason_code"] == "removed"
        assert doc2["archive_path"] is None
        check_invariants(r.share, r.archive, r.root / "var" / "nasti.db")


def test_a_copy_is_a_duplicate_only_of_archived_work(tmp_path: Path) -> None:
    data = png("नस्ती 7001")
    with rig(tmp_path) as r:
        a = r.drop("revenue/a.png", data)
        b = r.drop("legal/b.png", data)
        HOOKS["after_ocr"] = once(lambda **_: a.unlink())   # the first copy never gets archived
        r.handle(a)
        HOOKS.clear()
        r.handle(b)
        first, second = r.docs()
        assert first["status"] == "rejected" and second["status"] == "done"
        c = r.drop("revenue/c.png", data)
        r.handle(c)
        third = r.docs()[2]
        assert third["status"] == "duplicate" and third["duplicate_of_id"] == second["id"]
        check_invariants(r.share, r.archive, r.root / "var" / "nasti.db")


def test_a_folder_deleted_before_inspection_is_no_false_rejection(tmp_path: Path) -> None:
    import shutil

    from tests import hostile

    with rig(tmp_path) as r:
        path = r.drop("revenue/case 12/scan.pdf", hostile.pdf_bytes(3))
        HOOKS["after_preflight"] = once(lambda **_: shutil.rmtree(path.parent))
        r.handle(path)
        [d] = r.docs()
        assert (d["status"], d["reason_code"]) == ("rejected", "removed"), dict(d)
        assert "poppler" not in d["reason"] and str(tmp_path) not in d["reason"] + d["reason_hi"]
        assert not (r.share / "_rejected").exists()
        check_invariants(r.share, r.archive, r.root / "var" / "nasti.db")


class Crash(BaseException):
    """Stands for kill -9: nothing in nasti catches it, the record stays where the crash left it."""


@pytest.mark.parametrize("moment", ["after_ocr", "after_copy", "after_record"])
def test_overwritten_while_nasti_was_down(tmp_path: Path, moment: str) -> None:
    first, second = png("नस्ती 6601"), png("नस्ती 6602")
    with rig(tmp_path) as r:
        path = r.drop("revenue/x.png", first)

        def crash(**_: object) -> None:
            raise Crash

        HOOKS[moment] = once(crash)
        with pytest.raises(Crash):
            r.handle(path)
        overwrite(path, second, inplace=False)
        r.handle(path)
        old, new = r.docs()
        assert new["status"] == "done" and new["sha256"] == sha(second) and not path.exists()
        assert old["settled"] and old["status"] == ("done" if moment == "after_record" else "rejected"), dict(old)
        if old["status"] == "rejected":
            assert old["reason_code"] == "replaced" and old["archive_path"] is None
        check_invariants(r.share, r.archive, r.root / "var" / "nasti.db")

"""`nasti watch` (real watchdog observer) takes a file dropped while it runs, and stops cleanly."""
from __future__ import annotations

import shutil
import signal

from nasti.samples import make_letter, render_page, save_document
from tests.conftest import wait_for


def test_a_file_dropped_while_watching_is_digitised(office, tmp_path) -> None:
    proc = office.popen("watch")
    try:
        letter = make_letter(7, "hi")
        staged = tmp_path / "staged.png"
        save_document([render_page(letter.lines)], staged, "png")
        (office.share / "legal").mkdir()
        shutil.copy(staged, office.share / "legal" / "आदेश.png")

        def done():  # type: ignore[no-untyped-def]
            docs = office.documents()
            return docs and docs[0]["status"] == "done" and docs[0]

        doc = wait_for(done, timeout=120)
        assert doc["source"] == "legal/आदेश.png" and doc["branch"] == "legal"
        assert not (office.share / "legal" / "आदेश.png").exists()
        shown = office.json("show", str(doc["id"]))
        assert letter.subject and letter.subject.split()[0] in shown["pages"][0]["text"]
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err

"""A small office built directly in the store for the export attack tests (image PDFs made here; the OCR'd path is
tests/test_export.py). Its fixtures are imported by name (`empty_db`, `mini`)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import img2pdf
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

from common.config import Config, load
from export.run import export_eoffice
from nasti.schema import open_checked
from store.models import Event
from store.repo import ensure_branch, ensure_office, new_document, transition
from tests.conftest import write_config


def _page_pdf(seed: int, dpi: int = 300) -> bytes:
    w, h = round(4.13 * dpi), round(5.83 * dpi)
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    for row in range(12):
        draw.rectangle((40 + seed % 7 * 5, 60 + row * h // 14, w - 60, 60 + row * h // 14 + h // 100), fill=0)
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(dpi, dpi))
    return img2pdf.convert(buf.getvalue(), nodate=True)


@dataclass
class Mini:
    root: Path
    cfg: Config
    store: Any
    seed: int = 0

    def add(self, source: str, number: str | None = None, *, register: int | None = None, dpi: int = 300) -> int:
        """A done document of one page at ``source`` (share-relative), with file number ``number``."""
        from common.text import file_number_key

        self.seed += 1
        data = _page_pdf(self.seed, dpi)
        pdf = Path("revenue") / f"doc{self.seed}.pdf"
        (self.cfg.archive / pdf).parent.mkdir(parents=True, exist_ok=True)
        (self.cfg.archive / pdf).write_bytes(data)
        with self.store.session() as s:
            office = ensure_office(s, key="o", name_hi="o", name_en="o", cutover=None)
            branch = ensure_branch(s, office.id, key=source.split("/")[0], code="REV", name_hi="r", name_en="r",
                                   cutover=None, configured=True)
            doc = new_document(s, office_id=office.id, branch_id=branch.id, source=source, share_path=source,
                               sha256="0" * 64, size=len(data))
            doc.pdf_path, doc.archive_path, doc.pages = pdf.as_posix(), pdf.as_posix(), 1
            if number is not None:
                doc.file_number, doc.file_number_key = number, file_number_key(number)
            doc.register_file_id = register
            for to in ("processing", "done"):
                transition(s, doc, to)
            return doc.id

    def export(self, out: Path | None = None, **kw: Any) -> Any:
        return export_eoffice(self.store, self.cfg, out or self.root / "out", **kw)

    def events(self) -> list[Event]:
        with self.store.session() as s:
            rows = list(s.scalars(select(Event).where(Event.detail.like("exported: %")).order_by(Event.id)))
            s.expunge_all()
        return rows


@pytest.fixture(scope="module", name="empty_db")
def empty_db_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty database, copied by each test (migrating costs about a second each time)."""
    root = tmp_path_factory.mktemp("template")
    cfg = load(str(write_config(root)))
    open_checked(cfg.store_url)
    return root / "var" / "nasti.db"


def _mini(root: Path, empty_db: Path) -> Mini:
    import shutil

    (root / "share").mkdir()
    cfg = load(str(write_config(root, "[export]\nvolume_mb = 1\ndpi = 150\n")))
    cfg.archive.mkdir(parents=True)
    shutil.copyfile(empty_db, root / "var" / "nasti.db")
    return Mini(root, cfg, open_checked(cfg.store_url))


@pytest.fixture(name="mini")
def mini_fixture(tmp_path: Path, empty_db: Path) -> Mini:
    return _mini(tmp_path, empty_db)


def _rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((out / "metadata.csv").open(encoding="utf-8-sig", newline="")))



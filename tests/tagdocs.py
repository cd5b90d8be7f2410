"""Test helper: a store with done documents made from given page texts, recorded by the pipeline's own recording
step (``ingest.pipeline.record_done``: pages, tags, search index, `done`) — for search, review and register tests
that need no scans."""
from __future__ import annotations

import hashlib
from pathlib import Path

from common import config as configmod
from common.config import Config
from store import repo
from store.db import Store
from store.models import Document

CONFIG = """[share]\npath = "share"\n[store]\nurl = "sqlite:///var/nasti.db"\n[archive]\npath = "var/archive"\n
[branches.revenue]\ncode = "REV"\nname_hi = "राजस्व शाखा"\nname_en = "Revenue"\n
[branches.establishment]\ncode = "EST"\nname_hi = "स्थापना शाखा"\nname_en = "Establishment"\n"""


class Office:
    """A config file, a store and a way to add done documents."""

    def __init__(self, root: Path, extra: str = "", url: str | None = None) -> None:
        self.root = root
        self.config_path = root / "config.toml"
        config = CONFIG.replace('"sqlite:///var/nasti.db"', f'"{url}"') if url else CONFIG
        self.config_path.write_text(config + extra, encoding="utf-8")
        self.cfg: Config = configmod.load(str(self.config_path))
        self.store = Store(self.cfg.store_url)
        with self.store.session() as s:
            self.office_id = repo.ensure_office(s, key="default", name_hi="का", name_en="O", cutover=None).id

    def add(self, source: str, pages: list[str], *, confidence: float = 90.0) -> int:
        from ingest.pipeline import record_done
        from ocr.page import PageResult

        branch_key = source.split("/")[0]
        b = self.cfg.branch(branch_key)
        with self.store.session() as s:
            branch = repo.ensure_branch(s, self.office_id, key=branch_key, code=b.code, name_hi=b.name_hi,
                                        name_en=b.name_en, cutover=None, configured=branch_key in self.cfg.branches)
            sha = hashlib.sha256(("\f".join(pages) + source).encode()).hexdigest()
            doc = repo.new_document(s, office_id=self.office_id, branch_id=branch.id, source=source,
                                    share_path=source, sha256=sha, size=1)
            repo.transition(s, doc, "processing")
            results = [PageResult(number=i, text=text, confidence=confidence, blank=not text.strip(),
                                  language="Devanagari", rotation=0, seconds=0.0, layer=None)
                       for i, text in enumerate(pages, start=1)]
            record_done(s, doc, "pdf", results, self.cfg, f"{len(pages)} pages (test)")
            return doc.id

    def doc(self, doc_id: int) -> Document:
        with self.store.session() as s:
            return s.get_one(Document, doc_id)

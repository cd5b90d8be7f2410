"""One part of a physical file as upload volumes: its documents' pages in order (blank backs left out), re-encoded
for upload (export.reencode), cut into searchable PDFs that each stay under the size cap.

Page numbers run on across volumes (each volume's /PageLabels starts where the previous one ended) and each
document starts with a bookmark. The PDFs are deterministic: no dates, a fixed document information dictionary and an
/ID computed from the content (pikepdf ``deterministic_id``), so the same input gives the same bytes.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from export.reencode import recode_page
from export.select import DocPages

OVERHEAD = 4096             # a volume's own objects (catalogue, page tree, outline, trailer) beyond its pages


@dataclass
class Volume:
    name: str
    first: int               # continuous page numbers across the part's volumes (1-based)
    last: int
    size: int
    sha256: str
    documents: list[int] = field(default_factory=list)
    min_dpi: float = 0.0


@dataclass
class _Page:
    doc: DocPages
    number: int              # in its document (1-based)
    pdf: pikepdf.Pdf
    index: int
    size: int
    dpi: float


class Refused(ValueError):
    """A file that cannot go to eOffice as it is; the message is Hindi first, then English, with no server path."""


class TooLarge(Refused):
    """One page alone is bigger than the volume cap."""


class Unreadable(Refused):
    """A document's searchable PDF is missing from the archive or cannot be read."""


def unreadable(doc_id: int, e: Exception) -> str:
    why = "missing" if isinstance(e, FileNotFoundError) else "cannot be read"
    hi = "नहीं मिली" if isinstance(e, FileNotFoundError) else "पढ़ी नहीं जा सकी"
    return (f"दस्तावेज़ {doc_id} की खोजने योग्य PDF संग्रह में {hi}; `nasti fsck` चलाएँ / the searchable PDF of "
            f"document {doc_id} is {why} in the archive; run `nasti fsck`")


def _save(pdf: pikepdf.Pdf, title: str) -> bytes:
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        for key in list(meta.keys()):
            del meta[key]
    if "/Metadata" in pdf.Root:
        del pdf.Root.Metadata
    pdf.docinfo = pdf.make_indirect(pikepdf.Dictionary(Title=title, Producer="nasti", Creator="nasti"))
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=True, compress_streams=True, fix_metadata_version=False,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buf.getvalue()


def _alone_size(src: pikepdf.Pdf, index: int) -> int:
    one = pikepdf.new()
    one.pages.append(src.pages[index])
    buf = io.BytesIO()
    one.save(buf, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return len(buf.getvalue())


def pages_of(docs: list[DocPages], archive: Path, *, dpi: int,
             on_page: Callable[[], None] = lambda: None) -> Iterator[_Page]:
    """The part's pages in order, each re-encoded in an in-memory copy of its document's searchable PDF (the
    caller closes each copy once its pages are written)."""
    for doc in docs:
        if not doc.pdf_path:
            continue
        try:
            pdf = pikepdf.open(io.BytesIO((archive / doc.pdf_path).read_bytes()))
        except (OSError, pikepdf.PdfError) as e:
            raise Unreadable(unreadable(doc.id, e)) from e
        recoded: set[tuple[int, int]] = set()
        for index in range(len(pdf.pages)):
            number = index + 1
            if number in doc.blank:
                continue
            r = recode_page(pikepdf.Page(pdf.pages[index]), dpi=dpi, handwritten=number in doc.handwritten,
                            done=recoded)
            on_page()
            yield _Page(doc, number, pdf, index, _alone_size(pdf, index), r.dpi)


def _build(pages: list[_Page], first: int, title: str) -> bytes:
    vol = pikepdf.new()
    outline_at: list[tuple[int, str]] = []
    seen: set[int] = set()
    for i, p in enumerate(pages):
        vol.pages.append(p.pdf.pages[p.index])
        if p.doc.id not in seen:
            seen.add(p.doc.id)
            outline_at.append((i, f"#{p.doc.id} {p.doc.source.rsplit('/', 1)[-1]}"))
    vol.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.D,
                                                                                         St=first)]))
    with vol.open_outline() as outline:
        for i, label in outline_at:
            outline.root.append(pikepdf.OutlineItem(label, i))
    return _save(vol, title)


def write_part(docs: list[DocPages], archive: Path, folder: Path, *, prefix: str, title: str, cap_bytes: int,
               dpi: int, on_page: Callable[[], None] = lambda: None,
               on_volume: Callable[[Path], None] = lambda _: None) -> list[Volume]:
    """Write the part's volumes into ``folder`` (``<prefix>_v01_p1-40.pdf`` …) and describe them."""
    import hashlib

    volumes: list[Volume] = []
    opened: dict[int, pikepdf.Pdf] = {}   # the in-memory copies whose pages are not all written yet
    try:
        pending: list[_Page] = []
        budget = 0
        number = 1

        def flush(batch: list[_Page]) -> None:
            nonlocal number
            while batch:
                data = _build(batch, number, title)
                if len(data) > cap_bytes and len(batch) > 1:   # the estimate was short: one page less
                    rest = batch[-1:]
                    batch = batch[:-1]
                    flush(batch)
                    batch = rest
                    continue
                if len(data) > cap_bytes:
                    raise TooLarge(f"दस्तावेज़ {batch[0].doc.id} का पृष्ठ {batch[0].number} अकेला "
                                   f"{len(data) / 1e6:.1f} MB है, वॉल्यूम सीमा {cap_bytes / 1e6:.1f} MB से बड़ा; "
                                   f"[export] volume_mb बढ़ाएँ / page {batch[0].number} of document "
                                   f"{batch[0].doc.id} alone is {len(data) / 1e6:.1f} MB, over the "
                                   f"{cap_bytes / 1e6:.1f} MB volume cap; raise export.volume_mb in the config")
                last = number + len(batch) - 1
                name = f"{prefix}_v{len(volumes) + 1:02d}_p{number}-{last}.pdf"
                path = folder / name
                path.write_bytes(data)
                volumes.append(Volume(name=name, first=number, last=last, size=len(data),
                                      sha256=hashlib.sha256(data).hexdigest(),
                                      documents=sorted({p.doc.id for p in batch}),
                                      min_dpi=min((p.dpi for p in batch if p.dpi), default=0.0)))
                on_volume(path)
                number = last + 1
                batch = []

        for page in pages_of(docs, archive, dpi=dpi, on_page=on_page):
            opened[id(page.pdf)] = page.pdf
            if pending and budget + page.size + OVERHEAD > cap_bytes:
                flush(pending)
                pending, budget = [], 0
                for key in [k for k in opened if k != id(page.pdf)]:   # memory stays one document's worth
                    opened.pop(key).close()
            pending.append(page)
            budget += page.size
        flush(pending)
    finally:
        for pdf in opened.values():
            pdf.close()
    return volumes

"""The searchable PDF describes its own document, so the archive alone can rebuild the database.

Two parts, both written by :func:`write_description` in one atomic rewrite of the PDF:

- **XMP** (namespace ``nasti``, :data:`NS`): the document's id, branch, file number, subject, letter date,
  received/done times, the original's sha256 and archive path, plus ``dc:title``/``dc:description`` so an ordinary
  PDF reader or ``exiftool`` shows what the file is. Small, readable, one flat text value per field.
- **An attached file** ``nasti.json`` (a PDF embedded-file stream, Flate-compressed): the same record with every
  page's text and OCR fields. Page text is kept here rather than recovered with ``pdftotext`` because the database
  text is the exact NFC string that was tagged and indexed (file numbers joined, tidied), while the text layer is
  tesseract's own rendering of it — and pages that already carried text have no layer at all. Rebuilding from the
  attachment gives back byte-identical page text, hence identical search results.

This module takes and returns plain dicts; it knows nothing of the database.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf.models.metadata import PdfMetadata

NS = "https://nasti.example/ns/1.0/"
PREFIX = "nasti"
ATTACHMENT = "nasti.json"
FORMAT = 1
# the record's fields mirrored as XMP properties (the attachment holds everything, these are for people and tools)
XMP_FIELDS = ("id", "branch", "branch_code", "file_number", "subject", "letter_date", "received_at", "done_at",
              "sha256", "archive_path", "pdf_path", "source", "pages")

PdfMetadata.register_xml_namespace(NS, PREFIX)


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def write_description(pdf_path: Path, record: dict[str, Any]) -> None:
    """Write ``record`` (with ``record["pages"]`` a list of page dicts) into ``pdf_path`` as XMP + attachment.

    The PDF is rewritten through ``<name>.part`` and renamed over the original, so a crash leaves either the old or
    the new file, never half of one."""
    data = {**record, "format": FORMAT}
    tmp = pdf_path.with_name(pdf_path.name + ".part")
    with pikepdf.open(pdf_path) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            for key in XMP_FIELDS:
                value = data.get(key)
                if key == "pages" and isinstance(value, list):
                    value = len(value)
                if value is not None and value != "":
                    meta[_q(key)] = str(value)
            meta["dc:title"] = " — ".join(str(x) for x in (data.get("file_number"), data.get("subject")) if x) \
                or str(data.get("source") or "")
            meta["dc:description"] = f"nasti document {data.get('id')} ({data.get('branch') or '-'})"
        body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        spec = pikepdf.AttachedFileSpec(pdf, body, description="nasti document record (pages and text)",
                                        filename=ATTACHMENT, mime_type="application/json")
        pdf.attachments[ATTACHMENT] = spec
        pdf.save(tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    tmp.replace(pdf_path)


def read_description(pdf_path: Path) -> dict[str, Any] | None:
    """The record written by :func:`write_description`, or None when the PDF carries none (or is unreadable)."""
    try:
        with pikepdf.open(pdf_path) as pdf:
            if ATTACHMENT in pdf.attachments:
                raw = pdf.attachments[ATTACHMENT].get_file().read_bytes()
                data = json.loads(raw.decode("utf-8"))
                return data if isinstance(data, dict) else None
            meta = pdf.open_metadata()
            found = {key: meta.get(_q(key)) for key in XMP_FIELDS}
    except (pikepdf.PdfError, OSError, ValueError):
        return None
    if found.get("id") is None:
        return None
    return {k: v for k, v in found.items() if v is not None}


def read_xmp(pdf_path: Path) -> dict[str, str]:
    """Only the XMP properties in the ``nasti`` namespace (what a reader of the metadata sees)."""
    with pikepdf.open(pdf_path) as pdf:
        meta = pdf.open_metadata()
        return {key: str(meta[_q(key)]) for key in XMP_FIELDS if _q(key) in meta}

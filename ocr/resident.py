"""Tesseract kept loaded in each pool worker: one engine per (model, layout mode), through libtesseract's C API.

Starting the `tesseract` program for every page loads its model every time (about 0.13 s for `Devanagari`, 10-30 %
of a page). Here each worker process loads a model the first time a page needs it and keeps it for the pages that
follow (at most `MAX_LOADED` at once, least recently used dropped first).

A page gives exactly what the command line gives: tesseract's TSV (words with their confidences) and its text-only
PDF, from one recognition. That is why this goes through tesseract's own C API (ctypes) rather than the tesserocr
binding's classes: tesserocr's `ProcessPage` never begins or ends the PDF document (the file it writes has no
catalogue, font or trailer; sirfz/tesserocr#271) and holds the GIL for the whole page, so no time-out could be kept
around it. The C API drives the same PDF renderer the program uses, and ctypes releases the GIL during each call.

Which libtesseract (`NASTI_OCR_ENGINE` in the environment):
- `wheel`: the one bundled in tesserocr's manylinux wheel (tesseract 5.5, built without OpenMP), when installed;
- `system`: the distribution's (`libtesseract.so.5`, the library the `tesseract` program itself runs on);
- `cli`: none — every page starts the `tesseract` program (pytesseract), as before;
- unset: `DEFAULT` below; whatever is asked for falls back along wheel → system → cli to what loads.
Either library reads the system's models (Debian's tessdata: `Devanagari`, `hin`, `eng`, `osd`).

The page time-out holds twice over: tesseract's own deadline stops recognition at `timeout`, and the call runs in a
thread the caller waits for at most `timeout` + `GRACE` seconds (layout analysis is outside tesseract's deadline); an
engine that overran is abandoned to its thread, never used again.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import os
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image

from ocr.errors import EngineMissing, OcrError, PageTimeout

# before any libtesseract is loaded: one thread per worker, parallelism comes from the pool (Debian's libtesseract
# is built with OpenMP and reads this when it loads)
os.environ["OMP_THREAD_LIMIT"] = "1"

ENGINE_ENV = "NASTI_OCR_ENGINE"
CHOICES = ("wheel", "system", "cli")
DEFAULT = "system"
# engines kept per worker: a page can use six (Devanagari and Devanagari+hin pages, verification bands at psm 6,
# digit words at psm 8, eng and its bands); each costs 11-18 MB resident (measured), a reload 0.1-0.3 s
MAX_LOADED = 6
GRACE = 10.0            # seconds past the page time-out before the waiting caller gives up on a call
LEPTONICA_QUIET = 6     # L_SEVERITY_NONE
TSV_HEAD = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
# the command line's `-c` options (ocr.tesseract._program explains each); the renderers are set up explicitly
VARIABLES = {"tessedit_create_tsv": "1", "textonly_pdf": "1", "tessedit_do_invert": "0"}

_P, _S, _I = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
_SIGNATURES = {   # C API name: (result, arguments)
    "TessVersion": (_S, ()),
    "TessBaseAPICreate": (_P, ()),
    "TessBaseAPIDelete": (None, (_P,)),
    "TessBaseAPIInit3": (_I, (_P, _S, _S)),
    "TessBaseAPIEnd": (None, (_P,)),
    "TessBaseAPISetVariable": (_I, (_P, _S, _S)),
    "TessBaseAPISetPageSegMode": (None, (_P, _I)),
    "TessBaseAPISetImage": (None, (_P, _S, _I, _I, _I, _I)),
    "TessBaseAPISetSourceResolution": (None, (_P, _I)),
    "TessBaseAPIRecognize": (_I, (_P, _P)),
    "TessBaseAPIGetTsvText": (_P, (_P, _I)),
    "TessBaseAPIGetHOCRText": (_P, (_P, _I)),
    "TessBaseAPIClear": (None, (_P,)),
    "TessDeleteText": (None, (_P,)),
    "TessMonitorCreate": (_P, ()),
    "TessMonitorDelete": (None, (_P,)),
    "TessMonitorSetDeadlineMSecs": (None, (_P, _I)),
    "TessPDFRendererCreate": (_P, (_S, _S, _I)),
    "TessResultRendererBeginDocument": (_I, (_P, _S)),
    "TessResultRendererAddImage": (_I, (_P, _P)),
    "TessResultRendererEndDocument": (_I, (_P,)),
    "TessDeleteResultRenderer": (None, (_P,)),
}


@dataclass(frozen=True)
class Raw:
    tsv: str        # tesseract's TSV, header included (as the command line writes it); "" for an hOCR read
    pdf: bytes      # its text-only PDF
    hocr: str = ""  # an hOCR read's page, with a box and confidence per symbol


def _wheel_path() -> Path | None:
    """libtesseract inside tesserocr's manylinux wheel (auditwheel puts it in `tesserocr.libs/`), if installed;
    found without importing tesserocr."""
    spec = importlib.util.find_spec("tesserocr")
    if spec is None or not spec.origin:
        return None
    found = sorted(Path(spec.origin).parent.parent.glob("tesserocr.libs/libtesseract-*.so*"))
    return found[0] if found else None


def _system_path() -> str | None:
    return ctypes.util.find_library("tesseract")


class Library:
    """One loaded libtesseract with the C API functions used here."""

    def __init__(self, kind: str, path: str) -> None:
        self.kind, self.path = kind, path
        lib = ctypes.CDLL(path)
        for name, (result, args) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = result, list(args)
            setattr(self, name.removeprefix("Tess"), fn)
        self.version = (self.Version() or b"?").decode()
        _quiet_leptonica(kind, Path(path))


def _quiet_leptonica(kind: str, tesseract_path: Path) -> None:
    """Leptonica's messages ("Error in pixScanForForeground: invalid box") are tesseract's business, not the
    service log's: the program's stderr went nowhere too."""
    if kind == "wheel":
        found = sorted(tesseract_path.parent.glob("libleptonica-*.so*"))
        path = str(found[0]) if found else None
    else:
        path = ctypes.util.find_library("leptonica") or ctypes.util.find_library("lept")
    if path is None:
        return
    try:
        ctypes.CDLL(path).setMsgSeverity(LEPTONICA_QUIET)
    except (OSError, AttributeError):
        pass


@cache
def _load(kind: str) -> Library | None:
    path = {"wheel": _wheel_path, "system": _system_path}[kind]()
    if path is None:
        return None
    try:
        return Library(kind, str(path))
    except (OSError, AttributeError):   # not loadable, or too old to have this C API
        return None


def choice() -> str:
    """The engine asked for: NASTI_OCR_ENGINE when it names one of CHOICES, else DEFAULT."""
    asked = os.environ.get(ENGINE_ENV, "").strip().lower()
    return asked if asked in CHOICES else DEFAULT


def library() -> Library | None:
    """The libtesseract this process reads pages with, or None for the command line."""
    order = CHOICES[CHOICES.index(choice()):]
    for kind in order:
        if kind == "cli":
            return None
        lib = _load(kind)
        if lib is not None:
            return lib
    return None


def describe() -> str | None:
    lib = library()
    return None if lib is None else f"libtesseract {lib.version} ({lib.kind}: {lib.path})"


class _Engines:
    """This process's loaded engines, by (library, tessdata, model, psm). A pool worker runs one page at a time;
    an engine is out of the cache while a page uses it, so threads reading at once (tests, benchmarks) each get
    their own."""

    def __init__(self) -> None:
        self.loaded: OrderedDict[tuple[str, str, str, int], int] = OrderedDict()
        self.lock = threading.Lock()

    def take(self, lib: Library, datapath: str, lang: str, psm: int) -> int:
        with self.lock:
            handle = self.loaded.pop((lib.path, datapath, lang, psm), None)
        if handle is not None:
            return handle
        handle = lib.BaseAPICreate()
        lib.BaseAPISetVariable(handle, b"debug_file", b"/dev/null")   # "Detected N diacritics" and the like
        if lib.BaseAPIInit3(handle, datapath.encode(), lang.encode()) != 0:
            lib.BaseAPIDelete(handle)
            raise EngineMissing(f"tesseract model(s) {lang} cannot be loaded from {datapath}")
        for name, value in VARIABLES.items():
            lib.BaseAPISetVariable(handle, name.encode(), value.encode())
        lib.BaseAPISetPageSegMode(handle, psm)
        return handle

    def give_back(self, lib: Library, datapath: str, lang: str, psm: int, handle: int) -> None:
        key = (lib.path, datapath, lang, psm)
        with self.lock:
            if key in self.loaded:   # two threads of one process read with the same model at once: keep one
                _drop(lib.path, handle)
                return
            self.loaded[key] = handle
            while len(self.loaded) > MAX_LOADED:
                (path, *_), old = self.loaded.popitem(last=False)
                _drop(path, old)

    def clear(self) -> None:
        with self.lock:
            for (path, *_), handle in self.loaded.items():
                _drop(path, handle)
            self.loaded.clear()


def _drop(path: str, handle: int) -> None:
    lib = next((x for x in (_load("wheel"), _load("system")) if x is not None and x.path == path), None)
    if lib is not None:
        lib.BaseAPIEnd(handle)
        lib.BaseAPIDelete(handle)


_ENGINES = _Engines()


def loaded() -> list[tuple[str, int]]:
    """(model, psm) of the engines this process holds, least recently used first."""
    return [(lang, psm) for _, _, lang, psm in _ENGINES.loaded]


def unload() -> None:
    """End every engine this process holds (tests; a worker that wants its memory back)."""
    _ENGINES.clear()


def _pdf(lib: Library, handle: int, datapath: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="nasti-tess-") as tmp:
        base = Path(tmp) / "out"
        renderer = lib.PDFRendererCreate(str(base).encode(), datapath.encode(), 1)   # text only
        if not renderer:
            raise OcrError("tesseract could not start its PDF renderer")
        try:
            ok = lib.ResultRendererBeginDocument(renderer, b"") and lib.ResultRendererAddImage(renderer, handle)
            ok = lib.ResultRendererEndDocument(renderer) and ok
        finally:
            lib.DeleteResultRenderer(renderer)
        if not ok:
            raise OcrError("tesseract could not write the page's text layer")
        return base.with_suffix(".pdf").read_bytes()


def _text(lib: Library, text: int) -> str:
    try:
        return ctypes.string_at(text).decode("utf-8", "replace") if text else ""
    finally:
        if text:
            lib.DeleteText(text)


def _read(lib: Library, handle: int, image: Image.Image, dpi: int, timeout: float, datapath: str, layer: bool,
          out: dict[str, object], hocr: bool = False) -> None:
    """Runs in its own thread: recognise, then TSV and (when `layer`) text-only PDF from the same recognition, or
    (`hocr`) hOCR with a box and confidence per symbol, as `tesseract … hocr -c hocr_char_boxes=1` writes it."""
    try:
        lib.BaseAPISetVariable(handle, b"user_defined_dpi", str(dpi).encode())
        if hocr:    # as the program reads: its default inverted retry, symbol boxes
            lib.BaseAPISetVariable(handle, b"hocr_char_boxes", b"1")
            lib.BaseAPISetVariable(handle, b"tessedit_do_invert", b"1")
        lib.BaseAPISetImage(handle, image.tobytes(), image.width, image.height, 1, image.width)
        lib.BaseAPISetSourceResolution(handle, dpi)
        monitor = lib.MonitorCreate()
        lib.MonitorSetDeadlineMSecs(monitor, max(1, round(timeout * 1000)))
        try:
            status = lib.BaseAPIRecognize(handle, monitor)
        finally:
            lib.MonitorDelete(monitor)
        if status != 0:
            out["failed"] = True
            return
        if hocr:
            out["raw"] = Raw(tsv="", pdf=b"", hocr=_text(lib, lib.BaseAPIGetHOCRText(handle, 0)))
            return
        tsv = _text(lib, lib.BaseAPIGetTsvText(handle, 0))
        out["raw"] = Raw(tsv=TSV_HEAD + tsv, pdf=_pdf(lib, handle, datapath) if layer else b"")
    except BaseException as e:  # handed to the waiting caller
        out["error"] = e
    finally:
        if hocr:
            lib.BaseAPISetVariable(handle, b"hocr_char_boxes", b"0")
            lib.BaseAPISetVariable(handle, b"tessedit_do_invert", VARIABLES["tessedit_do_invert"].encode())
        lib.BaseAPIClear(handle)


def recognise(lib: Library, image: Image.Image, lang: str, *, datapath: str, dpi: int, timeout: float,
              psm: int = 3, layer: bool = True, hocr: bool = False) -> Raw:
    """One recognition of `image` by this process's engine for (lang, psm): its TSV and (unless `layer` is False)
    its text-only PDF; or (`hocr`) its hOCR with symbol boxes and confidences."""
    page = image if image.mode == "L" else image.convert("L")
    handle = _ENGINES.take(lib, datapath, lang, psm)
    out: dict[str, object] = {}
    started = time.monotonic()
    worker = threading.Thread(target=_read, args=(lib, handle, page, dpi, timeout, datapath, layer, out, hocr),
                              name="nasti-tesseract", daemon=True)
    worker.start()
    worker.join(timeout + GRACE)
    if worker.is_alive():   # stuck outside tesseract's deadline: leave the engine to its thread, never reuse it
        raise PageTimeout(f"tesseract took longer than {timeout:.0f} s on this page")
    _ENGINES.give_back(lib, datapath, lang, psm, handle)
    error = out.get("error")
    if isinstance(error, BaseException):
        raise OcrError(f"tesseract failed: {error}") from error
    raw = out.get("raw")
    if not isinstance(raw, Raw):
        if time.monotonic() - started >= timeout * 0.95:
            raise PageTimeout(f"tesseract took longer than {timeout:.0f} s on this page")
        raise OcrError("tesseract failed on this page")
    return raw

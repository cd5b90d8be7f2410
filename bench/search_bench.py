"""Search benchmark, run by hand (not a test): SQLite FTS5 query timings at 100,000 pages.

    .venv/bin/python bench/search_bench.py [--pages 100000]   # writes bench/results/search.md and prints it (~3 min)

Pages are synthetic: 20-30 lines drawn at random from the body lines of 300 generated Hindi, English and mixed
letters, 50 pages a document, one file number per document in its first page (a third in Devanagari digits).
Documents are written and indexed through ``store.search.index.index_document`` (what the pipeline calls); each
query runs through ``store.search.query.search`` (FTS5 + bm25, best page per document, snippets), 10 times.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nasti.samples import make_letter, to_devanagari_digits
from store import repo
from store.db import Store
from store.models import Document, Page
from store.search.index import index_document
from store.search.query import search
from store.search.tokenize import word_tokens

HERE = Path(__file__).resolve().parent
WORK = HERE / "out" / "search"
RESULTS = HERE / "results" / "search.md"
PAGES_PER_DOC = 50
RUNS = 10


def line_pool() -> list[str]:
    """Body lines of generated Hindi, English and mixed letters (their number and date lines left out)."""
    lines: list[str] = []
    for i in range(300):
        letter = make_letter(5000 + i, ("hi", "en", "mixed")[i % 3])
        lines += [x for x in letter.lines[3:] if len(x.split()) >= 4]
    return lines


def page_text(rng: random.Random, pool: list[str]) -> str:
    return "\n".join(rng.choice(pool) for _ in range(rng.randint(20, 30)))


def build(store: Store, pages: int, rng: random.Random) -> tuple[float, list[str]]:
    pool = line_pool()
    with store.session() as s:
        office = repo.ensure_office(s, key="default", name_hi="कार्यालय", name_en="Office", cutover=None)
        branches = [repo.ensure_branch(s, office.id, key=k, code=k[:3].upper(), name_hi=k, name_en=k, cutover=None,
                                       configured=True).id for k in ("revenue", "establishment", "food", "legal")]
    numbers: list[str] = []
    start = time.perf_counter()
    docs = pages // PAGES_PER_DOC
    for start_doc in range(0, docs, 50):
        with store.session() as s:
            for d in range(start_doc, min(docs, start_doc + 50)):
                number = f"{1000 + d}/राज./{2000 + d % 25}"
                numbers.append(number)
                printed = to_devanagari_digits(number) if d % 3 == 0 else number
                texts = [page_text(rng, pool) for _ in range(PAGES_PER_DOC)]
                texts[0] = f"कार्यालय कलेक्टर\nक्रमांक/{printed} दिनांक 01.02.2019\n{texts[0]}"
                doc = Document(office_id=office.id, branch_id=branches[d % 4], source=f"b/{d}.pdf",
                               share_path=f"b/{d}.pdf", sha256=f"{d:064d}", size=1, status="done",
                               needs_review=False, settled=True, pages=PAGES_PER_DOC, blank_pages=0,
                               file_number=number, file_number_key="".join(word_tokens(number)))
                s.add(doc)
                s.flush()
                s.add_all(Page(document_id=doc.id, number=i + 1, text=t, blank=False, rotation=0)
                          for i, t in enumerate(texts))
                index_document(s, doc, list(enumerate(texts, start=1)))
    return time.perf_counter() - start, numbers


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=100_000)
    args = ap.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    db = WORK / "nasti.db"
    store = Store(f"sqlite:///{db}")
    rng = random.Random(7)
    seconds, numbers = build(store, args.pages, rng)
    queries = [
        ("common Hindi word", "कार्यालय"), ("Hindi word", "प्रकरण"), ("not a word of the corpus", "कार"),
        ("prefix", "कार्या*"), ("prefix, short", "नाम*"), ("phrase", '"अनुविभागीय अधिकारी"'),
        ("two words (AND)", "तहसीलदार प्रतिवेदन"), ("English word", "collector"), ("English phrase", '"old records"'),
        ("rare word", "खसरा"),
        ("file number, ASCII digits", numbers[len(numbers) // 2]),
        ("file number, Devanagari digits", to_devanagari_digits(numbers[len(numbers) // 3])),
        ("word + branch filter", "प्रकरण --branch food"),
    ]
    rows, all_ms = [], []
    with store.session() as s:
        for label, q in queries:
            branch = None
            if " --branch " in q:
                q, branch = q.split(" --branch ")
            times, hits = [], []
            for _ in range(RUNS):
                t0 = time.perf_counter()
                hits = search(s, q, branch=branch, limit=20)
                times.append(1000 * (time.perf_counter() - t0))
            all_ms += times
            rows.append((label, q + (f" (branch {branch})" if branch else ""), len(hits),
                         statistics.median(times), max(times)))
    p95 = statistics.quantiles(all_ms, n=20)[-1]
    size_mb = sum(p.stat().st_size for p in WORK.glob("nasti.db*")) / 2**20
    lines = [
        "# Search benchmark (SQLite FTS5)", "",
        f"`.venv/bin/python bench/search_bench.py --pages {args.pages}` — {os.cpu_count()} cores, "
        f"{args.pages:,} pages in {args.pages // PAGES_PER_DOC:,} documents, 4 branches.", "",
        f"- indexing (documents + pages + FTS rows, through `index_document`): {seconds:.0f} s "
        f"({args.pages / seconds:,.0f} pages/s)",
        f"- database size (pages' text + index): {size_mb:,.0f} MB",
        f"- all queries, {RUNS} runs each: p50 {statistics.median(all_ms):.1f} ms, p95 {p95:.1f} ms", "",
        "| query | text | hits (limit 20) | p50 ms | max ms |", "|---|---|---|---|---|",
    ]
    lines += [f"| {a} | `{b}` | {n} | {p50:.1f} | {mx:.1f} |" for a, b, n, p50, mx in rows]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(RESULTS.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()

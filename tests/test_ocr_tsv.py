"""The page text rebuilt from tesseract's TSV: lines and paragraphs in order, stamp and signature junk left out,
doubtful lines that carry a file number or Hindi words kept."""
from __future__ import annotations

from ocr.tsv import read

HEAD = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def _tsv(rows: list[tuple[int, int, int, str, float]]) -> str:
    """(block, par, line, word, conf) rows as tesseract writes them, with the page/block/line rows it adds."""
    out = [HEAD, "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t"]
    for n, (block, par, line, word, conf) in enumerate(rows, 1):
        out.append(f"4\t1\t{block}\t{par}\t{line}\t0\t10\t10\t100\t30\t-1\t")
        out.append(f"5\t1\t{block}\t{par}\t{line}\t{n}\t10\t10\t100\t30\t{conf}\t{word}")
    return "\n".join(out) + "\n"


def test_lines_and_paragraphs_in_reading_order() -> None:
    got = read(_tsv([(1, 1, 1, "कार्यालय", 96.0), (1, 1, 1, "कलेक्टर,", 91.0), (1, 1, 2, "जिला", 95.0),
                     (1, 1, 2, "राजगढ़", 93.0), (2, 1, 1, "विषय:", 90.0), (2, 1, 1, "नामांतरण", 88.0)]))
    assert got.text == "कार्यालय कलेक्टर,\nजिला राजगढ़\n\nविषय: नामांतरण"
    assert got.words == 6
    assert got.confidence == round((96 + 91 + 95 + 93 + 90 + 88) / 6, 2)


def test_stamp_and_signature_junk_is_left_out() -> None:
    got = read(_tsv([(1, 1, 1, "आवेदन", 92.0), (1, 1, 1, "स्वीकृत", 90.0),
                     (2, 1, 1, "nnvnmnonssam", 21.0), (2, 1, 1, "orn", 12.0),      # a signature
                     (3, 1, 1, ">", 30.0), (3, 1, 1, "—", 25.0), (3, 1, 1, "TI", 18.0),   # a round stamp
                     (4, 1, 1, "नक", 14.0), (4, 1, 1, "|", 9.0)]))
    assert got.text == "आवेदन स्वीकृत"
    assert got.words == 2


def test_doubtful_lines_with_a_file_number_or_hindi_words_are_kept() -> None:
    got = read(_tsv([(1, 1, 1, ",क्रमांक/1112/अभि./2012", 31.0), (2, 1, 1, "प्रति,", 12.0),
                     (3, 1, 1, "File", 40.0), (3, 1, 1, "No.", 35.0), (3, 1, 1, "REV-03/2027/2019-COLL", 44.0)]))
    assert "क्रमांक/1112/अभि./2012" in got.text
    assert "प्रति," in got.text
    assert "REV-03/2027/2019-COLL" in got.text


def test_no_words_no_text() -> None:
    got = read(HEAD + "\n")
    assert (got.text, got.confidence, got.words) == ("", None, 0)

"""A file number that tesseract split at a slash is joined again; ordinary Hindi text is left alone."""
from __future__ import annotations

import pytest

from ocr.tidy import join_split_numbers


@pytest.mark.parametrize(("read", "fixed"), [
    ("क्र./नजूल/ 2016/1111", "क्र./नजूल/2016/1111"),
    ("क्रमांक/2317 /आर.एम./2016", "क्रमांक/2317/आर.एम./2016"),
    ("फा.क्र. १२/ २०२१", "फा.क्र. १२/२०२१"),
    ("F.No. 12/ 3/2021-Rev", "F.No. 12/3/2021-Rev"),
])
def test_split_file_numbers_are_joined(read: str, fixed: str) -> None:
    assert join_split_numbers(read) == fixed


@pytest.mark.parametrize("text", [
    "राजगढ़, दिनांक 08.02.2016",
    "आवेदक और / या उसके वारिस",
    "सर्वे क्रमांक 11/1 रकबा 3.275 हेक्टेयर",
    "पृष्ठ 3 / 7",
])
def test_other_text_is_untouched(text: str) -> None:
    assert join_split_numbers(text) == text

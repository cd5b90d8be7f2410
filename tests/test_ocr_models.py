"""Which model(s) read a page meant for `Devanagari`: hin's word reads join it when hin is installed."""
from __future__ import annotations

from ocr import tesseract
from ocr.models import ENGLISH, HINDI, MIXED, WITH_HINDI, reading


def test_devanagari_is_read_again_with_hin_only_when_hin_is_installed() -> None:
    assert reading(HINDI, frozenset({"Devanagari", "hin", "eng"})) == WITH_HINDI
    assert reading(HINDI, frozenset({"Devanagari", "eng"})) == HINDI
    assert reading(ENGLISH, frozenset({"Devanagari", "hin", "eng"})) == ENGLISH
    assert reading(MIXED, frozenset({"Devanagari", "hin", "eng"})) == MIXED


def test_this_machine_has_both_models_the_default_reads_with() -> None:
    assert set(WITH_HINDI.split("+")) <= tesseract.languages()

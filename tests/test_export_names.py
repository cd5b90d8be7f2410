"""eOffice folder names and parts: the documented rule, collisions (also by case), Hindi part folders."""
from __future__ import annotations

import pytest

from export.names import PATTERN, assign, base_name, transliterate
from store.parts import PartError, check_part, part_of_source, sequence_of_source


@pytest.mark.parametrize(("number", "name"), [
    ("क्रमांक/378/राज./2017", "fl-378_raja_2017"),
    ("क्र. ३७८/राज./२०१७", "fl-378_raja_2017"),           # Devanagari digits and another label: the same file
    ("A-21001(3)/5/2008-DFG", "fl-A-21001(3)_5_2008-DFG"),   # NIC's own example keeps ( ) and -
    ("F.No. 45/2019/भू-अभि.", "fl-45_2019_bhu-abhi"),
    ("फा.क्र. 12/स्था./2020", "fl-12_stha_2020"),
    ("REV-03/2027/2019-COLL", "fl-REV-03_2027_2019-COLL"),
    ("ज़मीन: गंगा, चंपा", "fl-zamina_ganga_campa"),
    ("क्रमांक", "fl-file-7"),                               # nothing left but the label
])
def test_base_name_follows_the_rule(number: str, name: str) -> None:
    got = base_name(number, "file-7")
    assert got == name
    assert PATTERN.match(got)


def test_transliteration_is_iast_folded_to_ascii() -> None:
    assert transliterate("राजस्व शाखा") == "rajasva sakha"
    assert transliterate("कलेक्टर") == "kalektara"
    assert transliterate("टिप्पणी").isascii()


def test_collisions_are_told_apart_also_by_case_and_names_stick() -> None:
    wanted = [("rf:1", "fl-378_raja_2017"), ("rf:2", "fl-378_RAJA_2017"), ("rf:3", "fl-378_raja_2017")]
    names = assign(wanted, {})
    assert names == {"rf:1": "fl-378_raja_2017", "rf:2": "fl-378_RAJA_2017-2", "rf:3": "fl-378_raja_2017-3"}
    assert assign(wanted, {}) == names                        # deterministic
    # a file keeps the name it was exported under, whatever comes before it later
    again = assign([("rf:0", "fl-378_raja_2017"), *wanted], {"rf:2": names["rf:2"]})
    assert again["rf:2"] == "fl-378_RAJA_2017-2"
    assert len({n.casefold() for n in again.values()}) == len(again)


@pytest.mark.parametrize(("source", "part", "sequence"), [
    ("revenue/F-12/Notes/03 scan.pdf", "notes", 3),
    ("revenue/F-12/टिप्पणी/१२-नोटशीट.tif", "notes", 12),
    ("revenue/F-12/नोटशीट/a.png", "notes", None),
    ("revenue/F-12/पत्र/a.png", "receipts", None),
    ("revenue/F-12/RECEIPTS/a.png", "receipts", None),
    ("revenue/F-12/जावक/a.png", "issues", None),
    ("revenue/F-12/संदर्भ/a.png", "references", None),
    ("revenue/a.png", None, None),
])
def test_part_and_order_from_the_share_path(source: str, part: str | None, sequence: int | None) -> None:
    assert part_of_source(source) == part
    assert sequence_of_source(source) == sequence


def test_a_part_typed_by_a_person() -> None:
    assert check_part("Notes") == "notes" and check_part("संदर्भ") == "references"
    with pytest.raises(PartError, match="unknown part"):
        check_part("annexure-x")

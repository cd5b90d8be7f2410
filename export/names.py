"""Folder names for eOffice: ``fl-`` + the file number, in the characters NIC's migration guideline allows.

The rule (NIC eOffice Project Division, *Guidelines for migration of physical files*, 2013: one folder per file named
``fl-`` followed by the file number with ``/`` replaced by ``_``, only ``a-z A-Z 0-9 ( ) -`` and ``_``):

1. NFC; invisible format characters (zero-width space, soft hyphen, bidi marks, BOM) are dropped; a leading
   generic label is dropped (``क्रमांक``, ``क्र.``, ``फा.क्र.``, ``F.No.`` … — common.text.strip_label);
   Devanagari digits, and any other script's decimal digits, are folded to ASCII (``३७८`` → ``378``).
2. Devanagari letters are transliterated by IAST and folded to ASCII (long vowels and dotted letters lose their marks:
   ``राज`` → ``rāja`` → ``raja``, ``कलेक्टर`` → ``kalekṭara`` → ``kalektara``; anusvara and chandrabindu → ``n``
   before a consonant of its class written so, else ``m``; visarga → ``h``; nukta letters as their base: ``ज़`` → ``z``,
   ``फ़`` → ``f``, ``ड़`` → ``r``). Other Latin letters lose their accents.
3. ``/``, ``\\``, spaces, ``:`` ``,`` ``;`` ``|`` and any other character outside the allowed set become ``_``;
   dots and abbreviation marks (``.`` ``॰``) are dropped; runs of ``_`` become one; ``_`` and ``-`` are trimmed at
   both ends; at most 80 characters.
4. ``fl-`` in front. A number that leaves nothing (only a label) is ``fl-file-<id>``.
5. Two files whose names are equal, also when compared case-insensitively (eOffice and Windows fold case), are told
   apart deterministically: files are named in the order (branch, file number key, first document id) and the
   second gets ``-2``, the third ``-3`` …; a file keeps the name it was first exported under (the export's state;
   only exported names stick, a file still waiting reserves none), also when its identity changes later (matched to
   the register, given a number: export.run takes the name over from the key that no longer exists).

So ``क्रमांक/378/राज./2017`` → ``fl-378_raja_2017`` and ``A-21001(3)/5/2008-DFG`` → ``fl-A-21001(3)_5_2008-DFG``.
The mapping (file number as printed ↔ folder) is in ``metadata.csv``.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import regex

from common.text import LABEL_PATTERN, fold_digits, nfc, strip_label

PATTERN = regex.compile(r"^fl-[A-Za-z0-9()_-]+$")
_ONLY_LABEL = regex.compile(r"^\s*(?:" + LABEL_PATTERN + r")[\s.:ः/_-]*$")
MAX_LEN = 80

_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "c", "छ": "ch", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m", "य": "y", "र": "r", "ल": "l", "व": "v", "श": "s",
    "ष": "s", "स": "s", "ह": "h", "ळ": "l", "ऴ": "l", "ऱ": "r", "ऩ": "n",
    # nukta letters (NFC keeps क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़ decomposed; these are the precomposed ones)
    "क़": "q", "ख़": "kh", "ग़": "g", "ज़": "z", "ड़": "r", "ढ़": "rh", "फ़": "f", "य़": "y",
}
_NUKTA_BASE = {"क": "q", "ख": "kh", "ग": "g", "ज": "z", "ड": "r", "ढ": "rh", "फ": "f", "य": "y"}
_VOWELS = {"अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "r", "ॠ": "r", "ऌ": "l", "ए": "e",
           "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e", "ऎ": "e", "ऒ": "o"}
_MATRAS = {"ा": "a", "ि": "i", "ी": "i", "ु": "u", "ू": "u", "ृ": "r", "ॄ": "r", "े": "e", "ै": "ai", "ो": "o",
           "ौ": "au", "ॉ": "o", "ॅ": "e", "ॆ": "e", "ॊ": "o", "ॢ": "l"}
_VIRAMA, _NUKTA = "्", "़"
_SIGNS = {"ं": "m", "ँ": "m", "ः": "h", "ऽ": "", "॰": ".", "।": "_", "॥": "_", "ॐ": "om"}
_CLASS_NASAL = {**dict.fromkeys("कखगघ", "n"), **dict.fromkeys("चछजझ", "n"), **dict.fromkeys("टठडढ", "n"),
                **dict.fromkeys("तथदधन", "n"), **dict.fromkeys("पफबभम", "m")}


def transliterate(text: str) -> str:
    """Devanagari → IAST folded to ASCII (see the module's rule 2); other characters pass through."""
    chars = list(nfc(text))
    out: list[str] = []
    i = 0
    while i < len(chars):
        ch = chars[i]
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        if ch in _CONSONANTS:
            sound = _CONSONANTS[ch]
            if nxt == _NUKTA:
                sound = _NUKTA_BASE.get(ch, sound)
                i += 1
                nxt = chars[i + 1] if i + 1 < len(chars) else ""
            if nxt == _VIRAMA:
                out.append(sound)
                i += 2
                continue
            if nxt in _MATRAS:
                out.append(sound + _MATRAS[nxt])
                i += 2
                continue
            out.append(sound + "a")
        elif ch in _VOWELS:
            out.append(_VOWELS[ch])
        elif ch in _MATRAS:
            out.append(_MATRAS[ch])
        elif ch in ("ं", "ँ"):
            out.append(_CLASS_NASAL.get(nxt, "m") if nxt in _CLASS_NASAL else "m")
        elif ch in _SIGNS:
            out.append(_SIGNS[ch])
        elif ch in (_VIRAMA, _NUKTA, "\u200c", "\u200d"):
            pass
        else:
            out.append(ch)
        i += 1
    # other scripts' accents: é → e
    folded = unicodedata.normalize("NFKD", "".join(out))
    return "".join(c for c in folded if not unicodedata.combining(c))


def _visible(text: str) -> str:
    """Without format characters (Cf: ZWSP, soft hyphen, bidi marks, BOM); ZWJ/ZWNJ too (they only shape
    Devanagari); every decimal digit as ASCII."""
    out = []
    for ch in text:
        if unicodedata.category(ch) == "Cf":
            continue
        out.append(str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch)
    return "".join(out)


def base_name(file_number: str, fallback: str) -> str:
    """The folder name for one file number, before collisions are resolved (rules 1–4)."""
    _, rest = strip_label(_visible(nfc(file_number)))
    if _ONLY_LABEL.match(rest):
        rest = ""
    text = transliterate(fold_digits(rest))
    text = regex.sub(r"[.॰]+", "", text)
    text = regex.sub(r"[^A-Za-z0-9()\-]+", "_", text)
    text = regex.sub(r"_+", "_", text).strip("_-")[:MAX_LEN].strip("_-")
    return f"fl-{text}" if text else f"fl-{fallback}"


def assign(wanted: Iterable[tuple[str, str]], taken: dict[str, str]) -> dict[str, str]:
    """Folder names for physical files: ``wanted`` is (file key, base name) in the deterministic order of rule 5;
    ``taken`` maps file keys to the names they already have. Returns every file key's name."""
    names = dict(taken)
    used = {n.casefold() for n in names.values()}
    for key, base in wanted:
        if key in names:
            continue
        name, n = base, 2
        while name.casefold() in used:
            name = f"{base}-{n}"
            n += 1
        names[key] = name
        used.add(name.casefold())
    return names

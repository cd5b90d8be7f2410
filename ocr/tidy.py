"""Small, safe repairs of tesseract's text that matter for file numbers.

At a change of script (a Devanagari word, then ASCII digits), tesseract often ends one word at the slash and starts
the next after it: `क्र./नजूल/2016/1111` comes out `क्र./नजूल/ 2016/1111`. A file number split like that is not
found by an exact search and is mis-tagged, so a space between a slash and a digit, inside a run with no other
space, is removed. Nothing else in the text is touched. (The tagger tolerates such splits on its own; this is for
the stored text that people read, copy and search.)
"""
from __future__ import annotations

import regex

# a space after "x/" before a digit, or after a digit before "/x"
_SPLIT_SLASH = regex.compile(r"(?<=[^\s/]/)[ \t]+(?=\p{Nd})|(?<=\p{Nd})[ \t]+(?=/[^\s/])")


def join_split_numbers(text: str) -> str:
    return _SPLIT_SLASH.sub("", text)

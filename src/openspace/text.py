"""
Cleaning and comparing the text people type: titles, names, tags, places.

Text arrives from phones, forms and upstream feeds.  It is normalised to Unicode NFC and
stripped of control characters before any length rule is applied, so that a limit means
the same thing whichever way the text was typed.
"""

from __future__ import annotations

import unicodedata

# Newlines and tabs are kept in multi-line text (descriptions); every other control
# character is dropped because it can only confuse displays and terminals.  Bidi
# overrides go too: they let a title display as something other than what it is.
# Other format characters (zero-width joiners) stay: emoji and scripts need them.
_KEPT_IN_MULTILINE = frozenset("\n\t")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _allowed(ch: str, multiline: bool) -> bool:
    if ch in _BIDI_CONTROLS:
        return False
    if unicodedata.category(ch) != "Cc":
        return True
    return multiline and ch in _KEPT_IN_MULTILINE


def clean(text: str, *, multiline: bool = False) -> str:
    """
    Return C{text} in NFC without control characters and surrounding white space.

    Single-line text also has every run of white space folded to one space.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n") if multiline else " ".join(text.split())
    return "".join(ch for ch in text if _allowed(ch, multiline)).strip()


def name_key(name: str) -> str:
    """
    A key for comparing people's names: casefolded, accents removed, spaces folded.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())

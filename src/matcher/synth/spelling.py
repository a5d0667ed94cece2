"""Spelling noise: transliteration variants, keyboard typos and native-script forms.

Three kinds of difference between two records of one child are modelled here:

- *transliteration*: the same sound written another way in Latin letters by an
  officer from another state (Laxmi/Lakshmi, Pooja/Puja, Mohd/Md, ee/i, sh/s,
  v/w/b, th/t, double letters).  Known pairs come from ``data/variants.csv``;
  the rest from the rules in :data:`RULES`, one rule per respelling.
- *typos*: a neighbouring key, a dropped, doubled or swapped letter.
- *script*: the name written in Devanagari, Bengali, Urdu, Tamil or Gurmukhi
  from ``data/native_names.csv``; short and long vowel signs get confused there
  and Hindi writers often leave out the nukta (फ़ -> फ).
"""

from __future__ import annotations

import random
import re
from functools import cache

from matcher.synth.tables import SynthTables

_V = "aeiou"
_C = "bcdfghjklmnpqrstvwxyz"

#: One-step respelling rules on lower-case Latin text: (pattern, replacement).
#: Each is a habit of some writers, not a mistake: Bengali and Odia officers
#: write v as b, south Indian officers add th/dh, Hindi-belt officers write
#: ee for long i and double letters for stress.
RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"ee", "i"),
        (rf"(?<=[{_C}])i(?=[{_C}])", "ee"),
        (r"oo", "u"),
        (rf"(?<=[{_C}])u(?=[{_C}])", "oo"),
        (r"sh", "s"),
        (rf"(?<=[{_V}])s(?=[{_V}])", "sh"),
        (r"(?<=[a-z])v", "w"),
        (r"w", "v"),
        (r"^v", "b"),
        (r"([bcdfgjklmnprstz])\1", r"\1"),
        (rf"(?<=[{_V}])([lmnt])(?=[{_V}])", r"\1\1"),
        (r"aa", "a"),
        (rf"^a(?=[{_C}])", "aa"),
        (r"ksh", "x"),
        (r"x", "ksh"),
        (r"q", "k"),
        (r"z", "j"),
        (r"ph", "f"),
        (r"f", "ph"),
        (r"th", "t"),
        (rf"(?<=[{_V}])t(?!h)", "th"),
        (r"dh", "d"),
        (rf"(?<=[{_V}])d(?!h)", "dh"),
        (r"ay$", "ai"),
        (r"ai$", "ay"),
        (r"au", "ou"),
        (r"ou", "au"),
        (r"au", "ow"),
        (r"chh", "ch"),
        (r"(?<!c)ch(?!h)", "chh"),
        (r"ri", "ru"),
        (r"iya$", "ia"),
        (r"ik$", "ick"),
        (r"y$", "i"),
        (r"i$", "y"),
        (r"e$", "ey"),
    )
)


@cache
def rule_variants(word: str) -> tuple[str, ...]:
    """Distinct respellings of one Latin word, one rule each, in rule order.

    The first letter keeps its case; a variant that differs only in case, or is
    shorter than two letters, is not a variant.
    """
    if len(word) < 3 or not word.isascii() or not word.isalpha():
        return ()
    lower = word.lower()
    found: dict[str, None] = {}
    for pattern, replacement in RULES:
        variant = pattern.sub(replacement, lower, count=1)
        if variant != lower and len(variant) >= 2:
            found[_recase(variant, word)] = None
    return tuple(found)


def _recase(variant: str, model: str) -> str:
    if model.isupper():
        return variant.upper()
    if model[:1].isupper():
        return variant[:1].upper() + variant[1:]
    return variant


def respell(unit: str, rnd: random.Random, tables: SynthTables) -> str:
    """Another Latin spelling of a name unit (``"Ram Prasad"`` may become ``"Ramprasad"``).

    Known variants from the table are preferred; otherwise one word of the unit
    is respelled by a rule.  Returns the unit unchanged when nothing applies.
    """
    explicit = tables.variants.get(unit, ())
    if explicit and rnd.random() < 0.6:
        return rnd.choice(explicit)
    words = unit.split(" ")
    candidates = [i for i, w in enumerate(words) if rule_variants(w)]
    if not candidates:
        return rnd.choice(explicit) if explicit else unit
    i = rnd.choice(candidates)
    words[i] = rnd.choice(rule_variants(words[i]))
    return " ".join(words)


# QWERTY neighbours (letters only): the keyboard most data-entry operators use.
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(_ROWS):
    for _i, _ch in enumerate(_row):
        near = _row[max(0, _i - 1) : _i] + _row[_i + 1 : _i + 2]
        for _other in (_r - 1, _r + 1):
            if 0 <= _other < len(_ROWS):
                near += _ROWS[_other][max(0, _i - 1) : _i + 1]
        _NEIGHBOURS[_ch] = near


def typo(text: str, rnd: random.Random) -> str:
    """One keyboard slip in Latin text: neighbour key, dropped, doubled or swapped letter.

    The first letter is left alone (people rarely mistype it and it is what the
    reader checks first); words of fewer than four letters are left alone.
    """
    positions = [i for i, ch in enumerate(text) if ch.isascii() and ch.isalpha()]
    if len(positions) < 4:
        return text
    i = rnd.choice(positions[1:])
    ch = text[i]
    roll = rnd.random()
    if roll < 0.35:
        near = _NEIGHBOURS.get(ch.lower(), "")
        if not near:
            return text
        new = rnd.choice(near)
        return text[:i] + (new.upper() if ch.isupper() else new) + text[i + 1 :]
    if roll < 0.6:
        return text[:i] + text[i + 1 :]
    if roll < 0.8:
        return text[:i] + ch + text[i:]
    if i + 1 < len(text) and text[i + 1].isalpha() and text[i + 1] != ch:
        return text[:i] + text[i + 1] + ch + text[i + 2 :]
    return text[:i] + text[i + 1 :]


# Vowel-sign confusions in Indic scripts (short/long i and u, e/ee in Tamil) and
# the Urdu choti-ye/bari-ye and gol-he/do-chashmi-he pairs.
_NATIVE_SWAPS: dict[str, str] = {
    "\u093f": "\u0940",
    "\u0940": "\u093f",
    "\u0941": "\u0942",
    "\u0942": "\u0941",
    "\u0902": "\u0901",
    "\u09bf": "\u09c0",
    "\u09c0": "\u09bf",
    "\u09c1": "\u09c2",
    "\u09c2": "\u09c1",
    "\u0a3f": "\u0a40",
    "\u0a40": "\u0a3f",
    "\u0a41": "\u0a42",
    "\u0a42": "\u0a41",
    "\u0bbf": "\u0bc0",
    "\u0bc0": "\u0bbf",
    "\u0bc1": "\u0bc2",
    "\u0bc2": "\u0bc1",
    "\u0bc6": "\u0bc7",
    "\u0bc7": "\u0bc6",
    "\u06cc": "\u06d2",
    "\u06c1": "\u06be",
}
_NUKTA = "\u093c"


def native_typo(text: str, rnd: random.Random) -> str:
    """One slip in native script: a short vowel sign for a long one (or back), or a lost nukta."""
    positions = [i for i, ch in enumerate(text) if ch in _NATIVE_SWAPS or ch == _NUKTA]
    if not positions:
        return text
    i = rnd.choice(positions)
    ch = text[i]
    return text[:i] + _NATIVE_SWAPS.get(ch, "") + text[i + 1 :]


def native_unit(unit: str, script: str, tables: SynthTables, rnd: random.Random) -> str | None:
    """A name unit in a native script, or ``None`` when the table does not have every word.

    Multi-word units are looked up whole first (Urdu writes ``Abdul Rashid`` as
    one word ``عبدالرشید``), then word by word.
    """
    whole = tables.native.get((script, unit))
    if whole:
        return rnd.choice(whole)
    out = []
    for word in unit.split(" "):
        forms = tables.native.get((script, word))
        if not forms:
            return None
        out.append(rnd.choice(forms))
    return " ".join(out)


def native_initial(source: str, script: str, tables: SynthTables, rnd: random.Random) -> str | None:
    """The initial of ``source`` in a native script: its first letter with its vowel sign.

    Tamil writers abbreviate Murugesan as ``மு.`` (letter and vowel sign), which is
    the only script where initials are common; others return ``None``.
    """
    if script != "Taml":
        return None
    full = native_unit(source, script, tables, rnd)
    if not full:
        return None
    first = full[0]
    if len(full) > 1 and "\u0bbe" <= full[1] <= "\u0bcd" and full[1] != "\u0bcd":
        first += full[1]
    return first + "."

"""Phonetic keys for Indian names written in Latin letters.

Two keys per name token:

``strict_key``
    Folds the spelling variants that English transliteration of Indian names
    produces for *one* pronunciation, and nothing else, so that equal strict
    keys are strong evidence of the same name. Near-misses that are different
    names stay apart: Ramesh/Rakesh, Sunil/Sushil, Mohan/Sohan,
    Mohammad/Mahmood, Asha/Usha, and the sex-marking final vowels
    Sunil/Sunila, Ankit/Ankita, Kumar/Kumari.

``loose_key``
    The strict key with the vowels removed and voicing folded (k/g, t/d, p/b,
    c/j), for *finding candidates*: Tamil letters do not mark voicing, and
    vowels are the least stable part of a transliteration. An initial y is j
    (Bengali য: Jogesh, Jusuf), here only: Yadav and Jadhav, Yatin and Jatin
    are different names. Equal loose keys are a reason to compare, not to match.

Folds of the strict key, in order (each has a test pair in
``tests/normalize/test_phonetic.py``):

* consonant spellings: ph/f, q/k, ck/k, x/ks, ksh/ks (Laxmi/Lakshmi),
  z/j, w/v, sh/s, zh/l (Tamizh/Tamil), chh/ch, c before a/o/u and consonants /k,
  c before e/i/y /s; an "h" after any consonant (aspiration: kh/k, gh/g, jh/j,
  th/t, dh/d, bh/b, and rh, lh, nh);
* vowel spellings: ee/ii/i, oo/uu/u, aa/a, au/ou/o, "ow" before a consonant /o
  (Bhowmick/Bhaumik), ai/ay/ei (Sanjay/Sanjai, Sheikh/Shaikh), a final
  y/ee/ey after a consonant /i or /e (Reddy/Reddi, Banerjee/Banerji,
  Pandey/Pande), iy before a vowel /i (Gudiya/Gudia), an initial e/i
  (Erfan/Irfan, Eshwar/Ishwar), "ru" after k/p/t/d/b/v /ri (Krushna/Krishna,
  the Odia and Marathi spelling of ऋ), a final "ore" /or (Kishore/Kishor);
* doubled letters collapse (Mohammad/Mohamad, Chhotu/Chottu);
* an "a" between a vowel-led consonant and a consonant + vowel is dropped, the
  Hindi schwa that South Indian and Bengali spellings keep (Kamala/Kamla,
  Sarala/Sarla, Ramachandra/Ramchandra, Mamata/Mamta);
* m before a consonant is n (Champa/Chanpa, Sambhu/Shanbhu);
* a final h after a vowel goes (Fatimah/Fatima);
* v (and so w) is b, last of all: Bengali, Assamese and Odia have one letter,
  ব, for both, and their officers write Bikash, Bijay, Debashish, Sourab,
  Jabed for Vikas, Vijay, Devashish, Sourav, Javed. Names that differ only by
  v/b are spellings of one name; the rare cost is Wasim/Basim and Wali/Bali.
  Tables of words (nicknames, surnames) are looked up by ``spelling_key``, the
  key before this fold, so that Tanvi is not the nickname Thambi.

Deliberately *not* folded: a final a or i (they mark sex), u/o (Umar/Omar meet
only under the loose key; Mohan/Muhan are not a real variation but
Muna/Mona are different names), medial e/i (Mukesh/Mukish is not a real
variation, but Devi/Divi would merge different names), r/d (ड़ is written r
consistently) and s/ch (Tamil ச: Selvam/Chelvam meet under neither key; the
romanizer writes s).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

_VOWELS: Final = frozenset("aeiou")
_LETTERS: Final = frozenset("abcdefghijklmnopqrstuvwxyz")
_RU_AFTER: Final = frozenset("kptdbv")
_ONSET_SECOND: Final = frozenset("rylvb")  # b: v written as b (Saraswati, Sarasbati)
#: "ow" before a consonant or at the end, a spelling of o (Bhowmick/Bhaumik, Gowda/Gauda).
_OW: Final = re.compile(r"ow(?![aeiouy])")


def _collapse_doubles(s: str) -> str:
    if len(s) < 2:
        return s
    out = [s[0]]
    for ch in s[1:]:
        if ch != out[-1]:
            out.append(ch)
    return "".join(out)


def _drop_medial_a(s: str) -> str:
    """Drop "a" in V C _ C V and V C _ C{r,y,l,v} V, left to right (Kamala -> kamla)."""
    chars = list(s)
    i = 2
    while i < len(chars) - 2:
        if (
            chars[i] == "a"
            and chars[i - 1] not in _VOWELS
            and chars[i - 2] in _VOWELS
            and chars[i + 1] not in _VOWELS
        ):
            after = chars[i + 2]
            if after in _VOWELS or (
                after in _ONSET_SECOND
                and chars[i + 1] not in _ONSET_SECOND
                and i + 3 < len(chars)
                and chars[i + 3] in _VOWELS
            ):
                del chars[i]
                continue
        i += 1
    return "".join(chars)


@lru_cache(maxsize=131072)
def strict_key(token: str) -> str:
    """Strict phonetic key of one Latin name token (see the module docstring).

    Letters outside a-z are ignored, so the key of a non-Latin token is "".
    """
    s = spelling_key(token)
    # v (and so w) is b, last: the folds before still see v (onset clusters like sv).
    return _collapse_doubles(s.replace("v", "b")) if "v" in s else s


@lru_cache(maxsize=131072)
def spelling_key(token: str) -> str:
    """The strict key but for its last fold, v/b: for looking words up in tables.

    Tables of nicknames, surnames and low-weight words are keyed by the
    spellings of one word; with v/b folded, the girl's name Tanvi became the
    nickname Thambi and the given name Vasu the surname Basu.
    """
    s = "".join(ch for ch in token.lower() if ch in _LETTERS)
    if not s:
        return ""
    # Consonant spellings. "C" and "S" are placeholders for the folded ch and sh.
    s = s.replace("zh", "l").replace("ksh", "ks").replace("x", "ks")
    s = s.replace("chh", "C").replace("ch", "C").replace("ck", "k")
    s = s.replace("sh", "S").replace("ph", "f")
    if "c" in s:
        s = "".join(
            ("s" if i + 1 < len(s) and s[i + 1] in "eiy" else "k") if ch == "c" else ch
            for i, ch in enumerate(s)
        )
    if "ow" in s:
        s = _OW.sub("o", s)  # Bhowmick, Chowdhury, Gowda; not a v (Sourov, Pallov)
    s = s.replace("q", "k").replace("z", "j").replace("w", "v")
    s = s.replace("C", "c").replace("S", "s")
    # Aspiration: an h after a consonant.
    if "h" in s:
        s = "".join(
            ch for i, ch in enumerate(s) if not (ch == "h" and i > 0 and s[i - 1] not in _VOWELS)
        )
    # Vowel spellings.
    if s.endswith("ey") and len(s) >= 3:
        s = s[:-2] + "e"
    if s.endswith("y") and len(s) > 2 and s[-2] not in _VOWELS:
        s = s[:-1] + "i"
    s = s.replace("ee", "i").replace("ii", "i").replace("oo", "u").replace("uu", "u")
    s = s.replace("aa", "a").replace("au", "o").replace("ou", "o").replace("ei", "ai")
    if s[0] == "e":
        s = "i" + s[1:]
    if "ru" in s:
        s = "".join(
            "i" if ch == "u" and i >= 2 and s[i - 1] == "r" and s[i - 2] in _RU_AFTER else ch
            for i, ch in enumerate(s)
        )
    if s.endswith("ore") and len(s) > 4:
        s = s[:-1]
    s = _collapse_doubles(s)
    s = _drop_medial_a(s)
    if "y" in s:
        s = _fold_y(s)
    # m before a consonant sounds n (homorganic nasal).
    if "m" in s:
        s = "".join(
            "n" if ch == "m" and i + 1 < len(s) and s[i + 1] not in _VOWELS else ch
            for i, ch in enumerate(s)
        )
        s = _collapse_doubles(s)
    if len(s) > 2 and s[-1] == "h" and s[-2] in _VOWELS:
        s = s[:-1]
    return s


def _fold_y(s: str) -> str:
    """Fold y spellings of vowels: ay before a consonant or at the end -> ai; iy before a
    vowel -> i."""
    out: list[str] = []
    n = len(s)
    for i, ch in enumerate(s):
        nxt = s[i + 1] if i + 1 < n else ""
        if ch == "y" and out:
            if out[-1] == "a" and nxt not in _VOWELS:
                out.append("i")  # Sanjay -> sanjai
                continue
            if out[-1] == "i" and nxt in _VOWELS:
                continue  # Priyanka -> prianka, Gudiya -> gudia
        out.append(ch)
    return "".join(out)


_LOOSE: Final = str.maketrans({"g": "k", "d": "t", "b": "p", "j": "c"})


@lru_cache(maxsize=131072)
def loose_key(token: str) -> str:
    """Loose key: the strict key without vowels, h or y, voicing folded (k/g, t/d, p/b, c/j).

    A token that is all vowels keeps its strict key, so it is never empty
    unless the token has no Latin letters at all.
    """
    strict = strict_key(token)
    if len(strict) > 1 and strict[0] == "y" and strict[1] in _VOWELS:
        strict = "j" + strict[1:]  # Bengali য is said j: Jogesh, Jusuf (a reason to compare)
    folded = strict.translate(_LOOSE)
    consonants = "".join(ch for ch in folded if ch not in _VOWELS and ch not in "hy")
    return _collapse_doubles(consonants) or strict

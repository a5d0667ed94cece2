"""Any Indic script or Urdu to the Latin spelling an officer would write.

Why our own romanizer: the libraries at hand either keep the inherent vowel
(मोहम्मद -> "mohammada") or drop every vowel ("mohmmd"), and one cannot do
Tamil at all. Records are matched against names that people spelled in English
by ear, so the target is the *conventional English spelling of Indian names*,
not a scholarly transliteration: मोहम्मद -> "mohammad", कृष्ण -> "krishna",
முருகன் -> "murugan", সুব্রত -> "subrata".

How it works. The nine Indic blocks of Unicode are laid out in parallel, so a
code point's offset from its block start names the same sound in every script
(क U+0915, ক U+0995, க U+0B95 are all offset 0x15, "ka"). A word is read into a
list of units (consonant, vowel, inherent vowel, nasal, ...), the inherent vowel
is deleted where the language drops it, and the units are rendered with the
spellings that agree best with attested English spellings (measured against
indic-faker's native/English pairs, see ``tests/data/names/README.md``):

* Hindi, Marathi, Gujarati, Punjabi (Devanagari, Gujarati, Gurmukhi): schwa
  deletion. The final inherent vowel goes (राम -> "ram") except after a
  cluster that ends in y/r/l/v or a nasal (कृष्ण -> "krishna", नरेन्द्र ->
  "narendra"); a medial one goes in the context V C _ C V (कमलेश -> "kamlesh")
  and before an onset cluster such as "pr" (ਹਰਪ੍ਰੀਤ -> "harpreet").
* Bengali and Odia keep the final inherent vowel after a cluster (জয়ন্ত ->
  "jayanta"), after a syllable opening with C+r/y/l/v (সুব্রত -> "subrata")
  and after h (গুহ -> "guha"); a medial one goes only before a closed final
  syllable (সরকার -> "sarkar", but মমতা -> "mamata"). ব is "b" (বিকাশ ->
  "bikash") but "w" after a consonant (স্বাগতা -> "swagata").
* Tamil, Telugu, Kannada, Malayalam keep every inherent vowel (శివ -> "siva");
  dental த/త/ತ/ത is "th" (கீதா -> "geetha"). Tamil letters have no voicing
  distinction, so க/ட/ப take the usual voiced spelling between vowels and after
  a nasal (முருகன் -> "murugan", ஆனந்த் -> "anand") and ச is "s" except when
  doubled or after ஞ (செல்வம் -> "selvam", அர்ச்சனா -> "archana").
* Urdu (Arabic script) writes few vowels: the consonant skeleton is read with
  vowel letters as written, a short "a" inserted where a syllable needs one and
  "i" in the common fa'il pattern (شاہد -> "shahid"); a handful of very common
  name words (محمد) come from a small lexicon because no rule recovers them.

Nukta letters become q, kh, gh, z, r, rh, f; anusvara becomes m before labials,
"ng" before h (सिंह -> "singh") and n elsewhere. Latin input passes through,
lower-cased, with diacritics folded (Irfān -> "irfan", Śyām -> "shyam").
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Final

from matcher.normalize.text import fold_text

# ---------------------------------------------------------------------------
# Scripts
# ---------------------------------------------------------------------------

#: Indic blocks, 128 code points each from U+0900, in Unicode order.
_INDIC: Final = (
    "Devanagari",
    "Bengali",
    "Gurmukhi",
    "Gujarati",
    "Odia",
    "Tamil",
    "Telugu",
    "Kannada",
    "Malayalam",
)
_DRAVIDIAN: Final = frozenset({"Tamil", "Telugu", "Kannada", "Malayalam"})
#: Scripts whose languages delete the inherent vowel the Hindi way.
_HINDI_LIKE: Final = frozenset({"Devanagari", "Gurmukhi", "Gujarati"})
#: Scripts whose languages keep the inherent vowel after a final cluster.
_EASTERN: Final = frozenset({"Bengali", "Odia"})
ARABIC: Final = "Arabic"


def _script_of_code(code: int) -> str | None:
    if 0x0900 <= code < 0x0D80:
        return _INDIC[(code - 0x0900) >> 7]
    if (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0x08A0 <= code <= 0x08FF
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    ):
        return ARABIC
    return None


def detect_script(text: str) -> str | None:
    """The script of the first non-Latin letter we can romanize, or ``None``.

    Returns one of "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Odia",
    "Tamil", "Telugu", "Kannada", "Malayalam", "Arabic" (Urdu); ``None`` for
    Latin text, empty text, or scripts we do not romanize.
    """
    if text.isascii():
        return None
    for ch in text:
        if ord(ch) >= 0x0600:
            script = _script_of_code(ord(ch))
            if script is not None:
                return script
    return None


# ---------------------------------------------------------------------------
# Indic phoneme inventory, by offset from the block start
# ---------------------------------------------------------------------------
# Consonant symbols are ITRANS-like: capitals are retroflex (T D N S L), "R" is
# the Dravidian alveolar ra (ற / റ / ఱ), "Rr" the flapped ड़, "zh" ழ / ഴ.

_CONSONANTS: Final[dict[int, str]] = {
    0x15: "k", 0x16: "kh", 0x17: "g", 0x18: "gh", 0x19: "ng",
    0x1A: "c", 0x1B: "ch", 0x1C: "j", 0x1D: "jh", 0x1E: "ny",
    0x1F: "T", 0x20: "Th", 0x21: "D", 0x22: "Dh", 0x23: "N",
    0x24: "t", 0x25: "th", 0x26: "d", 0x27: "dh", 0x28: "n", 0x29: "n",
    0x2A: "p", 0x2B: "ph", 0x2C: "b", 0x2D: "bh", 0x2E: "m",
    0x2F: "y", 0x30: "r", 0x31: "R", 0x32: "l", 0x33: "L", 0x34: "zh",
    0x35: "v", 0x36: "sh", 0x37: "S", 0x38: "s", 0x39: "h",
    # Precomposed nukta letters (NFKC decomposes most of them; kept for safety).
    0x58: "q", 0x59: "x", 0x5A: "G", 0x5B: "z", 0x5C: "Rr", 0x5D: "Rh", 0x5E: "f", 0x5F: "y",
}  # fmt: skip

#: Per-script differences from the shared table.
_CONSONANT_OVERRIDES: Final[dict[str, dict[int, str]]] = {
    "Devanagari": {0x79: "zh", 0x7A: "y", 0x7B: "g", 0x7C: "j", 0x7E: "D", 0x7F: "b"},
    # ৎ khanda ta is a dead t; ৰ ৱ are the Assamese ra and wa.
    "Bengali": {0x4E: "t", 0x70: "r", 0x71: "w"},
    "Gurmukhi": {0x5C: "Rr"},
    "Odia": {0x5F: "y", 0x71: "w"},
    "Telugu": {0x58: "ts", 0x59: "dz", 0x5A: "R"},
    "Kannada": {0x5E: "zh"},
    # Malayalam chillus: consonants that never carry a vowel; ൎ is the dot reph.
    "Malayalam": {
        0x4E: "r", 0x54: "m", 0x55: "y", 0x56: "zh",
        0x7A: "N", 0x7B: "n", 0x7C: "R", 0x7D: "l", 0x7E: "L", 0x7F: "k",
    },
}  # fmt: skip
#: Consonants that are always vowelless (chillus, khanda ta, dot reph).
_DEAD: Final[dict[str, frozenset[int]]] = {
    "Bengali": frozenset({0x4E}),
    "Malayalam": frozenset({0x4E, 0x54, 0x55, 0x56, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F}),
}

_INDEPENDENT_VOWELS: Final[dict[int, str]] = {
    0x05: "a", 0x06: "A", 0x07: "i", 0x08: "I", 0x09: "u", 0x0A: "U",
    0x0B: "RI", 0x0C: "LI", 0x0D: "e", 0x0E: "e", 0x0F: "e", 0x10: "ai",
    0x11: "o", 0x12: "o", 0x13: "o", 0x14: "au", 0x60: "RI", 0x61: "LI", 0x72: "e",
}  # fmt: skip
_VOWEL_SIGNS: Final[dict[int, str]] = {
    0x3E: "A", 0x3F: "i", 0x40: "I", 0x41: "u", 0x42: "U", 0x43: "RI", 0x44: "RI",
    0x45: "e", 0x46: "e", 0x47: "e", 0x48: "ai", 0x49: "o", 0x4A: "o", 0x4B: "o",
    0x4C: "au", 0x56: "ai", 0x57: "au", 0x62: "LI", 0x63: "LI",
}  # fmt: skip

_VIRAMA: Final = 0x4D
_NUKTA: Final = 0x3C
_NASALS: Final = frozenset({0x01, 0x02, 0x00})  # candrabindu, anusvara, inverted candrabindu
_VISARGA: Final = 0x03

#: What a nukta does to the consonant before it.
_NUKTA_OF: Final[dict[str, str]] = {
    "k": "q", "kh": "x", "g": "G", "j": "z", "D": "Rr", "Dh": "Rh", "ph": "f",
    "y": "y", "sh": "sh", "s": "sh", "l": "L", "jh": "z",
}  # fmt: skip

# Unit kinds of the intermediate form.
_C, _V, _SCHWA, _NASAL, _H, _GEM = range(6)
_Unit = tuple[int, str]

_LABIALS: Final = frozenset({"p", "ph", "b", "bh", "m", "f", "v"})
_SEMIVOWELS: Final = frozenset({"y", "r", "l", "v", "L"})
_NASAL_CONS: Final = frozenset({"n", "N", "m", "ng", "ny"})
#: Second members of onset clusters before which Hindi still drops a schwa (ਹਰ|ਪ੍ਰੀਤ).
_ONSET_SECOND: Final = frozenset({"y", "r", "l", "v"})
#: Consonants after which व / ব stays v / b rather than becoming "w" (सर्व sarv, अम्बर amber).
_NOT_BEFORE_W: Final = frozenset({"r", "l", "m", "n", "N", "ng", "b", "bh"})
_STOPS_VOICED: Final[dict[str, str]] = {"k": "g", "T": "d", "p": "b", "t": "d"}


def _read_indic(word: str, script: str) -> list[_Unit]:
    """Read one word of one Indic script into units (consonants with their vowels)."""
    base = 0x0900 + (_INDIC.index(script) << 7)
    overrides = _CONSONANT_OVERRIDES.get(script, {})
    dead = _DEAD.get(script, frozenset())
    units: list[_Unit] = []
    for ch in word:
        off = ord(ch) - base
        if not 0 <= off < 0x80:
            continue  # a stray code point of another block: ignored here
        cons = overrides.get(off) or _CONSONANTS.get(off)
        if script == "Gurmukhi" and off in (0x72, 0x73):
            cons = ""  # ੲ ੳ: vowel carriers, a consonant with no sound
        if cons is not None:
            units.append((_C, cons))
            if off not in dead:
                units.append((_SCHWA, "a"))
            continue
        last = units[-1] if units else None
        if off in _VOWEL_SIGNS:
            vowel = _VOWEL_SIGNS[off]
            if last is not None and last[0] == _SCHWA:
                units[-1] = (_V, vowel)
            elif last is not None and last == (_V, "a"):
                units[-1] = (_V, vowel)  # अ + ा typed for आ
            elif last is not None and last[0] == _V and off in (0x55, 0x56, 0x57):
                units[-1] = (_V, vowel)  # length marks completing a vowel
            else:
                units.append((_V, vowel))
        elif off == _VIRAMA:
            if last is not None and last[0] == _SCHWA:
                units.pop()
        elif off == _NUKTA:
            if last is not None and last[0] == _SCHWA and len(units) >= 2:
                prev = units[-2][1]
                units[-2] = (_C, _NUKTA_OF.get(prev, prev))
        elif off in _INDEPENDENT_VOWELS:
            units.append((_V, _INDEPENDENT_VOWELS[off]))
        elif off in _NASALS or (script == "Gurmukhi" and off == 0x70):
            units.append((_NASAL, "n"))
        elif off == _VISARGA:
            units.append((_H, "h"))
        elif script == "Gurmukhi" and off == 0x71:
            units.append((_GEM, ""))  # addak: the next consonant is doubled
        elif script == "Gurmukhi" and off == 0x75:
            units.append((_C, "y"))  # yakash: subscript ya
        elif off == 0x50:
            units.extend(((_V, "o"), (_C, "m")))
        # anything else (avagraha, accents, danda, digits) carries no sound
    return units


def _tamil_clusters(units: list[_Unit]) -> list[_Unit]:
    """Undo the vowels Tamil spelling puts inside Sanskrit clusters.

    Tamil writes no word-initial cluster and few medial ones, so प्र is written
    பிர (pi-ra), कृ as கிரு (ki-ru) and न्द्र as ந்திர (nthi-ra); English spellings
    of the names keep the cluster: பிரகாஷ் prakash, கிருஷ்ணன் krishnan,
    ராஜேந்திரன் rajendran.
    """
    out: list[_Unit] = []
    n = len(units)
    i = 0
    while i < n:
        unit = units[i]
        out.append(unit)
        if (
            unit[0] == _C
            and i + 3 < n
            and units[i + 2] == (_C, "r")
            and _is_vowel(units[i + 3])
            and (
                (unit[1] == "p" and units[i + 1] == (_V, "i"))
                or (unit[1] == "k" and units[i + 1] == (_V, "i") and units[i + 3] == (_V, "u"))
                or (unit[1] == "t" and i > 0 and units[i - 1] == (_C, "n"))
            )
            and units[i + 1][0] == _V
        ):
            out.append(units[i + 2])
            out.append((_V, "i") if units[i + 3] == (_V, "u") else units[i + 3])
            i += 4
            continue
        i += 1
    return out


def _is_vowel(unit: _Unit) -> bool:
    return unit[0] == _V or unit[0] == _SCHWA


def _keep_final_after_cluster(first: str, second: str, script: str) -> bool:
    """Hindi-like rule for a final inherent vowel after a two-consonant cluster."""
    if script in _EASTERN:
        return True  # সুব্রত subrata, পার্থ partha, জয়ন্ত jayanta
    if second in _SEMIVOWELS or second in _NASAL_CONS:
        return True  # मिश्र mishra, कृष्ण krishna, पद्म padma
    # geminates (भट्ट bhatt), nasal + stop (प्रशान्त prashant), r/l + C (हर्ष harsh, वल्द wald)
    return not (first == second or first in _NASAL_CONS or first in ("r", "l"))


def _delete_schwas(units: list[_Unit], script: str) -> list[_Unit]:
    """Hindi/Bengali inherent-vowel deletion on a unit list (returns a new list)."""
    n = len(units)
    keep = [True] * n
    syllables = sum(1 for u in units if _is_vowel(u))
    # Final schwa.
    if n >= 2 and units[-1][0] == _SCHWA and syllables > 1:
        before = units[-3] if n >= 3 else None
        if before is not None and before[0] == _C:
            keep[-1] = _keep_final_after_cluster(before[1], units[-2][1], script)
        elif before is not None and before[0] == _GEM:
            keep[-1] = script in _EASTERN
        elif script in _EASTERN and units[-2][1] == "h":
            keep[-1] = True  # a final h needs its vowel: গুহ guha, স্নেহ sneha
        elif (
            script in _EASTERN
            and n >= 5
            and before is not None
            and before[0] == _SCHWA
            and units[-4][0] == _C
            and units[-4][1] in _SEMIVOWELS
            and units[-5][0] == _C
            and units[-5][1] not in _NASAL_CONS
            and units[-5][1] not in _SEMIVOWELS
        ):
            keep[-1] = True  # after a short syllable opening with C+r/y/l/v: সুব্রত subrata
        else:
            keep[-1] = False

    def vowel_at(i: int) -> bool:
        return 0 <= i < n and _is_vowel(units[i]) and keep[i]

    # Medial schwas, right to left, each decided with the ones to its right settled.
    for i in range(n - 2, 1, -1):
        if units[i][0] != _SCHWA or units[i - 1][0] != _C:
            continue
        if not vowel_at(i - 2):
            continue  # the consonant before must be a single one after a vowel
        nxt = i + 1
        if script in _EASTERN and not _closed_final_syllable(units, keep, nxt):
            continue  # Bengali keeps মমতা mamata, স্বাগতা swagata; drops সরকার sarkar
        if nxt < n and units[nxt][0] == _C and units[nxt][1] and vowel_at(nxt + 1):
            keep[i] = False  # V C _ C V
        elif (
            script in _HINDI_LIKE
            and units[i - 1][1] != "y"  # गायत्री gayatri keeps its a
            and nxt + 2 < n
            and units[nxt][0] == _C
            and units[nxt + 1][0] == _C
            and units[nxt + 1][1] in _ONSET_SECOND
            and units[nxt][1] not in _NASAL_CONS
            and units[nxt][1] not in _SEMIVOWELS
            and vowel_at(nxt + 2)
        ):
            keep[i] = False  # V C _ C{r,y,l,v} V: ਹਰਪ੍ਰੀਤ harpreet, भारद्वाज bhardwaj
    return [u for u, k in zip(units, keep, strict=True) if k]


def _closed_final_syllable(units: list[_Unit], keep: list[bool], start: int) -> bool:
    """Whether the kept units from ``start`` are exactly consonant, vowel, consonant."""
    rest = [u[0] for u, k in zip(units[start:], keep[start:], strict=True) if k]
    return len(rest) == 3 and rest[0] == _C and rest[1] in (_V, _SCHWA) and rest[2] == _C


def _render_vowel(vowel: str, final: bool, script: str) -> str:
    if vowel in ("a", "A"):
        return "a"
    if vowel == "I":
        return "i" if final else "ee"  # measured: Pradeep, Naveen, Geeta; final Gauri
    if vowel == "U":
        return "u"  # measured: "u" agrees slightly more often than "oo" (Rupa, Manjula vs Pooja)
    if vowel == "RI":
        return "ri"
    if vowel == "LI":
        return "li"
    if vowel == "au" and script == "Bengali":
        return "ou"  # সৌরভ sourav, মৌসুমী moushumi
    return vowel


def _render_indic(units: list[_Unit], script: str) -> str:
    """Spell a unit list (after schwa deletion) the conventional English way."""
    out: list[str] = []
    n = len(units)
    dravidian = script in _DRAVIDIAN
    tamil = script == "Tamil"
    eastern = script in _EASTERN
    for i, (kind, value) in enumerate(units):
        prev = units[i - 1] if i > 0 else None
        nxt = units[i + 1] if i + 1 < n else None
        after_vowel = prev is not None and _is_vowel(prev)
        before_vowel = nxt is not None and _is_vowel(nxt)
        prev_c = prev[1] if prev is not None and prev[0] == _C else None
        next_c = nxt[1] if nxt is not None and nxt[0] == _C else None
        if kind in (_V, _SCHWA):
            final = i == n - 1 or all(u[0] == _NASAL for u in units[i + 1 :])
            if (
                kind == _SCHWA
                and script == "Gurmukhi"
                and prev_c == "d"
                and next_c == "r"
                and i >= 3
                and units[i - 2][0] == _NASAL
                and units[i - 3] == (_V, "i")
            ):
                out.append("e")  # Punjabi -inder: ਜਸਵਿੰਦਰ jaswinder, ਇੰਦਰਜੀਤ inderjit
                continue
            out.append(_render_vowel(value, final, script))
        elif kind == _NASAL:
            if next_c is None:
                out.append("m" if dravidian else "n")
            elif next_c in _LABIALS:
                out.append("m")
            elif next_c == "h":
                out.append("ng")
            else:
                out.append("n")
        elif kind == _H:
            out.append("h")
        elif kind == _GEM:
            if next_c:
                out.append(_render_consonant(next_c, script, None, after_vowel, True)[:1])
        else:
            out.append(
                _render_consonant(
                    value,
                    script,
                    prev_c,
                    after_vowel,
                    before_vowel,
                    next_c=next_c,
                    word_initial=i == 0,
                    tamil=tamil,
                    eastern=eastern,
                    dravidian=dravidian,
                )
            )
    return "".join(out)


def _render_consonant(
    c: str,
    script: str,
    prev_c: str | None,
    after_vowel: bool,
    before_vowel: bool,
    *,
    next_c: str | None = None,
    word_initial: bool = False,
    tamil: bool = False,
    eastern: bool = False,
    dravidian: bool = False,
) -> str:
    """One consonant in context; see the module docstring for the conventions."""
    if tamil:
        geminate = prev_c == c
        after_nasal = prev_c in ("n", "N", "ng", "m", "ny")
        if c == "c":
            if prev_c == "ny":
                return "j"  # ஞ்ச nj: மஞ்சு manju
            if prev_c == "T":
                return "sh"
            if next_c == "c":
                return ""  # ச்ச is written "ch": அர்ச்சனா archana
            if geminate or not (word_initial or after_vowel):
                return "ch"
            return "s"
        if c == "T" and next_c == "c":
            return "k"  # ட்ச is how Tamil writes क्ष: மீனாட்சி meenakshi
        if c in ("k", "T", "p") and not geminate and next_c != c:
            if after_nasal or (after_vowel and before_vowel and c != "p"):
                return _STOPS_VOICED[c]  # முருகன் murugan, ஆண்டி andi
            return "t" if c == "T" else c
        if c == "t":
            if after_nasal:
                return "d"
            return "" if next_c == "t" else "th"  # த்த is "th": முத்து muthu
        if c == "R":
            if prev_c == "R":
                return "r"
            if next_c == "R":
                return "t"
            return "dr" if prev_c == "n" else "r"
    if c == "t" and dravidian and not tamil:
        if next_c == "t":
            return ""  # geminate dental is written "th": కీర్తి / കീർത്തി keerthi
        if next_c == "y" or (word_initial and script != "Malayalam"):
            return "t"  # సత్య satya; initial తేజ teja
        return "th"
    if c == "R" and script == "Malayalam":
        if prev_c == "R":
            return "t"
        if next_c == "R":
            return "t"
        return "t" if prev_c == "n" else "r"
    if c == "v":
        if script == "Gurmukhi" and prev_c is not None and prev_c not in _NASAL_CONS:
            return "w"  # ਬਲਵਿੰਦਰ balwinder, ਗੁਰਵਿੰਦਰ gurwinder
        if prev_c is not None and prev_c not in _NOT_BEFORE_W:
            return "w"  # द्वि dwi, स्वा swa, श्व shwa
        return "b" if eastern else "v"
    if c == "b" and script == "Bengali" and prev_c is not None and prev_c not in _NOT_BEFORE_W:
        return "w"  # ব-phala: স্ব swa, উজ্জ্বল ujjwal (but র্ব rb: অনির্বাণ anirban)
    if c == "y" and eastern and prev_c is None and not after_vowel:
        return "j"  # Bengali/Odia য at the start of a word: যশোদা jashoda
    if c == "ny":
        if prev_c == "j":
            return ""  # ज्ञ is spelled by the j before it: ज्ञान gyan
        if prev_c == "ny":
            return "j"  # ഞ്ഞ / ஞ்ஞ: കുഞ്ഞ് kunj(u)
        return "n" if next_c else "ny"
    if c == "j" and next_c == "ny":
        return "gn" if dravidian else "gy"
    if c == "sh" and next_c == "r" and (dravidian or script == "Bengali"):
        return "s"  # శ్రీ sri, শ্রাবণী sraboni
    if c == "ph" and script == "Gujarati":
        return "f"
    return _PLAIN.get(c, c)


_PLAIN: Final[dict[str, str]] = {
    "c": "ch", "ch": "chh", "T": "t", "Th": "th", "D": "d", "Dh": "dh", "N": "n",
    "ng": "n", "S": "sh", "L": "l", "R": "r", "Rr": "r", "Rh": "rh", "x": "kh",
    "G": "gh", "ts": "ts", "dz": "dz",
}  # fmt: skip


# ---------------------------------------------------------------------------
# Urdu (Arabic script)
# ---------------------------------------------------------------------------

_AR_CONSONANTS: Final[dict[str, str]] = {
    "ب": "b", "پ": "p", "ت": "t", "ٹ": "t", "ث": "s", "ج": "j", "چ": "ch", "ح": "h",
    "خ": "kh", "د": "d", "ڈ": "d", "ذ": "z", "ر": "r", "ڑ": "r", "ز": "z", "ژ": "zh",
    "س": "s", "ش": "sh", "ص": "s", "ض": "z", "ط": "t", "ظ": "z", "غ": "gh", "ف": "f",
    "ق": "q", "ک": "k", "ك": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "ں": "n",
    "ڻ": "n", "ٺ": "t", "ڀ": "bh", "ٻ": "b", "ڄ": "j", "ڃ": "ny", "ڇ": "ch", "ڊ": "d",
}  # fmt: skip
_AR_ALEF: Final = frozenset("اآأإٱ")
_AR_WAW: Final = frozenset("وؤۄۅ")
_AR_YEH: Final = frozenset("یيىئۍې")
_AR_BARI_YEH: Final = frozenset("ےۓ")
_AR_HEH: Final = frozenset("ہهۂۀە")
_AR_TA_MARBUTA: Final = frozenset("ةۃ")
_AR_AIN: Final = "ع"
_AR_DO_CHASHMI: Final = "ھ"
_AR_SHADDA: Final = "\u0651"
_AR_VOWEL_MARKS: Final[dict[str, str]] = {
    "\u064e": "a", "\u0650": "i", "\u064f": "u", "\u0670": "a", "\u064b": "an",
}  # fmt: skip

#: Name words no rule recovers, because Urdu leaves their short vowels unwritten.
_UR_LEXICON: Final[dict[str, str]] = {
    "محمد": "mohammad",
    "محمّد": "mohammad",
    "حسین": "husain",
    "شیخ": "shaikh",
    "عبد": "abdul",
    "عبدال": "abdul",
    "اللہ": "ullah",
    "بیگم": "begum",
}


def _romanize_arabic(word: str) -> str:
    """Romanize one Urdu word: written letters plus conventional short vowels."""
    word = word.replace("ـ", "")  # tatweel
    if word in _UR_LEXICON:
        return _UR_LEXICON[word]
    for prefix in ("عبدال", "عبد"):
        if word.startswith(prefix) and len(word) > len(prefix) + 1:
            return "abdul" + _romanize_arabic(word[len(prefix) :]).removeprefix("a")
    # Pass 1: letters to a skeleton of ("C", sound) and ("V", sound).
    seq: list[tuple[str, str]] = []
    n = len(word)
    for i, ch in enumerate(word):
        initial = not seq
        nxt = word[i + 1] if i + 1 < n else ""
        is_last = i == n - 1
        if ch in _AR_CONSONANTS:
            seq.append(("C", _AR_CONSONANTS[ch]))
        elif ch == _AR_DO_CHASHMI:
            if seq and seq[-1][0] == "C":
                seq[-1] = ("C", seq[-1][1] + "h")
            else:
                seq.append(("C", "h"))
        elif ch in _AR_ALEF or ch == _AR_AIN:
            if i == 0 and (nxt in _AR_WAW or nxt in _AR_YEH or nxt in _AR_ALEF):
                continue  # a carrier for the vowel that follows: ایمان, عامر
            if initial:
                seq.append(("V", "i" if _ifal(word) else "a"))
            elif ch != _AR_AIN:
                seq.append(("V", "a"))
            # medial ain: a glottal catch that English spellings drop (مسعود masood)
        elif ch in _AR_WAW:
            consonantal = (
                initial
                or nxt in _AR_ALEF
                or nxt in _AR_YEH
                or (bool(seq) and seq[-1] == ("V", "a"))
            )
            if consonantal:
                seq.append(("C", "w" if initial or (seq and seq[-1][0] == "C") else "v"))
            else:
                seq.append(("V", "u" if is_last else "oo"))
        elif ch in _AR_YEH:
            if ch == "ئ":
                if nxt in _AR_YEH or nxt in _AR_BARI_YEH:
                    continue  # hamza seat before a yeh: the yeh gives the vowel
                seq.append(("V", "i"))
                continue
            consonantal = initial or nxt in _AR_ALEF or nxt in _AR_WAW
            seq.append(("C", "y") if consonantal else ("V", "i"))
        elif ch in _AR_BARI_YEH:
            seq.append(("V", "e"))
        elif ch in _AR_HEH:
            if is_last and seq:
                if seq[-1][0] == "C":
                    seq.append(("V", "a"))  # فاطمہ fatima, عائشہ aisha
            else:
                seq.append(("C", "h"))
        elif ch in _AR_TA_MARBUTA:
            seq.append(("V", "a"))
        elif ch == _AR_SHADDA:
            if seq and seq[-1][0] == "C":
                seq.append(seq[-1])
        elif ch in _AR_VOWEL_MARKS:
            seq.append(("V", _AR_VOWEL_MARKS[ch]))
        # hamza, sukun and other marks carry no letter of their own
    # Pass 2: insert the unwritten short vowels, syllable by syllable.
    out: list[str] = []
    m = len(seq)
    after_vowel = False
    for i, (kind, sound) in enumerate(seq):
        if kind == "V":
            out.append(sound)
            after_vowel = True
            continue
        following = seq[i + 1] if i + 1 < m else None
        if following is not None and following[0] == "V":
            out.append(sound)  # onset of a written vowel
            after_vowel = False
        elif after_vowel:
            out.append(sound)  # coda
            if i >= 1 and seq[i - 1] == ("V", "a") and _last_consonant(seq, i + 1):
                out.append("i")  # fa'il: شاہد shahid, فاطمہ fatima, عامر aamir
            else:
                after_vowel = False
        elif following is None:
            out.append(sound if i == 0 else "a" + sound)  # یوسف yusaf, حسن hasan
        else:
            out.append(sound + "a")  # onset before another consonant: احمد ahmad
            after_vowel = True
    return "".join(out)


def _ifal(word: str) -> bool:
    """Initial alef/ain + two consonants + alef: the if'al pattern, spoken with i.

    عرفان irfan, عمران imran, اقبال iqbal, اسماعیل ismail; the af'al pattern
    without the long a keeps "a": احمد ahmad, اکرم akram, اشرف ashraf.
    """
    return (
        len(word) >= 4
        and word[1] in _AR_CONSONANTS
        and word[2] in _AR_CONSONANTS
        and word[3] in _AR_ALEF
    )


def _last_consonant(seq: list[tuple[str, str]], j: int) -> bool:
    """Whether ``seq[j]`` is the word's last consonant (a final silent-heh "a" may follow)."""
    m = len(seq)
    if j >= m or seq[j][0] != "C":
        return False
    return j == m - 1 or (j == m - 2 and seq[m - 1] == ("V", "a"))


# ---------------------------------------------------------------------------
# Latin pass-through
# ---------------------------------------------------------------------------

#: Latin letters with no decomposition, and IAST/ISO 15919 letters spelled as English does.
_LATIN_SPECIAL: Final[dict[str, str]] = {
    "ś": "sh", "ṣ": "sh", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l",
    "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ŋ": "ng", "ṁ": "n", "ṃ": "n",
}  # fmt: skip


@lru_cache(maxsize=8192)
def _fold_latin_char(ch: str) -> str:
    low = ch.lower()
    if low in _LATIN_SPECIAL:
        return _LATIN_SPECIAL[low]
    decomposed = unicodedata.normalize("NFD", low)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def romanize_word(word: str) -> str:
    """Romanize one word (no white space); mixed scripts are handled run by run."""
    if word.isascii():
        return word.lower()
    parts: list[str] = []
    run: list[str] = []
    run_script: str | None = None

    def flush() -> None:
        if not run:
            return
        chunk = "".join(run)
        if run_script == ARABIC:
            parts.append(_romanize_arabic(chunk))
        elif run_script is not None:
            units = _read_indic(chunk, run_script)
            if run_script == "Tamil":
                units = _tamil_clusters(units)
            if run_script in _HINDI_LIKE or run_script in _EASTERN:
                units = _delete_schwas(units, run_script)
            text = _render_indic(units, run_script)
            if run_script in ("Telugu", "Kannada") and text.endswith("avu"):
                text = text[:-3] + "ao"  # రావు rao, మోహన్రావు mohanrao
            parts.append(text)
        else:
            parts.append("".join(_fold_latin_char(c) for c in chunk))
        run.clear()

    for ch in word:
        code = ord(ch)
        script = _script_of_code(code) if code >= 0x0600 else None
        if script is not None and (code & 0x7F) in (0x64, 0x65) and script in _INDIC:
            script = None  # danda: punctuation shared by the Indic blocks
            ch = " "
        if script != run_script:
            flush()
            run_script = script
        run.append(ch)
    flush()
    return "".join(parts)


def romanize(text: str) -> str:
    """Latin, lower-case spelling of ``text`` in any supported script.

    Latin input passes through folded and lower-cased; words are romanized
    one at a time (cached), white space is kept as single spaces, and
    punctuation is kept for the caller to deal with.
    """
    folded = fold_text(text)
    if folded.isascii():
        return folded.lower()
    # Marks with no letter to sit on (a stray acute) vanish, and a danda becomes a space.
    return " ".join(" ".join(romanize_word(w) for w in folded.split(" ")).split())

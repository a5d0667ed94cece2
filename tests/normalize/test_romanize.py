"""Romanizer: every supported script to conventional English spellings of names."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.normalize.phonetic import loose_key, strict_key
from matcher.normalize.romanize import detect_script, romanize

DATA = Path(__file__).resolve().parents[1] / "data" / "names"

SCRIPTS = [
    ("मोहन", "Devanagari"),
    ("মোহন", "Bengali"),
    ("ਮੋਹਨ", "Gurmukhi"),
    ("મોહન", "Gujarati"),
    ("ମୋହନ", "Odia"),
    ("மோகன்", "Tamil"),
    ("మోహన్", "Telugu"),
    ("ಮೋಹನ್", "Kannada"),
    ("മോഹൻ", "Malayalam"),
    ("محمد", "Arabic"),
    ("Md. इरफ़ान", "Devanagari"),
    ("Mohan", None),
    ("Irfān", None),
    ("", None),
    ("12 ।", "Devanagari"),
    ("Иван", None),
]


@pytest.mark.parametrize(("text", "script"), SCRIPTS, ids=[f"{t!r}" for t, _ in SCRIPTS])
def test_detect_script(text: str, script: str | None) -> None:
    assert detect_script(text) == script


# (native, expected, what the case shows)
ROMANIZE = [
    # Devanagari: Hindi schwa deletion, nukta, anusvara
    ("मोहम्मद इरफ़ान", "mohammad irfan", "medial schwa kept before a cluster, nukta f"),
    ("राम", "ram", "final schwa deleted"),
    ("कृष्ण", "krishna", "final schwa kept after a cluster ending in a nasal"),
    ("नरेन्द्र", "narendra", "final schwa kept after a cluster ending in r"),
    ("प्रशान्त", "prashant", "final schwa deleted after nasal + stop"),
    ("भट्ट", "bhatt", "final schwa deleted after a geminate"),
    ("हर्ष", "harsh", "final schwa deleted after r + consonant"),
    ("कमलेश", "kamlesh", "medial schwa deleted in V C _ C V"),
    ("सरला", "sarla", "medial schwa deleted before a long vowel"),
    ("वंदना", "vandana", "no deletion after an anusvara coda"),
    ("अमरनाथ", "amarnath", "right-to-left deletion"),
    ("रामचन्द्र", "ramchandra", "deletion before ch, cluster kept"),
    ("ओमप्रकाश", "omprakash", "deletion before an onset cluster pr"),
    ("गायत्री", "gayatri", "but not after y"),
    ("सिंह", "singh", "anusvara before h is ng"),
    ("हिमांशु", "himanshu", "anusvara before sh is n"),
    ("चंपा", "champa", "anusvara before a labial is m"),
    ("चाँद", "chand", "candrabindu is n"),
    ("क़ासिम", "qasim", "nukta q"),
    ("ज़ाकिर", "zakir", "nukta z"),
    ("ख़ान", "khan", "nukta kh"),
    ("ग़ुलाम", "ghulam", "nukta gh"),
    ("चोपड़ा", "chopra", "nukta r (flap)"),
    ("ज्ञान", "gyan", "ज्ञ is gy"),
    ("द्विवेदी", "dwivedi", "v after a consonant is w"),
    ("सुनीता", "suneeta", "long i medially is ee"),
    ("गौरी", "gauri", "long i finally is i"),
    ("पूजा", "puja", "long u is u"),
    ("छोटू", "chhotu", "aspirated ch is chh"),
    ("दुःख", "duhkh", "visarga is h"),
    ("अ‍ा", "a", "a vowel sign after अ replaces it"),
    # Bengali: b for ব, schwa kept after a cluster-led syllable, au is ou
    ("সুব্রত", "subrata", "final vowel kept after a C+r syllable"),
    ("বিকাশ", "bikash", "ব is b"),
    ("স্বাগতা", "swagata", "ব-phala is w; medial vowel kept"),
    ("অনির্বাণ", "anirban", "র্ব is rb"),
    ("সরকার", "sarkar", "medial vowel deleted before a closed final syllable"),
    ("মমতা", "mamata", "but kept before an open one"),
    ("গুহ", "guha", "final vowel kept after h"),
    ("সৌরভ", "sourabh", "ঔ is ou"),
    ("আমিনুল ইসলাম", "aminul islam", "two words"),
    # Gurmukhi: tippi, addak, Punjabi -inder
    ("ਹਰਪ੍ਰੀਤ", "harpreet", "schwa deleted before pr"),
    ("ਜਸਵਿੰਦਰ", "jaswinder", "Punjabi -inder, w after a consonant"),
    ("ਸਿੰਘ", "singh", "tippi"),
    ("ਗਿੱਲ", "gill", "addak doubles the next consonant"),
    ("ਢਿੱਲੋਂ", "dhillon", "bindi at the end"),
    # Gujarati
    ("ભાવેશ", "bhavesh", "Gujarati like Hindi"),
    ("ફાલ્ગુની", "falguni", "Gujarati ફ is f"),
    ("સિંઘ", "singh", "Gujarati spells Singh with gh"),
    # Odia
    ("ପ୍ରଦୀପ", "pradeep", "Odia"),
    ("ସ୍ୱାଇଁ", "swain", "Odia wa and candrabindu"),
    # Tamil: voicing by position, th for dental, Sanskrit clusters
    ("முருகன்", "murugan", "k between vowels is g"),
    ("கார்த்திக்", "karthik", "final k stays k; dental is th"),
    ("செல்வம்", "selvam", "initial ச is s"),
    ("அர்ச்சனா", "archana", "ச்ச is ch"),
    ("மஞ்சு", "manju", "ஞ்ச is nj"),
    ("ஆனந்த்", "anand", "t after a nasal is d"),
    ("முத்து", "muthu", "த்த is th"),
    ("பிரகாஷ்", "pragash", "பிர is pr (k between vowels is still g)"),
    ("கிருஷ்ணன்", "krishnan", "கிரு is kri"),
    ("ராஜேந்திரன்", "rajendran", "ந்திர is ndr"),
    ("மீனாட்சி", "meenakshi", "ட்ச is ksh"),
    ("தமிழ்", "thamizh", "ழ is zh"),
    # Telugu, Kannada, Malayalam: inherent vowel kept
    ("శివ", "shiva", "Telugu keeps the final vowel"),
    ("కవిత", "kavitha", "medial dental is th"),
    ("తేజ", "teja", "initial dental is t"),
    ("సత్య", "satya", "t before y"),
    ("రావు", "rao", "Telugu -avu is written -ao"),
    ("ಮಂಜುಳ", "manjula", "Kannada ಳ is l"),
    ("ಶ್ರೀನಿವಾಸ್", "sreenivas", "Kannada ಶ್ರ is sr"),
    ("കൃഷ്ണൻ", "krishnan", "Malayalam chillu n"),
    ("അർജുൻ", "arjun", "Malayalam chillu r"),
    ("കീർത്തി", "keerthi", "ർത്ത is rth"),
    ("കുഞ്ഞ്", "kunj", "ഞ്ഞ is nj"),
    # Urdu
    ("محمد", "mohammad", "lexicon: short vowels unwritten"),
    ("احمد", "ahmad", "af'al pattern with a"),
    ("عرفان", "irfan", "if'al pattern with i"),
    ("فاطمہ", "fatima", "fa'il pattern; final heh is a"),
    ("شاہد", "shahid", "fa'il pattern"),
    ("وسیم", "wasim", "initial waw is w; yeh is i"),
    ("اشرف", "ashraf", "inserted a before the last consonant"),
    ("خاتون", "khatoon", "medial waw is oo"),
    # Latin passes through
    ("IRFAN", "irfan", "lower-cased"),
    ("Irfān Śyām", "irfan shyam", "IAST diacritics folded"),
    ("  Mohd.\tIrfan ", "mohd. irfan", "white space folded, punctuation kept"),
]


@pytest.mark.parametrize(("native", "latin"), [(n, latin) for n, latin, _ in ROMANIZE],
                         ids=[d for _, _, d in ROMANIZE])  # fmt: skip
def test_romanize(native: str, latin: str) -> None:
    assert romanize(native) == latin


# Known gaps, kept visible: conventions no rule of ours recovers.
KNOWN_GAPS = [
    ("गायकवाड", "gaikwad", "two schwas deleted in a row (compound Gay+kwad)"),
    ("கணேசன்", "ganesan", "Tamil initial க is k or g; we write k"),
    ("ராதா", "radha", "Tamil medial த is th or dh; we write th"),
    ("ਬਰਾੜ", "brar", "Gurmukhi writes initial clusters with a full ਰ"),
    ("عثمان", "usman", "initial ain + if'al pattern gives i, not u"),
    ("جاوید", "javed", "medial yeh is i or e"),
]


@pytest.mark.parametrize(("native", "latin"), [(n, latin) for n, latin, _ in KNOWN_GAPS],
                         ids=[d for _, _, d in KNOWN_GAPS])  # fmt: skip
@pytest.mark.xfail(strict=True, reason="known romanization gap, documented in README")
def test_romanize_known_gaps(native: str, latin: str) -> None:
    assert romanize(native) == latin


def test_vowel_signs_are_never_dropped() -> None:
    # a "letters only" regex would delete the matras and give "mhmmd"
    assert romanize("मोहम्मद") == "mohammad"
    assert all(v in romanize("सुनीता") for v in "uea")


def _agreement() -> dict[str, tuple[int, int, int]]:
    """Per script: (pairs, strict-key agreements, loose-key agreements)."""
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for name in ("indic_faker_pairs.tsv", "own_pairs.tsv"):
        with (DATA / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                got = romanize(row["native"]).split()
                want = row["english"].lower().split()
                s = stats[row["script"]]
                s[0] += 1
                s[1] += [strict_key(w) for w in got] == [strict_key(w) for w in want]
                s[2] += [loose_key(w) for w in got] == [loose_key(w) for w in want]
    return {k: (v[0], v[1], v[2]) for k, v in stats.items()}


# Regression floors a few points under the figures in tests/data/names/README.md.
FLOORS = {
    "Devanagari": 0.93,
    "Gujarati": 0.93,
    "Kannada": 0.92,
    "Telugu": 0.88,
    "Bengali": 0.85,
    "Malayalam": 0.80,
    "Tamil": 0.55,
    "Gurmukhi": 0.85,
    "Odia": 0.85,
    "Arabic": 0.70,
}


def test_agreement_with_attested_spellings_does_not_regress() -> None:
    stats = _agreement()
    assert set(stats) == set(FLOORS)
    for script, (n, strict, loose) in stats.items():
        assert strict / n >= FLOORS[script], script
        assert loose / n >= 0.85, script


@given(st.text())
def test_romanize_never_raises_and_is_lower_case(text: str) -> None:
    out = romanize(text)
    assert out == out.lower()
    assert out == out.strip()


@given(st.text())
def test_romanize_is_idempotent(text: str) -> None:
    once = romanize(text)
    assert romanize(once) == once


@given(st.text(alphabet=st.characters(min_codepoint=0x0900, max_codepoint=0x0D7F)))
def test_indic_text_becomes_ascii(text: str) -> None:
    assert romanize(text).isascii()

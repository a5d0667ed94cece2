"""The ``sex`` field: English words, the usual codes, and the words of the region's scripts.

Decisions:

* empty text and "unknown" placeholders (``NA``, ``not known``, ``-``) -> ``None``;
* anything else that is not in the tables below raises
  :class:`~matcher.errors.InvalidFieldValue`: a guess here would make a girl
  look like a boy to the model, while an error shows the importer a column
  that needs mapping (``M/F`` or a name typed into the wrong column both end up here);
* ``O`` and ``T`` are the codes for "other" / transgender on Indian forms (M/F/O
  on most, M/F/T on Aadhaar and passports), so they are read as
  :attr:`Sex.OTHER`.

Lookups ignore case, surrounding punctuation ("M.", "(F)") and nukta marks
(``लड़का`` typed as ``लडका``). Messages never repeat the text, which may be a
child's name in the wrong column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from matcher.errors import InvalidFieldValue
from matcher.normalize.dates import is_unknown_key, lookup_key
from matcher.records import Sex

_MALE = (
    "male",
    "m",
    "boy",
    "b",
    "man",
    "son",
    "male child",
    "boy child",
    "gents",
    "masculine",
    "लड़का",
    "लडका",
    "बालक",
    "पुरुष",
    "पु",
    "पुत्र",
    "ladka",
    "ladaka",
    "larka",
    "ladkaa",
    "baalak",
    "balak",
    "purush",
    "purus",
    "putra",
    "mard",
    "ছেলে",
    "পুরুষ",
    "বালক",
    "chhele",
    "chele",
    "لڑکا",
    "مرد",
    "بیٹا",
    # Other scripts of the region: Tamil, Telugu, Kannada, Malayalam, Gujarati,
    # Gurmukhi, Odia, Marathi and Nepali (Devanagari), Assamese.
    "ஆண்",
    "பையன்",
    "మగ",
    "పురుషుడు",
    "బాలుడు",
    "ಗಂಡು",
    "ಪುರುಷ",
    "ಹುಡುಗ",
    "ആൺ",
    "ആണ്\u200d",  # the same, in the older encoding (chillu as n + virama + ZWJ)
    "ആണ്",
    "ആണ്\u200dകുട്ടി",
    "പുരുഷൻ",
    "ആൺകുട്ടി",
    "પુરુષ",
    "છોકરો",
    "ਮੁੰਡਾ",
    "ਪੁਰਸ਼",
    "ਲੜਕਾ",
    "ପୁରୁଷ",
    "ପୁଅ",
    "ବାଳକ",
    "मुलगा",
    "केटा",
    "ল'ৰা",
    "ল’ৰা",
    "ল‘ৰা",
    "লৰা",
)
_FEMALE = (
    "female",
    "f",
    "girl",
    "g",
    "woman",
    "daughter",
    "female child",
    "girl child",
    "ladies",
    "feminine",
    "लड़की",
    "लडकी",
    "बालिका",
    "महिला",
    "स्त्री",
    "पुत्री",
    "बेटी",
    "म",
    "ladki",
    "ladaki",
    "larki",
    "baalika",
    "balika",
    "mahila",
    "stri",
    "putri",
    "beti",
    "মেয়ে",
    "মহিলা",
    "বালিকা",
    "meye",
    "لڑکی",
    "عورت",
    "بیٹی",
    "aurat",
    "பெண்",
    "சிறுமி",
    "ఆడ",
    "స్త్రీ",
    "బాలిక",
    "ಹೆಣ್ಣು",
    "ಸ್ತ್ರೀ",
    "ಹುಡುಗಿ",
    "പെൺ",
    "പെണ്\u200d",
    "പെണ്",
    "പെണ്\u200dകുട്ടി",
    "സ്ത്രീ",
    "പെൺകുട്ടി",
    "સ્ત્રી",
    "છોકરી",
    "ਕੁੜੀ",
    "ਇਸਤਰੀ",
    "ਲੜਕੀ",
    "ମହିଳା",
    "ଝିଅ",
    "ବାଳିକା",
    "मुलगी",
    "केटी",
    "ছোৱালী",
)
_OTHER = (
    "other",
    "others",
    "o",
    "t",
    "tg",
    "transgender",
    "trans",
    "third gender",
    "intersex",
    "hijra",
    "hijda",
    "kinnar",
    "किन्नर",
    "ट्रांसजेंडर",
    "तृतीय लिंग",
    "अन्य",
    "हिजड़ा",
    "হিজড়া",
    "তৃতীয় লিঙ্গ",
    "khwaja sira",
    "khawaja sira",
    "خواجہ سرا",
)

_SEXES: dict[str, Sex] = {
    lookup_key(word): sex
    for sex, words in ((Sex.MALE, _MALE), (Sex.FEMALE, _FEMALE), (Sex.OTHER, _OTHER))
    for word in words
}
_PUNCTUATION = " .,;:-_()[]{}'\"`*"
_INNER_SEPARATORS = re.compile(r"[\s\-_.]+")  # "third-gender", "third_gender", "M."
MAX_SEX_CHARS = 40


def parse_sex(text: str) -> Sex | None:
    """Read the ``sex`` field: ``None`` for empty or "unknown", else a :class:`Sex`.

    Raises :class:`~matcher.errors.InvalidFieldValue` for text that is none of
    the known words (the caller sets the field name).
    """
    outcome = _parse_sex_cached(text)
    if isinstance(outcome, _Rejected):
        raise InvalidFieldValue(outcome.reason)
    return outcome


@dataclass(frozen=True, slots=True)
class _Rejected:
    """A cached refusal (``Sex`` is a ``str``, so a bare reason string would be ambiguous)."""

    reason: str


_TOO_LONG = _Rejected("too long to be a sex")
_UNRECOGNISED = _Rejected(
    "not a recognised sex; expected male, female or other "
    "(or a synonym such as M, F, boy, girl, लड़का, लड़की)"
)


@lru_cache(maxsize=4096)
def _parse_sex_cached(text: str) -> Sex | _Rejected | None:
    if len(text) > MAX_SEX_CHARS * 4:
        return _TOO_LONG
    key = lookup_key(text)
    if is_unknown_key(key):
        return None
    sex = _SEXES.get(_INNER_SEPARATORS.sub(" ", key).strip(_PUNCTUATION))
    if sex is None:
        sex = _sex_of_words(key)
    return _UNRECOGNISED if sex is None else sex


#: Words a form adds to the sex without changing it ("Female (Minor)").
_FILLER_WORDS = frozenset({"minor", "child", "kid", "juvenile", "baby", "bachcha", "बच्चा"})
_WORD_SPLIT = re.compile(r"[\s()\[\]/,;:.\-]+")


def _sex_of_words(key: str) -> Sex | None:
    """The sex of a phrase whose every word is a sex word or a filler, all agreeing.

    "F (girl)" and "Female (Minor)" are read; "M/F" (two sexes) and a name typed
    into the column (an unknown word) are not.
    """
    sexes = set()
    for word in _WORD_SPLIT.split(key):
        if not word or word in _FILLER_WORDS:
            continue
        sex = _SEXES.get(word)
        if sex is None:
            return None
        sexes.add(sex)
    return sexes.pop() if len(sexes) == 1 else None

"""A village or locality name reduced to what two spellings of it share.

Officers write the same village many ways: "Vill- Narayanabad", "Village
Narayanabad", "Gram Narayanabad", "At/PO Narayanabad", "Ward 11, Narayanabad",
"NARAYANABAD"; and "Rampur" is "Rampoor" in another hand. The address words
(village, gram, post office, ward and house numbers) say nothing about which
village it is, and the spelling differences are the ones names have. The key
drops the one and folds the other with the names' strict phonetic key, so
both the village comparison and the village blocking key see one village.
"""

from __future__ import annotations

import re
from functools import lru_cache

from matcher.normalize.phonetic import strict_key
from matcher.normalize.romanize import romanize

# Address words written before (or around) a village's name in Indian and
# Nepali records: "Vill.", "Vill-", "V.P.O." (village and post office),
# "Gram"/"Grm" (Hindi), "Gaon" (गाँव), "Mouza"/"Mauza" (revenue village), "Mohalla",
# "At"/"At-Post"/"At & PO", "P.O.", "Post", "Tole" (Nepal), with ward and house
# numbers ("Ward No. 11", "W.No 3", "H.No. 12").
_ADDRESS_WORDS = (
    r"vill(?:age)?|vil|v\s*p\s*o|gram|grm|gaon|gamv|ganv|mou?[zj]a|mau[zj]a|mohall?ah?|"
    r"muhall?a|at|post|p\s*o|tole|tol"
)
_NUMBERED = r"(?:ward|w|h|house|plot)\s*(?:no|number)?\s*[-:#]?\s*\d+[a-z]?"
_NUMBERED_ANYWHERE = re.compile(rf"\b{_NUMBERED}\b")
_PREFIX = re.compile(rf"^(?:{_ADDRESS_WORDS})\b[\s,:;/&\-]*")
_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=1 << 16)
def village_key(text: str) -> str:
    """The strict phonetic keys of a village name's words, address words left out.

    ``text`` is the record's folded, lower-case village text (Person.village).
    Returns "" when nothing but address words and numbers is left.
    """
    if not text.isascii():
        text = romanize(text)  # ग्राम रामपुर is gram rampur
    rest = _NUMBERED_ANYWHERE.sub(" ", text.lower().replace(".", " ")).strip(" ,;:-/&")
    while True:
        shorter = _PREFIX.sub("", rest, count=1).strip(" ,.;:-/&")
        if shorter == rest:
            break
        rest = shorter
    keys = (strict_key(word) for word in _WORD.findall(rest))
    return " ".join(key for key in keys if key)

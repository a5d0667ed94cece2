"""Parse a South Asian personal name into tokens a matcher can weigh.

What arrives in a ``name`` field: ``Mohd. Irfan``, ``IRFAN SHAIKH``,
``मोहम्मद इरफ़ान``, ``Late Shri Ramprasad``, ``R. Murugan``, ``Chhotu``,
``Sunita Kumari``, ``Ramesh S/o Suresh``, ``Ramesh urf Pappu``. What a matcher
needs from it:

* the name in one Latin spelling (any script is romanized, the native form is
  kept in ``original``);
* honorifics (Shri, Smt, Late, Dr, श्री, جناب ...) dropped, but the sex they
  tell kept as ``sex_hint``;
* prefixes in one canonical spelling (Md/Mohd/Muhammad -> "mohammad",
  Sk/Sheikh -> "shaikh", Mst -> "musammat"), and "Abdul"/"Abdur" joined to
  the next word (Abdur Rahman -> "abdulrahman");
* low-weight parts (Kumar, Kumari, Devi, Khatun, Begum, Bibi, Singh, Kaur,
  Bai ...) kept as tokens of their own kind: weak evidence of identity but
  good evidence of sex;
* initials kept as initials ("R. Murugan": the R can be the father's name or
  the village, so it is neither dropped nor guessed);
* known nicknames marked, so that "Chhotu" alone is recognised as telling
  little;
* relation markers (S/o, D/o, W/o, C/o, पुत्र, walad ...) split off: the
  name after them is the parent's (or carer's), parsed as ``related_name``.

No position is assumed for the surname: Indian names put the family name
first, last, or nowhere, so tokens are a bag with kinds, not first/last slots.

Everything per word is cached; ``parse_name`` itself is cached on the whole
string because the same names (fathers' names above all) recur across records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Final

from rapidfuzz.distance import DamerauLevenshtein

from matcher.normalize.data import name_tables as tables
from matcher.normalize.phonetic import loose_key, spelling_key, strict_key
from matcher.normalize.romanize import detect_script, romanize_word
from matcher.normalize.text import fold_text
from matcher.records import Sex


class TokenKind(StrEnum):
    """What a name token is, which decides how much it weighs in a comparison."""

    GIVEN = "given"
    INITIAL = "initial"
    LOW_WEIGHT = "low_weight"
    NICKNAME = "nickname"
    PREFIX = "prefix"


@dataclass(frozen=True, slots=True)
class NameToken:
    """One word of a parsed name, in Latin, with its phonetic keys."""

    text: str
    kind: TokenKind
    strict: str
    loose: str


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A name as written and as the matcher reads it.

    ``latin`` is the canonical form: honorifics dropped, prefixes canonical,
    words in their written order, joined by single spaces. ``related_name`` is
    the person named after S/o, D/o, W/o or C/o; ``relation`` says which.
    """

    original: str
    script: str | None
    latin: str
    tokens: tuple[NameToken, ...]
    sex_hint: Sex | None
    is_nickname_only: bool
    relation: str | None
    related_name: ParsedName | None

    @property
    def given_tokens(self) -> tuple[NameToken, ...]:
        """The informative tokens: given names and nicknames."""
        return tuple(t for t in self.tokens if t.kind in GIVEN_KINDS)


#: The kinds of token that are informative: given names and nicknames.
GIVEN_KINDS: Final = frozenset({TokenKind.GIVEN, TokenKind.NICKNAME})


# ---------------------------------------------------------------------------
# Reference tables as one value
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameTables:
    """The reference data of name parsing, loaded once by :func:`name_tables`.

    Latin keys are lower-case without dots; native keys are the folded native
    spelling without a trailing dot. Nicknames are keyed by strict phonetic key.
    """

    honorifics: MappingProxyType[str, Sex | None]
    titles_or_names: MappingProxyType[str, Sex | None]
    trailing_honorifics: frozenset[str]
    native_honorifics: frozenset[str]
    prefixes: MappingProxyType[str, str]
    prefix_sex: MappingProxyType[str, Sex | None]
    native_prefixes: MappingProxyType[str, str]
    low_weight: MappingProxyType[str, tuple[Sex, bool]]
    native_low_weight: MappingProxyType[str, str]
    nicknames: MappingProxyType[str, bool]
    placeholders: MappingProxyType[str, Sex | None]
    native_placeholders: frozenset[str]
    relations: MappingProxyType[str, str]
    relation_of: MappingProxyType[str, str]
    native_relations: MappingProxyType[str, str]
    alias_words: frozenset[str]
    native_alias_words: frozenset[str]
    letter_names: MappingProxyType[str, str]


def _sex(value: str | None) -> Sex | None:
    return None if value is None else Sex(value)


def _native_key(word: str) -> str:
    return fold_text(word).rstrip(".॰")


@cache
def name_tables() -> NameTables:
    """Load ``data/name_tables.py`` into a :class:`NameTables` value (once)."""
    prefixes: dict[str, str] = {}
    prefix_sex: dict[str, Sex | None] = {}
    for canonical, (sex, spellings) in tables.PREFIXES.items():
        prefix_sex[canonical] = _sex(sex)
        for spelling in (*spellings, canonical):
            prefixes[spelling] = canonical
    nicknames: dict[str, bool] = {}
    for nickname, also_given in tables.NICKNAMES.items():
        key = spelling_key(nickname)
        nicknames[key] = nicknames.get(key, False) or also_given
    return NameTables(
        honorifics=MappingProxyType({k: _sex(v) for k, v in tables.HONORIFICS.items()}),
        titles_or_names=MappingProxyType({k: _sex(v) for k, v in tables.TITLES_OR_NAMES.items()}),
        trailing_honorifics=tables.TRAILING_HONORIFICS,
        native_honorifics=frozenset(_native_key(w) for w in tables.NATIVE_HONORIFICS),
        prefixes=MappingProxyType(prefixes),
        prefix_sex=MappingProxyType(prefix_sex),
        native_prefixes=MappingProxyType(
            {_native_key(k): v for k, v in tables.NATIVE_PREFIXES.items()}
        ),
        low_weight=MappingProxyType(
            {k: (Sex(sex), strong) for k, (sex, strong) in tables.LOW_WEIGHT.items()}
        ),
        native_low_weight=MappingProxyType(
            {_native_key(k): v for k, v in tables.NATIVE_LOW_WEIGHT.items()}
        ),
        nicknames=MappingProxyType(nicknames),
        placeholders=MappingProxyType({k: _sex(v) for k, v in tables.PLACEHOLDERS.items()}),
        native_placeholders=frozenset(_native_key(w) for w in tables.NATIVE_PLACEHOLDERS),
        relations=MappingProxyType(dict(tables.RELATION_WORDS)),
        relation_of=MappingProxyType(dict(tables.RELATION_OF)),
        native_relations=MappingProxyType(
            {_native_key(k): v for k, v in tables.NATIVE_RELATIONS.items()}
        ),
        alias_words=tables.ALIAS_WORDS,
        native_alias_words=frozenset(_native_key(w) for w in tables.NATIVE_ALIAS_WORDS),
        letter_names=MappingProxyType(dict(tables.DEVANAGARI_LETTER_NAMES)),
    )


# ---------------------------------------------------------------------------
# Nicknames
# ---------------------------------------------------------------------------


def is_nickname(token: str) -> bool:
    """Whether a word is a known nickname ("Chhotu", "chotu", "छोटू", "Raju").

    Compared by strict phonetic key, so spelling variants count. True also for
    nicknames that are formal given names too; see :func:`is_also_given_name`.
    """
    return _nickname_key(token) in name_tables().nicknames


def is_also_given_name(token: str) -> bool:
    """Whether a known nickname is also used as a formal given name (Raju, Sonu, Pinky)."""
    return name_tables().nicknames.get(_nickname_key(token), False)


@lru_cache(maxsize=16384)
def _nickname_key(token: str) -> str:
    word = fold_text(token).lower()
    latin = romanize_word(word) if not word.isascii() else word
    return spelling_key(latin)


# ---------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------

# Word categories decided per word (context comes later).
_HON, _TITLE, _TRAIL, _PREFIX, _LOW, _NICK, _PLACE, _REL, _INITIAL, _GIVEN = range(10)


@dataclass(frozen=True, slots=True)
class _Word:
    """One written word, classified by the tables alone (cached per word).

    ``tokens`` and ``votes`` are what the word contributes when it is kept as it
    stands; ``contextual`` words (relation markers, titles, "Abdul", trailing
    honorifics) need their neighbours to decide.
    """

    latin: str
    category: int
    sex: Sex | None = None
    relation: str | None = None
    tokens: tuple[NameToken, ...] = ()
    votes: tuple[tuple[Sex, bool], ...] = ()
    contextual: bool = False


_OF: Final = "of"
_ABD_RE: Final = re.compile(r"^abd(ul|ur|us|un|ud|ut|uz|ush|al|el|ar|as)(.{3,})$")
_SUN_LETTERS: Final = frozenset({"ur", "us", "un", "ud", "ut", "uz", "ush", "ar", "as"})


def _canonical_abd(latin: str) -> str:
    """Abdurrahman, Abdul-Rahman, Abdur Rahman -> "abdulrahman"."""
    if latin in tables.ABD_WHOLE:
        return latin
    match = _ABD_RE.match(latin)
    if match is None:
        return latin
    article, rest = match.groups()
    if article in _SUN_LETTERS:
        consonant = article[1:]
        if not rest.startswith(consonant):
            rest = consonant + rest
    # The name after Abdul in its canonical spelling: Abdulrehman is Abdul Rahman.
    return "abdul" + _SURNAME_CANONICAL.get(spelling_key(rest), rest)


@lru_cache(maxsize=65536)
def calling_name(text: str) -> str:
    """The name an "Abdul" name is called by, or "": "abdulrahim" -> "rahim".

    Abdul ("servant of") is joined to the name after it (:func:`_canonical_abd`)
    so that Abdul Rahim and Abdul Karim never agree on "Abdul"; but at home,
    and to a child, Abdul Rahim is Rahim, and a report says one where the
    child says the other. Whole names (Abdullah) have no calling name.
    """
    if not text.startswith("abdul") or len(text) < 8 or text in tables.ABD_WHOLE:
        return ""
    rest = text[5:]
    return _SURNAME_CANONICAL.get(spelling_key(rest), rest)  # "abdulrehman" -> "rahman"


def _join_abd(article: str, rest: str) -> str:
    """Join "abdur" + "rahman" into the canonical "abdulrahman"."""
    return _canonical_abd(article + rest if article != "abd" else "abdul" + rest)


#: Spelling key of each form of a surname in ``SURNAME_FORMS`` -> its canonical form.
_SURNAME_CANONICAL: Final = {
    spelling_key(form): canonical
    for canonical, forms in tables.SURNAME_FORMS.items()
    for form in (canonical, *forms)
}


def _expanded(word: str, position: int, last: int) -> str:
    """A word as written, or the name part it abbreviates between two words ("Sanjay Kr.
    Singh"). First or last, "KR" stays two initials: "KR Narayanan", "Lakshmi KR"."""
    if 0 < position < last:
        return tables.ABBREVIATED_PARTS.get(word, word)
    return word


@lru_cache(maxsize=65536)
def _classify(word: str, dotted: bool) -> _Word:
    """Classify one word (folded, lower-cased) by the tables alone."""
    t = name_tables()
    if not word.isascii():
        key = word
        if key in t.native_honorifics:
            latin = romanize_word(word)
            return _word(latin, _HON, t.honorifics.get(latin) or t.titles_or_names.get(latin))
        if key in t.native_prefixes:
            canonical = t.native_prefixes[key]
            return _word(canonical, _PREFIX, t.prefix_sex[canonical])
        if key in t.native_low_weight:
            return _word(t.native_low_weight[key], _LOW)
        if key in t.native_relations:
            return _word(romanize_word(word), _REL, relation=t.native_relations[key])
        if key in t.native_placeholders or key in t.native_alias_words:
            return _word(romanize_word(word), _PLACE)
        if dotted and key in t.letter_names:
            return _word(t.letter_names[key], _INITIAL)
        latin = "".join(ch for ch in romanize_word(word) if ch.isalnum())
    else:
        if word in t.relations:  # "s/o" before the slash is filtered out
            return _word(word, _REL, relation=t.relations[word])
        latin = word if word.isalnum() else "".join(ch for ch in word if ch.isalnum())
    if not latin or latin.isdigit():
        return _word("", _PLACE)
    if latin in t.relations:
        return _word(latin, _REL, relation=t.relations[latin])
    if latin in t.alias_words:
        return _word(latin, _PLACE)
    if latin in t.honorifics:
        return _word(latin, _HON, t.honorifics[latin])
    if latin in t.titles_or_names:
        return _word(latin, _TITLE, t.titles_or_names[latin])
    if latin in t.trailing_honorifics:
        return _word(latin, _TRAIL)
    if latin in t.prefixes:
        canonical = t.prefixes[latin]
        return _word(canonical, _PREFIX, t.prefix_sex[canonical])
    if latin in t.placeholders:
        return _word(latin, _PLACE, t.placeholders[latin])
    if latin in t.low_weight:
        return _word(latin, _LOW)
    if len(latin) == 1 or (
        len(latin) <= 3 and latin.isalpha() and not any(c in "aeiouy" for c in latin)
    ):
        return _word(latin, _INITIAL)  # "R", "RK", "MKS": one initial per letter
    if latin.startswith("abd") and latin not in tables.ABD_FORMS:
        latin = _canonical_abd(latin)
    latin = _SURNAME_CANONICAL.get(spelling_key(latin), latin)
    if spelling_key(latin) in t.nicknames:
        return _word(latin, _NICK)
    misspelt = _misspelt_low_weight(latin)
    if misspelt is not None:
        if misspelt in t.titles_or_names:
            # Read as the word itself would be: "Kumaari Sunita" like "Kumari Sunita".
            return _word(misspelt, _TITLE, t.titles_or_names[misspelt])
        return _word(misspelt, _LOW)
    return _word(latin, _GIVEN)


def _misspelt_low_weight(latin: str) -> str | None:
    """The low-weight word ("kumar", "khatun") that ``latin`` is one typo away from, if unique.

    Officers type fast: "Alok Kuamr" and "Alok Koomar" are both "Alok Kumar",
    and a misspelt Kumar read as a given name made the two disagree on half
    their name. Only words of five letters or more, and only when exactly one
    low-weight word is that close, so "Kumarr" (Kumar or Kumari?) stays a name.

    A typo keeps the word's first letter and its consonants: one letter away
    from "ammal", "kumar" or "khatun" are also the names Ajmal, Ammar,
    Kammal, Kumal and Kumbar and the surname Khatua, which were read as
    low-weight parts and lost (a child called Ajmal had no given name left).
    Names that keep both anyway ("Kamar") are listed in
    ``NAMES_NEAR_LOW_WEIGHT``.
    """
    if len(latin) < 5 or latin in tables.NAMES_NEAR_LOW_WEIGHT:
        return None
    key = spelling_key(latin)
    length = len(latin)
    skeleton = _consonant_skeleton(latin)
    # The edit distance is at least the difference in length, so the distance
    # is only computed for words within one letter of the length.
    close = {
        word: word_key
        for word, word_key, word_skeleton in _long_low_weight()
        if not latin.startswith(word)  # "Singha", "Kumaran": a word of its own
        and (
            word_key == key
            or (
                -1 <= len(word) - length <= 1
                and word[0] == latin[0]
                and word_skeleton == skeleton
                and DamerauLevenshtein.distance(latin, word, score_cutoff=1) <= 1
            )
        )
    }
    # Spellings of one word ("kumar", "kumaar") are one candidate.
    if len(set(close.values())) != 1:
        return None
    return min(close, key=len)


def _consonant_skeleton(latin: str) -> str:
    """The consonants of a romanized word in order, without "h" and doubled letters.

    "khatoon", "katun" and "khaton" give "ktn"; "ammal" gives "ml" and
    "ajmal" "jml". What a one-letter typo of a word leaves alone.
    """
    out: list[str] = []
    for ch in latin:
        if ch in "aeiouyh" or (out and out[-1] == ch):
            continue
        out.append(ch)
    return "".join(out)


@cache
def _long_low_weight() -> tuple[tuple[str, str, str], ...]:
    """The low-weight words of five letters or more, in table order, each with its
    strict key and consonant skeleton."""
    return tuple(
        (word, spelling_key(word), _consonant_skeleton(word))
        for word in name_tables().low_weight
        if len(word) >= 5
    )


def _word(latin: str, category: int, sex: Sex | None = None, relation: str | None = None) -> _Word:
    """Build a :class:`_Word` with the tokens and sex votes it gives when kept."""
    t = name_tables()
    tokens: tuple[NameToken, ...] = ()
    votes: tuple[tuple[Sex, bool], ...] = ()
    if category == _HON and sex is not None:
        votes = ((sex, True),)
    elif category == _PLACE and sex is not None:
        votes = ((sex, False),)  # "unknown boy"
    elif category == _PREFIX:
        tokens = (_token(latin, TokenKind.PREFIX),)
        votes = ((sex, False),) if sex is not None else ()  # Md, Mst: weak
    elif category == _LOW:
        tokens = (_token(latin, TokenKind.LOW_WEIGHT),)
        votes = (t.low_weight[latin],)
    elif category == _INITIAL:
        tokens = tuple(_token(letter, TokenKind.INITIAL) for letter in latin)
    elif category == _NICK:
        tokens = (_token(latin, TokenKind.NICKNAME),)
    elif category == _TITLE:
        tokens = (_token(latin, _title_kind(latin)),)
        if latin in t.low_weight:
            votes = (t.low_weight[latin],)
        elif sex is not None:
            votes = ((sex, False),)  # kept as a name part ("Selvi"): weak
    elif category in (_GIVEN, _TRAIL):
        tokens = (_token(latin, TokenKind.GIVEN),)
        parts = _split_joined_suffix(latin) if category == _GIVEN else (latin,)
        if len(parts) == 2:
            stem = _classify(parts[0], False)
            if stem.category in (_GIVEN, _NICK):  # "rameshbhai"; never split "kumaribhai"
                tokens = (*stem.tokens, _token(parts[1], TokenKind.LOW_WEIGHT))
                votes = (*stem.votes, t.low_weight[parts[1]])
    contextual = category in (_REL, _TITLE, _TRAIL) or latin in tables.ABD_FORMS
    contextual = contextual or latin in t.relation_of
    return _Word(latin, category, sex, relation, tokens, votes, contextual)


@lru_cache(maxsize=65536)
def _token(text: str, kind: TokenKind) -> NameToken:
    return NameToken(text, kind, strict_key(text), loose_key(text))


# ---------------------------------------------------------------------------
# Splitting a field into words
# ---------------------------------------------------------------------------

# S/o, D/o, W/o, C/o, B/o, H/o with a slash or backslash, any spacing, an O or a zero.
_RELATION_SLASH: Final = re.compile(r"(?<![^\W\d_])([sdwcbh])\s*[/\\]\s*[o0](?![^\W\d_])", re.I)
_NOT_APPLICABLE: Final = re.compile(r"(?<![^\W\d_])n\s*/\s*a(?![^\W\d_])", re.I)
_MARK: Final = "\ue000"  # private-use character that stands for "/" inside a relation marker

# Separators: everything but letters, marks and the dot (kept to see initials).
_SEPARATORS: Final[dict[int, str | None]] = {
    ord(c): " " for c in ',;:/\\|()[]{}<>"`!?*&#=+~^%$_-–—‘“”«»·•।॥،؛۔'
}
_SEPARATORS[ord("'")] = None
_SEPARATORS[ord("’")] = None  # D'Souza, D’Souza -> dsouza
_SEPARATORS[ord("@")] = " @ "
_SEPARATORS[ord(".")] = ". "
_SEPARATORS[ord("॰")] = ". "
for _digit in "0123456789":
    _SEPARATORS[ord(_digit)] = " "


def _words(folded: str) -> list[tuple[str, bool]]:
    """Split folded text into (word, followed by a dot) pairs; relation markers kept whole."""
    marked = False
    if "/" in folded or "\\" in folded:
        folded = _NOT_APPLICABLE.sub(" na ", folded)
        folded = _RELATION_SLASH.sub(lambda m: f" {m.group(1).lower()}{_MARK}o ", folded)
        marked = _MARK in folded
    split = folded.translate(_SEPARATORS).split()
    if not marked and "." not in folded and "॰" not in folded:
        return [(piece, False) for piece in split]  # the common case
    out: list[tuple[str, bool]] = []
    for piece in split:
        if piece == ".":
            continue
        dotted = piece.endswith(".")
        word = piece.rstrip(".").replace(_MARK, "/")
        if word:
            out.append((word, dotted))
    return out


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def _vote_sex(votes: list[tuple[Sex, bool]]) -> Sex | None:
    """Strong markers (titles, Kumari, Devi, S/o) decide; weak ones (Kumar, Singh) only alone."""
    strong = {sex for sex, is_strong in votes if is_strong}
    if len(strong) == 1:
        return next(iter(strong))
    if strong:
        return None
    weak = {sex for sex, _ in votes}
    return next(iter(weak)) if len(weak) == 1 else None


_EMPTY: Final = ParsedName("", None, "", (), None, False, None, None)


def _parse_words(words: list[tuple[str, bool]], original: str, script: str | None) -> ParsedName:
    last = len(words) - 1
    infos = [_classify(_expanded(w.lower(), i, last), d) for i, (w, d) in enumerate(words)]
    relation: str | None = None
    related: ParsedName | None = None
    tokens: list[NameToken] = []
    votes: list[tuple[Sex, bool]] = []
    contextual = False
    for info in infos:
        if info.contextual:
            contextual = True
            break
        tokens.extend(info.tokens)
        votes.extend(info.votes)
    if contextual:
        tokens.clear()
        votes.clear()
        relation, related, infos = _split_relation(words, infos)
        if relation == "son_of":
            votes.append((Sex.MALE, True))
        elif relation in ("daughter_of", "wife_of"):
            votes.append((Sex.FEMALE, True))
        _contextual_tokens(infos, tokens, votes)
    latin, kept, sex_hint, nickname_only = _name_shape(tokens, votes)
    return ParsedName(original, script, latin, kept, sex_hint, nickname_only, relation, related)


_Shape = tuple[str, tuple[NameToken, ...], Sex | None, bool]


def _name_shape(tokens: list[NameToken], votes: list[tuple[Sex, bool]]) -> _Shape:
    """``(latin, tokens, sex_hint, is_nickname_only)`` of a name's kept tokens and sex votes.

    One pass over the tokens: this runs for every distinct name of an import.
    """
    informative_or_initial = False
    given = 0
    nicknames = 0
    texts: list[str] = []
    for tok in tokens:
        texts.append(tok.text)
        kind = tok.kind
        if kind is TokenKind.NICKNAME:
            nicknames += 1
            informative_or_initial = True
        elif kind is TokenKind.GIVEN:
            given += 1
            informative_or_initial = True
        elif kind is TokenKind.INITIAL:
            informative_or_initial = True
    # A name of nothing but prefixes or low-weight parts ("Mohammad", "Devi") is a given name.
    if tokens and not informative_or_initial:
        return (
            " ".join(texts),
            tuple(_token(text, TokenKind.GIVEN) for text in texts),
            _vote_sex(votes) if votes else None,
            False,
        )
    return (
        " ".join(texts),
        tuple(tokens),
        _vote_sex(votes) if votes else None,
        nicknames > 0 and given == 0,
    )


def _plain_shape(lowered: str) -> _Shape | None:
    """The shape of a lower-case ASCII name with no slash, backslash, dot or contextual word.

    Such a name splits into undotted words with nothing to mark, so it reads
    word by word exactly as :func:`_parse_words` would; a name with a relation
    marker, title, "Abdul" or trailing honorific returns ``None`` and takes the
    full path. Not cached itself: ``parse_name`` is, and a second cache here
    would keep one more object per name alive for the garbage collector to walk.
    """
    tokens: list[NameToken] = []
    votes: list[tuple[Sex, bool]] = []
    words = lowered.translate(_SEPARATORS).split()
    last = len(words) - 1
    for i, word in enumerate(words):
        info = _classify(_expanded(word, i, last), False)
        if info.contextual:
            return None
        tokens.extend(info.tokens)
        votes.extend(info.votes)
    return _name_shape(tokens, votes)


_INFORMATIVE_OR_INITIAL: Final = frozenset({*GIVEN_KINDS, TokenKind.INITIAL})


def _split_relation(
    words: list[tuple[str, bool]], infos: list[_Word]
) -> tuple[str | None, ParsedName | None, list[_Word]]:
    """Cut at the first relation marker: (relation, the related person, own words)."""
    t = name_tables()
    for i, info in enumerate(infos):
        skip = 1
        relation = info.relation if info.category == _REL else None
        if (
            relation is None
            and info.latin in t.relation_of
            and i + 1 < len(infos)
            and infos[i + 1].latin == _OF
        ):
            relation, skip = t.relation_of[info.latin], 2
        if relation is not None and (i > 0 or len(infos) > skip):
            rest = words[i + skip :]
            related = None
            if rest:
                rest_text = " ".join(w for w, _ in rest)
                related = _parse_words(rest, rest_text, detect_script(rest_text))
            return relation, related, infos[:i]
    return None, None, infos


def _contextual_tokens(
    infos: list[_Word], tokens: list[NameToken], votes: list[tuple[Sex, bool]]
) -> None:
    """Tokens and sex votes of words whose meaning depends on their neighbours.

    Words that leave no token (honorifics, placeholders, alias marks) are taken
    out first, so that neighbours are judged as they stand in the canonical
    name: otherwise a re-parse of ``latin`` could decide differently.
    """
    kept: list[_Word] = []
    for info in infos:
        if info.category in (_HON, _PLACE):
            votes.extend(info.votes)
        else:
            kept.append(info)
    infos = kept
    leading = True
    i = 0
    n = len(infos)
    while i < n:
        info = infos[i]
        cat = info.category
        if cat == _TITLE and leading and _names_follow(infos, i + 1):
            if info.sex is not None:
                votes.append((info.sex, True))  # "Kumari Sunita": a title
            i += 1
            continue
        if cat == _REL or (cat == _TRAIL and tokens):
            i += 1
            continue
        if info.latin in tables.ABD_FORMS and i + 1 < n and infos[i + 1].category == _GIVEN:
            joined = _classify(_join_abd(info.latin, infos[i + 1].latin), False)
            tokens.extend(joined.tokens)  # classified as one word, as a re-parse would
            votes.extend(joined.votes)
            leading = False
            i += 2
            continue
        tokens.extend(info.tokens)
        votes.extend(info.votes)
        if info.tokens:
            leading = False
        i += 1


def _title_kind(text: str) -> TokenKind:
    t = name_tables()
    if text in t.low_weight:
        return TokenKind.LOW_WEIGHT
    if spelling_key(text) in t.nicknames:
        return TokenKind.NICKNAME
    return TokenKind.GIVEN


def _names_follow(infos: list[_Word], start: int) -> bool:
    """Whether a given name, nickname, prefix or initial follows position ``start``."""
    for info in infos[start:]:
        if info.category == _REL:
            return False
        if info.category in (_GIVEN, _NICK, _PREFIX, _INITIAL):
            return True
    return False


@lru_cache(maxsize=16384)
def _split_joined_suffix(text: str) -> tuple[str, ...]:
    """ "rameshbhai" -> ("ramesh", "bhai"); "geetaben" -> ("geeta", "ben")."""
    for suffix, min_stem in tables.JOINED_SUFFIXES.items():
        if text.endswith(suffix) and len(text) - len(suffix) >= min_stem:
            return (text[: -len(suffix)], suffix)
    return (text,)


@lru_cache(maxsize=1 << 17)
def parse_name(text: str) -> ParsedName:
    """Parse a name field; never raises on any string, empty text gives no tokens.

    >>> parse_name("Mohd. Irfan Shaikh").latin
    'mohammad irfan shaikh'
    >>> parse_name("Late Shri Ram Prasad").latin
    'ram prasad'
    """
    if not text:
        return _EMPTY
    if text.isascii() and text.isprintable():
        # ASCII fast path: fold_text would only collapse the white space, and
        # the script is None.
        folded = " ".join(text.split())
        if not folded:
            return _EMPTY
        if "/" not in folded and "\\" not in folded and "." not in folded:
            shape = _plain_shape(folded.lower())
            if shape is not None:
                latin, tokens, sex_hint, nickname_only = shape
                return ParsedName(folded, None, latin, tokens, sex_hint, nickname_only, None, None)
        return _parse_words(_words(folded), folded, None)
    folded = fold_text(text)
    if not folded:
        return _EMPTY
    return _parse_words(_words(folded), folded, detect_script(folded))


def normalize_name(text: str) -> str:
    """The canonical Latin form of a name (``parse_name(text).latin``); idempotent."""
    return parse_name(text).latin


_ALIAS_SPLIT: Final = re.compile(r"[;,/|@]|\b(?:urf|urph|alias|aka)\b|उर्फ|عرف|ওরফে", re.I)


@lru_cache(maxsize=1 << 14)
def parse_aliases(text: str) -> tuple[ParsedName, ...]:
    """Parse an aliases field: names separated by ';' (also ',', '/', '|', '@', "urf", "alias").

    Relation markers such as "S/o" are not split at their slash; empty parts
    and parts with no name in them are left out.
    """
    if not text:
        return ()
    folded = fold_text(text)
    if "/" in folded or "\\" in folded:
        folded = _NOT_APPLICABLE.sub(" na ", folded)
        folded = _RELATION_SLASH.sub(lambda m: f" {m.group(1).lower()}{_MARK}o ", folded)
    out: list[ParsedName] = []
    for part in _ALIAS_SPLIT.split(folded):
        part = part.replace(_MARK, "/").strip()
        if part:
            parsed = parse_name(part)
            if parsed.tokens or parsed.related_name is not None:
                out.append(parsed)
    return tuple(out)

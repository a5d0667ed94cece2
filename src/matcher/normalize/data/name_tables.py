"""Reference tables for parsing South Asian personal names.

Plain data, no logic: ``matcher.normalize.names.name_tables()`` loads them once
into a ``NameTables`` value. Latin entries are lower-case with dots removed
("smt." is written "smt").

Native-script entries are matched as written (after Unicode folding and with
a trailing dot removed), never through their romanization, so that a native
abbreviation such as سید or मो cannot turn a Latin name ("Sid", "Mo") into a
prefix.

Sex values are "male", "female" or None (the word says nothing about sex).
Sources: common usage in Indian police, child-welfare and census records
(FIR, Track the Missing Child and Khoya-Paya style forms), the indic-faker
name lists, and the brief of issue 2; nicknames are the pet names
("ghar ka naam") most often recorded for children in North, East and South
India. Each nickname says whether it is also a formal given name, because
"Raju" or "Sonu" on a school certificate is the child's real name.
"""

from __future__ import annotations

from typing import Final

# ---------------------------------------------------------------------------
# Honorifics: dropped from the canonical name, but their sex is kept as a hint.
# ---------------------------------------------------------------------------

#: Always titles, never a part of a name.
HONORIFICS: Final[dict[str, str | None]] = {
    # male
    "mr": "male", "mister": "male", "shri": "male", "shree": "male", "shrimaan": "male",
    "shriman": "male", "sh": "male", "shr": "male", "janab": "male", "jnb": "male",
    "thiru": "male", "tiru": "male", "thiruvalar": "male", "chi": "male",
    "chiranjeevi": "male", "chiranjivi": "male", "mstr": "male",
    # female
    "mrs": "female", "ms": "female", "miss": "female", "smt": "female", "shrimati": "female",
    "srimati": "female", "shreemati": "female", "sreemati": "female", "shrimti": "female",
    "srimathi": "female", "shrimathi": "female", "sushri": "female", "km": "female",
    "kum": "female", "ku": "female", "kmr": "female", "sau": "female",
    "saubhagyavati": "female", "tmt": "female", "thirumathi": "female",
    "thirumati": "female", "mohtarma": "female",
    # no sex
    "dr": None, "doctor": None, "late": None, "lt": None, "swargiya": None,
    "swargiy": None, "svargiya": None, "svargiy": None, "sv": None, "sw": None,
    "swa": None, "marhoom": None, "marhum": None, "mrhm": None, "prof": None, "er": None,
    "adv": None, "hon": None, "haji": None, "hajji": None, "maulana": None,
    "moulana": None, "maulvi": None, "mufti": None, "hazrat": None,
}  # fmt: skip

#: Titles that are also name parts: dropped only at the start of a name and
#: only when a name follows ("Kumari Sunita" -> "sunita", "Sunita Kumari" keeps it;
#: "Sri Lakshmi" -> "lakshmi", but "Sri Devi" keeps "sri").
TITLES_OR_NAMES: Final[dict[str, str | None]] = {
    "sri": None, "sree": None, "kumari": "female", "selvi": "female",
    "selvan": "male", "master": "male", "baby": None, "kunwar": "male",
}  # fmt: skip

#: Honorifics that follow a name ("Ram Prasad ji", "Khan sahab").
TRAILING_HONORIFICS: Final[frozenset[str]] = frozenset(
    {"ji", "jee", "sahab", "saheb", "sahiba", "garu", "avargal"}
)

#: The same honorifics and titles as written in Indian scripts and Urdu.
NATIVE_HONORIFICS: Final[tuple[str, ...]] = (
    "श्री", "श्रीमती", "श्रीमान", "सुश्री", "कुमारी", "कु", "स्व", "स्वर्गीय", "डॉ", "डा", "जनाब",
    "मौलाना", "हाजी", "चि", "सौ", "शरीमती",
    "শ্রী", "শ্রীমতী", "শ্রীমান", "কুমারী", "স্বর্গীয়", "ডাঃ", "জনাব", "মরহুম",
    "ਸ੍ਰੀ", "ਸ਼੍ਰੀ", "ਸ੍ਰੀਮਤੀ", "ਸ਼੍ਰੀਮਤੀ", "ਸਵਰਗੀ",
    "શ્રી", "શ્રીમતી", "સ્વ", "કુમારી",
    "ଶ୍ରୀ", "ଶ୍ରୀମତୀ", "ସ୍ୱର୍ଗତ",
    "திரு", "திருமதி", "செல்வி", "செல்வன்",
    "శ్రీ", "శ్రీమతి", "కుమారి",
    "ಶ್ರೀ", "ಶ್ರೀಮತಿ", "ಕುಮಾರಿ",
    "ശ്രീ", "ശ്രീമതി", "കുമാരി",
    "جناب", "محترمہ", "مرحوم", "ڈاکٹر", "حاجی", "مولانا",
)  # fmt: skip

# ---------------------------------------------------------------------------
# Prefixes: kept, in a canonical spelling.
# ---------------------------------------------------------------------------

#: canonical -> (sex, spellings). "Md" and its kin are written before most
#: Muslim men's names in Bengal and Bihar; "Mst" before women's.
PREFIXES: Final[dict[str, tuple[str | None, tuple[str, ...]]]] = {
    "mohammad": (
        "male",
        (
            "md", "mohd", "mohamad", "mohammad", "mohammed", "muhammad", "muhammed",
            "mohamed", "mohmmad", "mohmad", "mohmed", "mohammod", "mahammad", "mahamad",
            "muhamad", "muhamed", "mhd", "mohmd", "mahomed", "mohmmed", "mohummad",
            "muhammadh", "mohamadh", "mohd", "muhd", "mahammed", "mahmmad",
        ),
    ),
    "shaikh": (
        None,
        ("sk", "shaikh", "sheikh", "shekh", "sheik", "seikh", "saikh", "shiekh", "shak", "skh"),
    ),
    "musammat": (
        "female",
        (
            "mst", "musammat", "mosammat", "mosst", "most", "mussammat", "musammath",
            "mosamat", "mosammad", "musamat", "mossammat", "mussamat",
        ),
    ),
    "syed": (
        None,
        ("syed", "sayed", "saiyed", "sayyed", "sayyid", "syyed", "saiyad", "sayyad", "seyed"),
    ),
}  # fmt: skip

#: Native spellings of the prefixes (matched as written).
NATIVE_PREFIXES: Final[dict[str, str]] = {
    "मो": "mohammad", "मोहम्मद": "mohammad", "मुहम्मद": "mohammad", "मोहमद": "mohammad",
    "শেখ": "shaikh", "শেখ্": "shaikh", "শাইখ": "shaikh", "शेख": "shaikh",
    "মোঃ": "mohammad", "মোহাম্মদ": "mohammad", "মুহাম্মদ": "mohammad", "মোছাঃ": "musammat",
    "মোসাম্মৎ": "musammat", "মোসাঃ": "musammat", "मुसम्मात": "musammat",
    "सैयद": "syed", "সৈয়দ": "syed", "سید": "syed", "محمد": "mohammad",
    "ਮੁਹੰਮਦ": "mohammad", "മുഹമ്മദ്": "mohammad", "முகம்மது": "mohammad",
}  # fmt: skip

#: "Abd" + the Arabic article, joined to the next word: Abdul Karim, Abdur Rahman,
#: Abdus Samad. The article assimilates to sun letters (ur, us, un, ...).
ABD_FORMS: Final[frozenset[str]] = frozenset(
    {"abdul", "abdur", "abdus", "abdun", "abdud", "abdut", "abduz", "abdush", "abdal",
     "abdel", "abdar", "abdas", "abd", "abdu", "abdool"}
)  # fmt: skip
#: Words that start with "abd" but are whole names, not "abd + article + name".
ABD_WHOLE: Final[frozenset[str]] = frozenset(
    {"abdulla", "abdullah", "abdulah", "abdullha", "abdali", "abdool"}
)

# ---------------------------------------------------------------------------
# Low-weight name parts: kept as evidence (they carry sex), weighted low.
# ---------------------------------------------------------------------------

#: word -> (sex, strong). Strong markers outvote weak ones: women are often
#: written with a family "Kumar" or "Singh" ("Priya Singh"), never with "Devi"
#: for a man.
LOW_WEIGHT: Final[dict[str, tuple[str, bool]]] = {
    "kumar": ("male", False), "kumaar": ("male", False), "singh": ("male", False),
    "sinh": ("male", False), "sing": ("male", False), "bhai": ("male", True),
    "kumari": ("female", True), "kumaari": ("female", True), "devi": ("female", True),
    "debi": ("female", True), "khatun": ("female", True), "khatoon": ("female", True),
    "khaatoon": ("female", True), "begum": ("female", True), "begam": ("female", True),
    "bibi": ("female", True), "beebi": ("female", True), "kaur": ("female", True),
    "kour": ("female", True), "bai": ("female", True), "ben": ("female", True),
    "behen": ("female", True), "bahen": ("female", True), "bano": ("female", True),
    "banu": ("female", True), "ammal": ("female", True),
}  # fmt: skip

#: Native spellings of the low-weight parts (matched as written).
NATIVE_LOW_WEIGHT: Final[dict[str, str]] = {
    "कुमार": "kumar", "कुमारी": "kumari", "देवी": "devi", "खातून": "khatoon", "बेगम": "begum",
    "बीबी": "bibi", "सिंह": "singh", "कौर": "kaur", "बाई": "bai", "बेन": "ben", "भाई": "bhai",
    "बानो": "bano", "কুমার": "kumar", "কুমারী": "kumari", "দেবী": "devi", "খাতুন": "khatun",
    "বেগম": "begum", "বিবি": "bibi", "ਸਿੰਘ": "singh", "ਕੌਰ": "kaur", "ਕੁਮਾਰ": "kumar",
    "ਦੇਵੀ": "devi", "ਬੀਬੀ": "bibi", "ସିଂହ": "singh", "કુમાર": "kumar", "બેન": "ben",
    "ભાઈ": "bhai", "ભાઇ": "bhai", "સિંહ": "singh", "دیوی": "devi", "خاتون": "khatoon",
    "بیگم": "begum", "بی بی": "bibi", "بیبی": "bibi", "بانو": "bano",
}  # fmt: skip

#: Suffixes written joined to a Gujarati given name ("Rameshbhai", "Geetaben"),
#: split off when the stem is at least this long.
JOINED_SUFFIXES: Final[dict[str, int]] = {"bhai": 3, "ben": 4, "bahen": 4}

#: Names one typo from a low-weight word that keep its first letter and
#: consonants: never read as that word misspelt. Kamar: a surname in Odisha
#: and Chhattisgarh, and Qamar as officers often write it.
NAMES_NEAR_LOW_WEIGHT: Final[frozenset[str]] = frozenset({"kamar"})

# ---------------------------------------------------------------------------
# Nicknames.
# ---------------------------------------------------------------------------

#: nickname -> also a formal given name. Matching is by strict phonetic key,
#: so one spelling per nickname is enough (Chhotu covers Chotu, Chottu, Chhotoo).
NICKNAMES: Final[dict[str, bool]] = {
    # North India (Hindi belt, Punjab, Rajasthan)
    "chhotu": False, "chhota": False, "chhoti": False, "chhutki": False, "chhutku": False,
    "munna": False, "munni": False, "munnu": False, "guddu": False, "guddi": False,
    "gudiya": False, "guriya": False, "gudia": False, "pappu": False, "pappi": False,
    "bablu": True, "babloo": True, "babli": False, "bunty": True, "banti": False,
    "sonu": True, "monu": True, "golu": False, "gollu": False, "chintu": False,
    "bittu": False, "bitto": False, "raju": True, "pinky": True, "pinki": True,
    "pintu": False, "rinku": True, "rinki": True, "tinku": False, "tinki": False,
    "kalu": False, "kallu": False, "lallu": False, "lalla": False, "sweety": True,
    "dabbu": False, "chunnu": False, "chunni": False, "nannu": False, "nanhe": False,
    "nanhi": False, "lado": False, "laddu": False, "motu": False, "chikku": False,
    "titu": False, "tuntun": False, "jhunnu": False, "bunnu": False, "happy": True,
    "lucky": True, "bobby": True, "dolly": True, "rani": True, "bhola": True,
    "billu": False, "gattu": False, "pinku": False, "nikku": False, "vicky": True,
    "sunny": True, "nikki": True, "pammi": False, "goldy": True, "honey": True,
    "mintu": False, "minku": False, "chotu": False, "kaku": False, "kukku": False,
    "buddhu": False, "bhura": False, "lalli": False, "tillu": False, "sanju": True,
    "ballu": False, "kittu": False, "chhaila": False, "jhallu": False, "bhaiya": False,
    "bhaiyya": False, "didi": False, "baby": True, "babu": True, "munia": False,
    "muniya": False, "bachcha": False, "bachchi": False, "chhotki": False,
    # East (Bengal, Odisha, Assam)
    "bapi": False, "bappa": True, "babai": False, "bumba": False, "tuktuki": False,
    "mithu": True, "tutul": False, "pupai": False, "khokon": False, "khuku": False,
    "bubai": False, "rontu": False, "tublu": False, "montu": False, "bapan": False,
    "shona": True, "sona": True, "mamoni": False, "tuni": False, "bulbul": True,
    "poltu": False, "pintoo": False, "lipu": False, "chhotka": False, "bachhu": False,
    # South (Tamil Nadu, Kerala, Andhra, Karnataka)
    "kanna": True, "kutty": False, "kutti": False, "thambi": False, "ammu": True,
    "unni": True, "chinna": False, "chinnu": False, "papa": False, "chitti": False,
    "bujji": False, "pandu": True, "bunny": False, "chinni": False, "kunju": True,
    "kuttan": True, "ponnu": False, "mani": True, "appu": False, "kichu": False,
    "kannan": True, "raja": True, "rosy": True,
}  # fmt: skip

# ---------------------------------------------------------------------------
# Placeholders: what officers write when the child gave no name.
# ---------------------------------------------------------------------------

#: placeholder -> the sex it tells ("unknown boy" says male).
PLACEHOLDERS: Final[dict[str, str | None]] = {
    "unknown": None, "unknwn": None, "unkown": None, "unknow": None, "unk": None,
    "notknown": None, "na": None, "nil": None, "none": None, "null": None, "not": None,
    "known": None, "name": None, "anonymous": None, "unidentified": None, "unnamed": None,
    "noname": None, "nameless": None, "agyat": None, "agyaat": None, "lavaris": None,
    "lawaris": None, "lavaaris": None, "benam": None, "benaam": None, "xxx": None,
    "xx": None, "child": None, "minor": None, "anjan": None, "namalum": None,
    "boy": "male", "male": "male", "ladka": "male", "ladaka": "male", "balak": "male",
    "bachha": "male", "girl": "female", "female": "female", "ladki": "female",
    "ladaki": "female", "balika": "female", "bachhi": "female",
}  # fmt: skip
#: Native spellings of placeholders (matched as written).
NATIVE_PLACEHOLDERS: Final[tuple[str, ...]] = (
    "अज्ञात",
    "लावारिस",
    "बेनाम",
    "अनजान",
    "नामालूम",
    "অজ্ঞাত",
    "অজানা",
    "ਅਣਪਛਾਤਾ",
    "نامعلوم",
    "لاوارث",
)

# ---------------------------------------------------------------------------
# Relation markers: "Ramesh S/o Suresh" names the parent after the marker.
# ---------------------------------------------------------------------------

#: Single-word markers (after the slash forms have been rewritten to "s/o" ...).
RELATION_WORDS: Final[dict[str, str]] = {
    "s/o": "son_of", "d/o": "daughter_of", "w/o": "wife_of", "c/o": "care_of",
    # B/o ("baby of") names the mother of an unnamed newborn: recorded as care_of.
    "b/o": "care_of", "h/o": "care_of",
    "walad": "son_of", "wald": "son_of", "valad": "son_of", "vald": "son_of",
    "putra": "son_of", "putr": "son_of", "suputra": "son_of", "suputr": "son_of",
    "putri": "daughter_of", "suputri": "daughter_of", "patni": "wife_of",
    "dharmpatni": "wife_of", "dharmapatni": "wife_of", "dwara": "care_of",
    "bint": "daughter_of", "binti": "daughter_of", "sut": "son_of", "suta": "daughter_of",
    # Not "bin": also a surname (Sunita Bin), and then the last word of a name.
    "binte": "daughter_of", "bintey": "daughter_of",
    # "Rahul pita Ramesh": the father is named (pita, father), the child's sex is not.
    "pita": "child_of", "pitaa": "child_of",
}  # fmt: skip
#: Two-word markers: first word -> relation, when followed by "of".
RELATION_OF: Final[dict[str, str]] = {
    "son": "son_of",
    "daughter": "daughter_of",
    "wife": "wife_of",
    "care": "care_of",
    # "Baby of Sunita": an unnamed newborn, named by its mother (as B/o).
    "baby": "care_of",
}
#: Native relation words (matched as written).
NATIVE_RELATIONS: Final[dict[str, str]] = {
    "पुत्र": "son_of",
    "सुपुत्र": "son_of",
    "पुत्री": "daughter_of",
    "सुपुत्री": "daughter_of",
    "पत्नी": "wife_of",
    "धर्मपत्नी": "wife_of",
    "द्वारा": "care_of",
    "वल्द": "son_of",
    "पिता": "child_of",
    "পিতা": "child_of",
    "ولد": "son_of",
    "بنت": "daughter_of",
    "زوجہ": "wife_of",
}

#: Abbreviations registers use for a middle name part: "Sanjay Kr. Singh" is Sanjay
#: Kumar Singh, "Ram Pd. Yadav" Ram Prasad Yadav, "Ram Bdr. Thapa" Ram Bahadur Thapa.
#: Read as initials, "Kr" was two initials K and R. First or last they stay initials
#: ("KR Narayanan", "Lakshmi KR").
ABBREVIATED_PARTS: Final[dict[str, str]] = {
    "kr": "kumar", "pd": "prasad", "prd": "prasad", "prsd": "prasad", "bdr": "bahadur",
}  # fmt: skip

#: One surname (or name) in its Sanskrit and its anglicized form, or in spellings no
#: phonetic fold joins: canonical -> other forms (matched by strict key, so their spellings
#: too).
#: "Amit Mukhopadhyay" and "Amit Mukherjee" are one name; read as written they agreed
#: on the given name only, and two surnames that disagree made them "partial".
SURNAME_FORMS: Final[dict[str, tuple[str, ...]]] = {
    "chatterjee": ("chattopadhyay", "chattopadhyaya", "chattopadhaya"),
    "banerjee": ("bandyopadhyay", "bandopadhyay", "bandyopadhyaya", "bandopadhyaya"),
    "mukherjee": ("mukhopadhyay", "mukhopadhyaya", "mukhopadhaya"),
    "ganguly": ("gangopadhyay", "gangopadhyaya"),
    "bhattacharya": ("bhattacharjee", "bhattacharjya"),
    "chakraborty": ("chakravarty", "chakrabarti", "chakravarti", "chakrabarty"),
    "chowdhury": ("choudhary", "chaudhary", "chaudhari", "chowdhary", "choudhari"),
    "majumdar": ("majumder", "mazumder"),
    # Bengali writes the inherent vowel as o and English a as e: officers of
    # Bengal and Bangladesh spell these one way, the rest of India the other.
    # Listed one by one: o/a and e/a are not folded for all names (Sona/Sana,
    # Sonia/Sania, Komal/Kamal are different names).
    "mandal": ("mondal", "mondol", "mandol"),
    "sarkar": ("sarker", "sircar"),
    "haldar": ("halder",),
    "dutta": ("datta",),
    "basu": ("bose",),
    "mitra": ("mitter",),
    "pramanik": ("paramanik", "pramanick"),
    "mollah": ("molla", "mulla", "mullah"),
    "hussain": ("hossain", "hossen", "hosen", "husain", "hussein"),
    "ahmad": ("ahmed", "ahamed", "ahammed"),
    "rahman": ("rehman", "rahaman"),
    "akhtar": ("akter", "akhter", "aktar"),
    "fatima": ("fatema",),
}

#: Words that separate aliases inside one field ("Ramesh urf Pappu", "Ramesh @ Pappu").
ALIAS_WORDS: Final[frozenset[str]] = frozenset({"urf", "urph", "uf", "alias", "aka", "@", "or"})
NATIVE_ALIAS_WORDS: Final[tuple[str, ...]] = ("उर्फ", "عرف", "ওরফে")

#: Devanagari letter names used as initials when followed by a dot ("आर. के. शर्मा").
DEVANAGARI_LETTER_NAMES: Final[dict[str, str]] = {
    "ए": "a", "बी": "b", "सी": "c", "डी": "d", "ई": "e", "एफ": "f", "एफ़": "f", "जी": "g",
    "एच": "h", "आई": "i", "जे": "j", "के": "k", "एल": "l", "एम": "m", "एन": "n", "ओ": "o",
    "पी": "p", "क्यू": "q", "आर": "r", "एस": "s", "टी": "t", "यू": "u", "वी": "v",
    "डब्ल्यू": "w", "एक्स": "x", "वाई": "y", "जेड": "z", "ज़ेड": "z",
}  # fmt: skip

"""parse_phones and phone_key: the guardian_phone field as families and officers write it."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.normalize.phones import (
    SERVICE_NUMBERS,
    PhoneSet,
    parse_phones,
    phone_key,
    phone_numbers,
)

MOBILE = "+919876543210"
LANDLINE = "+915422501234"  # Varanasi, STD code 0542

READS = [
    # (text, numbers, service numbers, invalid, description)
    ("98765 43210", (MOBILE,), (), (), "mobile written 5+5"),
    ("9876543210", (MOBILE,), (), (), "mobile, ten digits"),
    ("+91-9876543210", (MOBILE,), (), (), "with +91 and a hyphen"),
    ("+91 98765 43210", (MOBILE,), (), (), "with +91 and spaces"),
    ("09876543210", (MOBILE,), (), (), "with the trunk 0"),
    ("91 98765 43210", (MOBILE,), (), (), "91 without plus"),
    ("919876543210", (MOBILE,), (), (), "91 glued"),
    ("0091 98765 43210", (MOBILE,), (), (), "international prefix 00"),
    ("+91 09876543210", (MOBILE,), (), (), "country code and trunk 0 together"),
    ("98765-43210", (MOBILE,), (), (), "hyphenated"),
    ("९८७६५४३२१०", (MOBILE,), (), (), "Devanagari digits"),
    ("৯৮৭৬৫৪৩২১০", (MOBILE,), (), (), "Bengali digits"),
    ("0542 2501234", (LANDLINE,), (), (), "landline with STD code"),
    ("0542-2501234", (LANDLINE,), (), (), "landline, hyphen"),
    ("(0542) 2501234", (LANDLINE,), (), (), "STD code in brackets"),
    ("0542/2501234", (LANDLINE,), (), (), "STD code and slash"),
    ("+91 542 2501234", (LANDLINE,), (), (), "landline in international form"),
    ("011-23456789", ("+911123456789",), (), (), "Delhi landline"),
    (
        "09876543210;0542 2501234",
        (MOBILE, LANDLINE),
        (),
        (),
        "the spec's two-number example",
    ),
    (
        "9876543210, 9123456789",
        (MOBILE, "+919123456789"),
        (),
        (),
        "comma",
    ),
    (
        "9876543210/9123456789",
        (MOBILE, "+919123456789"),
        (),
        (),
        "slash between two mobiles",
    ),
    (
        "9876543210 9123456789",
        (MOBILE, "+919123456789"),
        (),
        (),
        "two mobiles separated by a space only",
    ),
    (
        "+91 98765 43210 +91 91234 56789",
        (MOBILE, "+919123456789"),
        (),
        (),
        "two international numbers in a row",
    ),
    (
        "9876543210 (father); 9123456789 (uncle)",
        (MOBILE, "+919123456789"),
        (),
        (),
        "labels in brackets",
    ),
    ("Mob: 98765-43210", (MOBILE,), (), (), "label before"),
    ("पिता 9876543210", (MOBILE,), (), (), "Hindi label"),
    ("9876543210 | 9876543210", (MOBILE,), (), (), "duplicates dropped"),
    ("09876543210; +91 98765 43210", (MOBILE,), (), (), "same number, two forms"),
    ("+977 9841234567", ("+9779841234567",), (), (), "Nepal mobile"),
    ("+977-1-4412345", ("+97714412345",), (), (), "Kathmandu landline"),
    ("00977 9841234567", ("+9779841234567",), (), (), "Nepal with 00"),
    ("+880 1712345678", ("+8801712345678",), (), (), "Bangladesh mobile"),
    ("+880-1712-345678", ("+8801712345678",), (), (), "Bangladesh, hyphens"),
    ("880 1712345678", ("+8801712345678",), (), (), "Bangladesh's code without the +"),
    ("977-9841234567", ("+9779841234567",), (), (), "Nepal's code without the +"),
    ("9771234567", ("+919771234567",), (), (), "an Indian mobile that starts with 977"),
    ("1098", (), ("1098",), (), "Childline"),
    ("1098 (Childline)", (), ("1098",), (), "Childline with label"),
    ("100; 112", (), ("100", "112"), (), "police and emergency"),
    ("181", (), ("181",), (), "women helpline"),
    ("1091", (), ("1091",), (), "women helpline (police)"),
    ("9876543210; 1098", (MOBILE,), ("1098",), (), "family phone and Childline"),
    ("104", (), ("104",), (), "a short number phonenumbers knows (health helpline)"),
    ("9999999999", (), (), ("9999999999",), "placeholder for no phone"),
    ("9000000000", (), (), ("9000000000",), "placeholder 9 and zeros"),
    ("98765 4321", (), (), ("98765 4321",), "a digit missing"),
    ("98765432100", (), (), ("98765432100",), "a digit too many"),
    ("2501234", (), (), ("2501234",), "landline without STD code"),
    ("12345", (), (), ("12345",), "five digits"),
    ("5", (), (), ("5",), "one digit"),
    (
        "9876543210 12345",
        (MOBILE,),
        (),
        ("12345",),
        "a valid number and a fragment",
    ),
    (
        "9876543210; 98765",
        (MOBILE,),
        (),
        ("98765",),
        "invalid reported per number, the valid one kept",
    ),
    ("", (), (), (), "empty"),
    ("NA", (), (), (), "NA"),
    ("not available", (), (), (), "words only"),
    ("-", (), (), (), "dash"),
]


@pytest.mark.parametrize(
    ("text", "numbers", "services", "invalid"),
    [c[:4] for c in READS],
    ids=[c[4] for c in READS],
)
def test_reads(
    text: str,
    numbers: tuple[str, ...],
    services: tuple[str, ...],
    invalid: tuple[str, ...],
) -> None:
    assert parse_phones(text) == PhoneSet(numbers, services, invalid)


def test_other_default_region() -> None:
    assert parse_phones("9841234567", default_region="NP").numbers == ("+9779841234567",)
    assert parse_phones("01712345678", default_region="bd").numbers == ("+8801712345678",)


def test_unknown_region_never_raises() -> None:
    result = parse_phones("9876543210", default_region="ZZ")
    assert result.numbers == ()
    assert result.invalid == ("9876543210",)


def test_service_numbers_table_is_what_the_issue_lists() -> None:
    for number in ("1098", "112", "100", "101", "102", "108", "181", "1091"):
        assert number in SERVICE_NUMBERS


KEYS = [
    (MOBILE, "9876543210", "Indian mobile"),
    (LANDLINE, "5422501234", "Indian landline: STD code and number"),
    ("+9779841234567", "9841234567", "Nepal mobile"),
    ("+8801712345678", "1712345678", "Bangladesh mobile"),
    ("+97714412345", "7714412345", "Nepal landline: shorter, so the key takes code digits"),
]


@pytest.mark.parametrize(("e164", "key"), [c[:2] for c in KEYS], ids=[c[2] for c in KEYS])
def test_phone_key(e164: str, key: str) -> None:
    assert phone_key(e164) == key


def test_same_number_same_key_in_any_form() -> None:
    keys = {
        phone_key(n)
        for text in ("98765 43210", "+91-9876543210", "09876543210", "९८७६५४३२१०")
        for n in parse_phones(text).numbers
    }
    assert keys == {"9876543210"}


# --- properties -------------------------------------------------------------


def reference_reading(digits: str) -> str | None:
    """The obvious, slow reading: phonenumbers.parse, is_valid_number, no placeholder."""
    try:
        number = phonenumbers.parse(digits, "IN")
    except phonenumbers.NumberParseException:
        return None
    national = str(number.national_number)
    if not phonenumbers.is_valid_number(number) or len(set(national[1:])) == 1:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@given(st.from_regex(r"(0|91|\+91|0091)?[0-9]{10}", fullmatch=True))
def test_indian_shortcut_agrees_with_full_parse(digits: str) -> None:
    expected = reference_reading(digits)
    result = parse_phones(digits)
    assert result.numbers == ((expected,) if expected else ())


indian_mobiles = st.from_regex(r"[6-9][0-9]{9}", fullmatch=True).filter(
    lambda d: reference_reading(d) is not None
)
WRITTEN = [
    "{d}",
    "+91-{d}",
    "+91 {a} {b}",
    "0{d}",
    "91 {a} {b}",
    "0091{d}",
    "091-{a}-{b}",
    "{a}-{b}",
    "{a} {b} (father)",
    "Mob. {d}",
]


@given(indian_mobiles, st.sampled_from(WRITTEN))
def test_every_written_form_gives_the_same_e164(digits: str, form: str) -> None:
    text = form.format(d=digits, a=digits[:5], b=digits[5:])
    assert parse_phones(text).numbers == ("+91" + digits,)


@given(st.lists(indian_mobiles, min_size=1, max_size=4), st.sampled_from([";", ",", " / ", "\n"]))
def test_several_numbers_keep_their_order(numbers: list[str], separator: str) -> None:
    expected = tuple(dict.fromkeys("+91" + n for n in numbers))
    assert parse_phones(separator.join(numbers)).numbers == expected


@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    result = parse_phones(text)
    for number in result.numbers:
        assert number.startswith("+")
        assert parse_phones(number).numbers == (number,)  # idempotent
        assert len(phone_key(number)) == 10


phone_like = st.lists(
    st.sampled_from(
        [
            "9876543210",
            "98765",
            "43210",
            "+91",
            "+977",
            "0",
            "00",
            "1098",
            " ",
            "-",
            "/",
            ";",
            ",",
            "(",
            ")",
            "father",
            "९८७६",
            "\x00",
            "\u200b",
            "+",
            ".",
        ]
    ),
    max_size=12,
).map("".join)


@given(phone_like)
def test_never_raises_on_phone_like_text(text: str) -> None:
    result = parse_phones(text)
    assert len(set(result.numbers)) == len(result.numbers)


@settings(max_examples=20)  # generating huge strings is what is slow here
@given(st.text(min_size=2000, max_size=5000))
def test_huge_text_never_raises(text: str) -> None:
    parse_phones(text)


def test_megabyte_field() -> None:
    result = parse_phones("\x00 9876543210;" * 80_000)
    assert result.numbers == (MOBILE,)


def test_long_run_of_spaced_digits_is_read_in_linear_time() -> None:
    """A quadratic split would not finish: 300,000 groups in one run."""
    result = parse_phones("1 " * 300_000 + "98765 43210")
    assert result.numbers == (MOBILE,)
    assert result.invalid == ("1",)


def test_long_foreign_number_is_read_whole() -> None:
    assert parse_phones("+49 1512 3456789").numbers == ("+4915123456789",)


# phone_numbers: the numbers a Person keeps, with a shortcut for fields that
# hold numbers alone between separators. It must read exactly as parse_phones.

written_number = st.one_of(
    indian_mobiles.flatmap(
        lambda d: st.sampled_from(WRITTEN[:7]).map(lambda form: form.format(d=d, a=d[:5], b=d[5:]))
    ),
    st.from_regex(r"\+?[0-9][0-9 \-]{0,20}[0-9]", fullmatch=True),
    st.from_regex(r"[0-9]{5}[ \-][0-9]{5}[ \-][0-9]{1,7}", fullmatch=True),
    st.sampled_from(["1098", "112", "9999999999", "0542 2501234", "+977 9841234567", "n/a"]),
)


@given(
    st.lists(written_number, min_size=1, max_size=3), st.sampled_from([";", "; ", ",", "|", " "])
)
def test_phone_numbers_reads_as_parse_phones(numbers: list[str], separator: str) -> None:
    text = separator.join(numbers)
    assert phone_numbers(text) == parse_phones(text).numbers


@given(st.text(alphabet="0123456789 -+;,|/()x\n९", max_size=40))
def test_phone_numbers_reads_as_parse_phones_on_any_digits(text: str) -> None:
    assert phone_numbers(text) == parse_phones(text).numbers


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("9876543210", (MOBILE,)),
        ("+91-9876543210; 98765 43210", (MOBILE,)),
        ("9876543210;9123456789", (MOBILE, "+919123456789")),
        ("9999999999", ()),
        ("1098", ()),
        ("9876543210 (father)", (MOBILE,)),
        ("98765 43210 12345", (MOBILE,)),  # 15 digits: too long for one number, split
        ("", ()),
    ],
)
def test_phone_numbers(text: str, numbers: tuple[str, ...]) -> None:
    assert phone_numbers(text) == numbers

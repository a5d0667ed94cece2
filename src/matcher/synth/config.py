"""The knobs of the generator: population shape and per-record corruption rates.

Every rate is a probability per record (or per name token where it says so).
The defaults are the *benchmark* mix: hard on purpose, because a generator that
makes easy data hides the failures that matter (a common name matched to the
wrong child).  :meth:`SynthConfig.scaled` makes an easier or harder variant by
scaling every corruption rate at once, for difficulty curves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace

# Parameters that are not probabilities (everything else must lie in [0, 1]).
_NOT_RATES = frozenset(
    {"name_zipf_exponent", "name_zipf_offset", "max_found_delay_years", "found_age_sd_years"}
)


@dataclass(frozen=True, slots=True)
class SynthConfig:
    """Population and corruption parameters of :func:`matcher.synth.generate`."""

    # --- population ---------------------------------------------------------
    never_reported_share: float = 0.40
    """Share of found children who were never reported missing (no true pair)."""
    second_report_share: float = 0.05
    """Share of reported children with a second missing report (another state or relative)."""
    sibling_family_share: float = 0.06
    """Share of reporting families with two to four children reported."""
    siblings_found_together: float = 0.35
    """Probability that the siblings of a found reported child are found with it."""
    female_share: float = 0.60
    """Share of girls among missing children (girls are the majority in Indian reports)."""
    name_zipf_exponent: float = 1.0
    """Exponent ``s`` of the name rank weights ``1 / (rank + offset) ** s``."""
    name_zipf_offset: float = 2.0
    """Rank offset of the Zipf weights: larger flattens the head of the distribution."""
    pet_name_share: float = 0.60
    """Share of children with a pet name (ghar ka naam) the family and the child use."""
    first_missing_date: str = "2016-01-01"
    """Earliest missing date."""
    last_missing_date: str = "2024-12-31"
    """Latest missing date."""
    export_date: str = "2025-06-30"
    """No found date is later than this (the day the data were exported)."""
    max_found_delay_years: float = 4.0
    """Longest time between a report and the child being found."""

    # --- missing side (written by family and police) ------------------------
    missing_translit: float = 0.08
    """Per name token: written in another transliteration (Laxmi/Lakshmi, Mohd/Md)."""
    missing_typo: float = 0.02
    """Per name token: a keyboard typo (neighbour key, dropped or doubled letter)."""
    missing_native_script: float = 0.03
    """Record written in the home state's script (Devanagari FIR in UP) when possible."""
    missing_upper: float = 0.35
    """Record written in upper case (police systems)."""
    missing_alias_listed: float = 0.35
    """Pet name listed in ``aliases`` (when the child has one)."""
    missing_father_honorific: float = 0.10
    """Father written as ``Late Shri X``, ``Sh. X``, ``S/o X`` ... (forms, not errors)."""
    missing_father_blank: float = 0.05
    """Father's name left empty."""
    missing_mother_blank: float = 0.30
    """Mother's name left empty."""
    missing_birth_date: float = 0.25
    """Birth date present."""
    missing_age_error: float = 0.08
    """Age at missing off by one year (age last birthday vs next)."""
    missing_phone: float = 0.85
    """Guardian phone present."""
    missing_second_phone: float = 0.20
    """A second number present (a relative, a neighbour, a landline)."""
    missing_district_alias: float = 0.20
    """Home district written under another name (old, colloquial, headquarters town)."""
    missing_state_abbrev: float = 0.15
    """State written as an abbreviation (``UP``, ``W.B.``)."""
    missing_village_blank: float = 0.10
    """Village left empty."""
    second_report_age_shift: float = 0.30
    """The second report gives an age one year off."""
    second_report_new_phone: float = 0.50
    """The second report gives another relative's phone."""
    second_report_other_state: float = 0.50
    """The second report is filed in another state (where the child went missing or was seen)."""

    # --- found side (written from what the child said) ----------------------
    found_name_blank: float = 0.03
    """No name at all (infant, mute, too traumatised)."""
    found_nickname_only: float = 0.15
    """Only a nickname: the pet name if the child has one, else a common one (Chhotu, Munni)."""
    found_given_only: float = 0.40
    """Only the given name: no surname, suffix, initials or Mohammad prefix."""
    found_drop_part: float = 0.30
    """Full name, but one part dropped or added (``Kumar``, initials, surname)."""
    found_translit: float = 0.35
    """Per name token: another transliteration (the officer is from another state)."""
    found_typo: float = 0.10
    """Per name token: a typo."""
    found_native_script: float = 0.12
    """Name written in the script of the state where the child was found, when possible."""
    found_urdu_for_muslim: float = 0.25
    """Of native-script Muslim names in Hindi/Telugu states, share written in Urdu."""
    found_upper: float = 0.30
    """Record written in upper case."""
    found_alias: float = 0.20
    """Another name the child gave is listed in ``aliases``."""
    found_sex_blank: float = 0.03
    """Sex left empty."""
    found_sex_error: float = 0.005
    """Sex recorded wrong."""
    found_age_sd_years: float = 1.5
    """Standard deviation of the officer's age guess around the true age."""
    found_age_blank: float = 0.05
    """Age left empty."""
    found_age_range: float = 0.12
    """Age written as a range (``10-12``)."""
    found_age_about: float = 0.18
    """Age written as ``about 12`` / ``approx 12``."""
    found_birth_date: float = 0.03
    """Birth date present (often with a wrong year)."""
    found_father_blank: float = 0.30
    """Father's name empty."""
    found_father_first_only: float = 0.45
    """Father's first name only (of the non-empty ones)."""
    found_mother_blank: float = 0.65
    """Mother's name empty."""
    found_district_blank: float = 0.30
    """Home district empty."""
    found_district_alias: float = 0.45
    """Home district given under another name, when it has one (Gurgaon for Gurugram)."""
    found_district_neighbour: float = 0.10
    """Home district given as another district of the same state."""
    found_district_typo: float = 0.10
    """Home district misspelled."""
    found_state_blank: float = 0.35
    """Home state empty."""
    found_state_abbrev: float = 0.25
    """Home state abbreviated."""
    found_state_variant: float = 0.05
    """Home state misspelled or under an old name (Orissa, Uttaranchal)."""
    found_village_blank: float = 0.55
    """Village empty."""
    found_village_wrong: float = 0.10
    """Village is another place (a locality the child stayed in)."""
    found_phone: float = 0.08
    """A phone number present (children rarely know one)."""
    found_phone_digit_error: float = 0.35
    """Of present phones: one digit wrong."""
    found_phone_partial: float = 0.20
    """Of present phones: only some digits remembered."""
    found_in_home_district: float = 0.15
    """Found in the home district."""
    found_in_home_state: float = 0.25
    """Found in another district of the home state."""
    found_languages_blank: float = 0.30
    """Languages empty."""
    found_height: float = 0.60
    """Height measured."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                dt.date.fromisoformat(value)  # raises ValueError for a malformed date
            elif f.name in _NOT_RATES:
                if value < 0:
                    raise ValueError(f"SynthConfig.{f.name} must not be negative, got {value}")
            elif not 0.0 <= value <= 1.0:
                raise ValueError(f"SynthConfig.{f.name} is a probability, got {value}")
        if (
            self.first_missing_date > self.last_missing_date
            or self.last_missing_date > self.export_date
        ):
            raise ValueError(
                "SynthConfig dates must satisfy first_missing <= last_missing <= export"
            )

    def scaled(self, factor: float) -> SynthConfig:
        """The same mix with every corruption rate multiplied by ``factor`` (capped at 1).

        Population parameters (shares, dates, Zipf) are left alone, so scaled
        data sets differ only in how badly records are written.
        """
        population = {
            "never_reported_share",
            "second_report_share",
            "sibling_family_share",
            "siblings_found_together",
            "female_share",
            "name_zipf_exponent",
            "name_zipf_offset",
            "pet_name_share",
            "first_missing_date",
            "last_missing_date",
            "export_date",
            "max_found_delay_years",
            "found_in_home_district",
            "found_in_home_state",
            # presence of information, not corruption: scaling these would make
            # "harder" data richer in phones and birth dates
            "missing_phone",
            "missing_second_phone",
            "missing_birth_date",
            "found_birth_date",
            "found_phone",
            "found_height",
        }
        changes: dict[str, float] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in population or not isinstance(value, float):
                continue
            scaled = value * factor
            changes[f.name] = scaled if f.name in _NOT_RATES else min(1.0, scaled)
        return replace(self, **changes)  # type: ignore[arg-type]

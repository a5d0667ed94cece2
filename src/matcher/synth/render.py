"""Writing records from the true population, with the noise of who writes them.

A *missing* report is written by a police officer from what the family said:
full official name, father's name with honorifics, phone numbers, village,
exact age, a date in the station's format.  A *found* record is written by a
child-welfare officer, often in another state, from what the child said: a
first name or a nickname, a father's first name, a home district that may be
misspelled, renamed or wrong, an estimated age.  Both are returned as rows of
text in the exchange format's field order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from matcher.records import RecordKind, fields_of
from matcher.synth import formats
from matcher.synth.config import SynthConfig
from matcher.synth.population import (
    Child,
    Family,
    Name,
    Part,
    PopulationSampler,
    Weighted,
    below,
    pick,
)
from matcher.synth.spelling import native_initial, native_typo, native_unit, respell, typo
from matcher.synth.tables import SynthTables

MISSING_FIELDS = fields_of(RecordKind.MISSING)
FOUND_FIELDS = fields_of(RecordKind.FOUND)

# Ways officers write a father's name around the name itself.
_HONORIFICS = ("Late Shri {}", "Late {}", "Shri {}", "Sh. {}", "Mr. {}", "S/o {}", "Sri {}")
_DAUGHTER_HONORIFICS = (
    "Late Shri {}",
    "Late {}",
    "Shri {}",
    "Sh. {}",
    "Mr. {}",
    "D/o {}",
    "Sri {}",
)
_VILLAGE_FORMS = (
    "{}",
    "{}",
    "{}",
    "{}",
    "Vill- {}",
    "Vill. {}",
    "Village {}",
    "Ward {n}, {}",
    "Gram {}",
)
# Muslim names in these states are sometimes written in Urdu rather than the state's script.
_URDU_STATES = frozenset(
    {"Uttar Pradesh", "Bihar", "Delhi", "Telangana", "Maharashtra", "Jammu and Kashmir"}
)


@dataclass(frozen=True, slots=True)
class Style:
    """How one writer writes names: script, respelling and typo rates, case."""

    script: str | None
    translit: float
    typo_rate: float
    upper: bool
    prefix_variant: float = 0.5


@dataclass(frozen=True, slots=True)
class Place:
    """Where a found child was found: state and district indexes."""

    state: int
    district: int


class Renderer:
    """Writes missing and found rows for children of a population."""

    def __init__(
        self,
        tables: SynthTables,
        config: SynthConfig,
        rnd: random.Random,
        sampler: PopulationSampler,
    ) -> None:
        self.tables = tables
        self.config = config
        self.rnd = rnd
        self.sampler = sampler
        self.destinations = Weighted(
            [s.name for s in tables.states], [s.found_weight for s in tables.states]
        )
        self.hubs: dict[int, Weighted] = {}
        for state, districts in tables.districts_by_state.items():
            weights = [tables.districts[d].hub_weight for d in districts]
            if sum(weights) > 0:
                self.hubs[state] = Weighted([str(d) for d in districts], weights)

    # --- names ----------------------------------------------------------------
    def write_name(self, name: Name, style: Style) -> str:
        """A name from its parts, respelled, mistyped, in a script or upper case."""
        return self.written(name, style)[0]

    def written(self, name: Name, style: Style) -> tuple[str, bool]:
        """Like :meth:`write_name`, and whether the native script could be used.

        A name whose parts are not all in the script table falls back to Latin
        letters; callers then write the rest of the record in Latin too.
        """
        if not name:
            return "", style.script is not None
        rnd = self.rnd
        if style.script:
            native = self._native(name, style.script)
            if native is not None:
                if rnd.random() < style.typo_rate * len(name):
                    native = native_typo(native, rnd)
                if style.script == "Deva" and rnd.random() < 0.5:
                    # Many Hindi writers never type the nukta (फ़ैज़ान -> फैजान).
                    native = native.replace("\u093c", "")
                return native, True
        out = []
        for part in name:
            text = part.text
            if part.role == "initial":
                text = pick((text, text, text, text[0], text[0] + " ."), rnd)
            elif part.role == "prefix":
                if rnd.random() < style.prefix_variant:
                    text = pick(self.tables.variants.get(text, (text,)), rnd)
            else:
                if rnd.random() < style.translit:
                    text = respell(text, rnd, self.tables)
                if rnd.random() < style.typo_rate:
                    text = typo(text, rnd)
            out.append(text)
        written = " ".join(out)
        return (written.upper() if style.upper else written), False

    def _native(self, name: Name, script: str) -> str | None:
        out = []
        for part in name:
            if part.role == "initial":
                text = (
                    native_initial(part.source, script, self.tables, self.rnd)
                    if part.source
                    else None
                )
            else:
                text = native_unit(part.text, script, self.tables, self.rnd)
            if text is None:
                return None
            out.append(text)
        return " ".join(out)

    def _nickname(self, child: Child, family: Family) -> str:
        if child.pet_name:
            return child.pet_name
        pool = self.sampler.nicknames.get((family.community, child.sex[0]))
        return pool.pick(self.rnd) if pool else child.given

    # --- places ---------------------------------------------------------------
    def district_text(self, district: int, *, alias: float) -> str:
        d = self.tables.districts[district]
        if d.aliases and self.rnd.random() < alias:
            return pick(d.aliases, self.rnd)
        return d.name

    def state_text(self, state: int, *, abbrev: float, variant: float) -> str:
        s = self.tables.states[state]
        roll = self.rnd.random()
        if roll < abbrev:
            return pick(s.abbreviations, self.rnd)
        if roll < abbrev + variant and s.variants:
            return pick(s.variants, self.rnd)
        return s.name

    def village_text(self, village: str) -> str:
        form = pick(_VILLAGE_FORMS, self.rnd)
        return form.replace("{n}", str(1 + below(19, self.rnd))).replace("{}", village)

    def neighbour(self, district: int) -> int:
        """Another district of the same state (the neighbour notion of this generator)."""
        same = self.tables.districts_by_state[self.tables.districts[district].state]
        if len(same) == 1:
            return district
        other = district
        while other == district:
            other = pick(same, self.rnd)
        return other

    def found_place(self, family: Family) -> Place:
        """Where the child was found: home district, home state, or a city children go to."""
        rnd, cfg = self.rnd, self.config
        roll = rnd.random()
        if roll < cfg.found_in_home_district:
            return Place(family.state, family.district)
        if roll < cfg.found_in_home_district + cfg.found_in_home_state:
            return Place(family.state, self.neighbour(family.district))
        state = self.destinations.index(rnd)
        hubs = self.hubs.get(state)
        if hubs is not None and rnd.random() < 0.85:
            return Place(state, int(hubs.pick(rnd)))
        return Place(state, pick(self.tables.districts_by_state[state], rnd))

    # --- missing reports --------------------------------------------------------
    def missing_row(
        self,
        child: Child,
        family: Family,
        record_id: str,
        *,
        second: bool,
        missing_day: int,
        filing_state: int,
    ) -> list[str]:
        """A missing report in the exchange format's field order."""
        rnd, cfg = self.rnd, self.config
        home = self.tables.states[family.state]
        script = (
            home.script
            if home.script != "Latn" and rnd.random() < cfg.missing_native_script
            else None
        )
        upper = rnd.random() < cfg.missing_upper
        write = Style(script, cfg.missing_translit, cfg.missing_typo, upper)
        name, native = self.written(child.name, write)
        if script and not native:
            script = None
            write = Style(None, cfg.missing_translit, cfg.missing_typo, upper)
        if rnd.random() < 0.01:
            # Some registers append the father: "Rahul S/o Ram Prasad".
            tag = "S/o" if child.sex == "male" else "D/o"
            name = f"{name} {tag} {self.write_name(family.father, write)}"
        aliases = []
        if child.pet_name and rnd.random() < cfg.missing_alias_listed:
            aliases.append(child.pet_name)
            if rnd.random() < 0.1:
                extra = self._nickname(child, family) if not child.pet_name else ""
                if extra and extra != child.pet_name:
                    aliases.append(extra)
        age = child.age_years(missing_day)
        if rnd.random() < cfg.missing_age_error + (cfg.second_report_age_shift if second else 0.0):
            age = max(0, age + pick((-1, 1), rnd))
        father = ""
        if rnd.random() >= cfg.missing_father_blank:
            father = self.write_name(family.father, write)
            if rnd.random() < cfg.missing_father_honorific:
                forms = _HONORIFICS if child.sex == "male" else _DAUGHTER_HONORIFICS
                father = pick(forms, rnd).format(father)
        mother = ""
        if rnd.random() >= cfg.missing_mother_blank:
            mother = self.write_name(family.mother, write)
        guardian = self._reporter(family, write)
        phones = list(family.phones)
        if second and rnd.random() < cfg.second_report_new_phone:
            phones = [self.sampler.mobile()]
        phone_text = ""
        if rnd.random() < cfg.missing_phone:
            written = [formats.write_phone(p, rnd) for p in phones]
            if rnd.random() < 0.05:
                written.append(formats.landline(rnd))
            phone_text = formats.join_phones(written, rnd)
        village = (
            "" if rnd.random() < cfg.missing_village_blank else self.village_text(family.village)
        )
        police = (
            family.police_station
            if filing_state == family.state
            else self.sampler.police_station(self.tables.states[filing_state].region)
        )
        police_text = police
        if "Thana" not in police:
            police_text = pick(("{}", "PS {}", "P.S. {}", "Thana {}", "{} PS"), rnd).format(police)
        district = self.district_text(family.district, alias=cfg.missing_district_alias)
        state = self.state_text(family.state, abbrev=cfg.missing_state_abbrev, variant=0.0)
        languages = ";".join(family.languages) if rnd.random() < 0.4 else ""
        marks = (
            "; ".join(m for m in child.marks if rnd.random() < 0.7) if rnd.random() < 0.5 else ""
        )
        height = str(5 * round(child.height_cm(missing_day) / 5)) if rnd.random() < 0.3 else ""
        birth = ""
        if rnd.random() < cfg.missing_birth_date:
            birth = formats.write_date(child.birth_day, rnd)
        values = {
            "id": record_id,
            "name": name,
            "aliases": ";".join(aliases),
            "sex": formats.write_sex(child.sex, rnd, native=script),
            "age": formats.write_age_missing(age, rnd, native=script),
            "birth_date": birth,
            "father_name": father,
            "mother_name": mother,
            "guardian_name": guardian,
            "guardian_phone": phone_text,
            "village": village.upper() if upper else village,
            "police_station": police_text.upper() if upper else police_text,
            "district": district.upper() if upper else district,
            "state": state,
            "languages": languages,
            "marks": marks,
            "height_cm": height,
            "missing_date": formats.write_date(missing_day, rnd),
        }
        return [values[f] for f in MISSING_FIELDS]

    def _reporter(self, family: Family, write: Style) -> str:
        """Who filed the report when it was not the father: mother, uncle, brother, neighbour."""
        rnd = self.rnd
        roll = rnd.random()
        if roll < 0.5:
            return ""
        if roll < 0.65:
            return self.write_name(family.father, write)
        if roll < 0.8:
            return self.write_name(family.mother, write)
        uncle = self.sampler.given[(family.community, "m", "adult")].pick(rnd)
        parts: Name = (Part("given", uncle),)
        if family.surname and rnd.random() < 0.6:
            parts += (Part("surname", family.surname),)
        return self.write_name(parts, write)

    # --- found records ----------------------------------------------------------
    def found_row(
        self,
        child: Child,
        family: Family,
        record_id: str,
        *,
        found_day: int,
        place: Place,
    ) -> list[str]:
        """A found record in the exchange format's field order, written from what the child said."""
        rnd, cfg = self.rnd, self.config
        where = self.tables.states[place.state]
        script = None
        if rnd.random() < cfg.found_native_script:
            script = where.script if where.script != "Latn" else None
            muslim = family.community.startswith("muslim")
            if muslim and where.name in _URDU_STATES and rnd.random() < cfg.found_urdu_for_muslim:
                script = "Arab"
        upper = rnd.random() < cfg.found_upper
        write = Style(script, cfg.found_translit, cfg.found_typo, upper)
        name, aliases, native = self._found_name(child, family, write)
        if script and not native:
            script = None
            write = Style(None, cfg.found_translit, cfg.found_typo, upper)
        sex = child.sex
        if rnd.random() < cfg.found_sex_error:
            sex = "female" if sex == "male" else "male"
        sex_text = (
            "" if rnd.random() < cfg.found_sex_blank else formats.write_sex(sex, rnd, native=script)
        )
        age = formats.write_age_found(
            child.age_on(found_day),
            rnd,
            sd_years=cfg.found_age_sd_years,
            blank=cfg.found_age_blank,
            range_share=cfg.found_age_range,
            about_share=cfg.found_age_about,
        )
        birth = ""
        if rnd.random() < cfg.found_birth_date:
            # A child who knows a birthday often has the year wrong.
            day = child.birth_day + (pick((-365, 365, -730), rnd) if rnd.random() < 0.5 else 0)
            birth = formats.write_date(day, rnd)
        father = self._found_father(family, write)
        mother = ""
        if rnd.random() >= cfg.found_mother_blank:
            given_only = rnd.random() < 0.7
            parts = (Part("given", family.mother_given),) if given_only else family.mother
            mother = self.write_name(parts, write)
        phone = ""
        if rnd.random() < cfg.found_phone:
            phone = formats.mistype_phone(
                family.phones[0],
                rnd,
                partial=cfg.found_phone_partial,
                digit_error=cfg.found_phone_digit_error,
            )
        village = ""
        roll = rnd.random()
        if roll >= cfg.found_village_blank:
            if roll < cfg.found_village_blank + cfg.found_village_wrong:
                village = self.sampler.village(self.tables.states[family.state].region)
            else:
                village = family.village
            if rnd.random() < cfg.found_translit:
                village = respell(village, rnd, self.tables)
            if rnd.random() < cfg.found_typo:
                village = typo(village, rnd)
        district = ""
        if rnd.random() >= cfg.found_district_blank:
            d = family.district
            if rnd.random() < cfg.found_district_neighbour:
                d = self.neighbour(d)
            district = self.district_text(d, alias=cfg.found_district_alias)
            if rnd.random() < cfg.found_district_typo:
                district = typo(district, rnd)
        state = ""
        if rnd.random() >= cfg.found_state_blank:
            state = self.state_text(
                family.state, abbrev=cfg.found_state_abbrev, variant=cfg.found_state_variant
            )
        languages = ""
        if rnd.random() >= cfg.found_languages_blank:
            home = self.tables.states[family.state].languages
            spoken = [family.languages[0]] if rnd.random() < 0.6 else [pick(home, rnd)]
            if rnd.random() < 0.2 and "Hindi" not in spoken:
                spoken.append("Hindi")
            languages = ";".join(spoken)
        marks = ""
        if child.marks and rnd.random() < 0.6:
            seen = [self._reread_mark(m) for m in child.marks if rnd.random() < 0.6]
            marks = "; ".join(seen)
        height = (
            str(child.height_cm(found_day) + round(rnd.gauss(0, 2)))
            if rnd.random() < cfg.found_height
            else ""
        )
        found_district = self.tables.districts[place.district].name
        values = {
            "id": record_id,
            "name": name,
            "aliases": aliases,
            "sex": sex_text,
            "age": age,
            "birth_date": birth,
            "father_name": father,
            "mother_name": mother,
            "guardian_name": "",
            "guardian_phone": phone,
            "village": village.upper() if upper else village,
            "police_station": ""
            if rnd.random() < 0.8
            else self.sampler.police_station(where.region),
            "district": district.upper() if upper else district,
            "state": state,
            "languages": languages,
            "marks": marks,
            "height_cm": height,
            "found_date": formats.write_date(found_day, rnd, iso_share=0.5),
            "found_district": self.district_text(place.district, alias=0.1),
            "found_state": self.state_text(place.state, abbrev=0.2, variant=0.0),
            "operation": formats.operation_name(rnd) if rnd.random() < 0.3 else "",
            "care_institution": formats.care_institution(found_district, child.sex, rnd)
            if rnd.random() < 0.7
            else "",
        }
        return [values[f] for f in FOUND_FIELDS]

    def _found_name(self, child: Child, family: Family, write: Style) -> tuple[str, str, bool]:
        """The name a child gave: nothing, a nickname, the given name, or the full name, bent.

        Returns the name, the aliases and whether the name is in native script.
        """
        rnd, cfg = self.rnd, self.config
        roll = rnd.random()
        alias = ""
        if roll < cfg.found_name_blank:
            return "", "", False
        roll -= cfg.found_name_blank
        if roll < cfg.found_nickname_only:
            nick = self._nickname(child, family)
            name, native = self.written((Part("given", nick),), write)
            if not native:
                write = replace(write, script=None)
            if rnd.random() < cfg.found_alias:
                alias = self.write_name((Part("given", child.given),), write)
            return name, alias, native
        roll -= cfg.found_nickname_only
        if roll < cfg.found_given_only:
            parts: Name = (Part("given", child.given),)
        else:
            parts = child.name
            if rnd.random() < cfg.found_drop_part:
                parts = self._bend(parts, child, family)
        name, native = self.written(parts, write)
        if not native:
            write = replace(write, script=None)
        if child.pet_name and rnd.random() < cfg.found_alias:
            alias = self.write_name((Part("given", child.pet_name),), write)
        return name, alias, native

    def _bend(self, parts: Name, child: Child, family: Family) -> Name:
        """Drop one non-given part of a full name, or add a suffix the family did not use."""
        rnd = self.rnd
        droppable = [i for i, p in enumerate(parts) if p.role != "given"]
        if droppable and rnd.random() < 0.7:
            i = pick(droppable, rnd)
            return parts[:i] + parts[i + 1 :]
        if family.community in ("hindu_north", "adivasi"):
            suffix = "Kumar" if child.sex == "male" else pick(("Kumari", "Devi"), rnd)
            if all(p.text != suffix for p in parts):
                return (*parts, Part("suffix", suffix))
        if family.surname and all(p.role != "surname" for p in parts):
            return (*parts, Part("surname", family.surname))
        return parts

    def _found_father(self, family: Family, write: Style) -> str:
        """Father as the child knows him: nothing, a first name, or the full name."""
        rnd, cfg = self.rnd, self.config
        if rnd.random() < cfg.found_father_blank:
            return ""
        if rnd.random() < cfg.found_father_first_only:
            given = family.father_given
            if " " in given and rnd.random() < 0.4:
                given = given.split(" ")[0]
            return self.write_name((Part("given", given),), write)
        return self.write_name(family.father, write)

    def _reread_mark(self, mark: str) -> str:
        """A mark as another officer describes it: sides get confused."""
        if self.rnd.random() < 0.1:
            if "left" in mark:
                return mark.replace("left", "right")
            return mark.replace("right", "left")
        return mark

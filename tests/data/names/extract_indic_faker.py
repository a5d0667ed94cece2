"""Extract indic-faker's native-script / English name pairs into ``indic_faker_pairs.tsv``.

Run once with indic-faker installed (``pip install indic-faker==0.3.0``)::

    python tests/data/names/extract_indic_faker.py

The package keeps each language's names as parallel lists (``MALE_FIRST_NAMES`` and
``MALE_FIRST_NAMES_LATIN`` ...), index for index; this writes one row per pair.
The output is committed so the tests never need the package.
"""

from __future__ import annotations

import csv
import importlib
from pathlib import Path

LANGUAGES = {
    "hi": "Devanagari",
    "mr": "Devanagari",
    "bn": "Bengali",
    "gu": "Gujarati",
    "ta": "Tamil",
    "te": "Telugu",
    "kn": "Kannada",
    "ml": "Malayalam",
}
LISTS = {
    "MALE_FIRST_NAMES": "male_given",
    "FEMALE_FIRST_NAMES": "female_given",
    "LAST_NAMES": "surname",
}


def main() -> None:
    out = Path(__file__).with_name("indic_faker_pairs.tsv")
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["lang", "script", "list", "native", "english"])
        for lang, script in LANGUAGES.items():
            module = importlib.import_module(f"indic_faker.data.names.{lang}")
            for attr, label in LISTS.items():
                native = getattr(module, attr)
                latin = getattr(module, attr + "_LATIN")
                assert len(native) == len(latin), (lang, attr)
                for nat, eng in zip(native, latin, strict=True):
                    writer.writerow([lang, script, label, nat.strip(), eng.strip()])


if __name__ == "__main__":
    main()

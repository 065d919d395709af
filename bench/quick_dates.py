"""Check the metadata step's quick dateline layouts against dateparser: every line they read must get dateparser's
date (and a month of a year, dateparser's "no date").

    python bench/quick_dates.py [--languages en,und,None,de,fr,es,it,pt,nl,pl]

Run it after a dateparser upgrade or a change of ``[quick_dates]`` in ``cleaner/data/metadata.toml``. The grid:
every day 0-32 of every month 1-13 in ten years (impossible ones included), in each layout, with valid and
impossible times; and every English or German month name with every year 1900-2100. Takes a few minutes a language.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cleaner.steps import metadata

YEARS = ["2024", "2023", "1999", "2000", "1900", "1000", "0999", "2100", "9999", "0000"]
DAYS = [0, 1, 2, 9, 10, 12, 13, 28, 29, 30, 31, 32]
TIMES = [
    *("", " at 9:30 am", " at 12:05 pm", " at 0:30 am", " at 13:10 pm", " at 11:60 am", " um 11:46 Uhr"),
    *(" um 24:00 Uhr", " um 0:05 Uhr", ", 14:30", " 14:30", ", 25:00", " 23:59", ", 9:61"),
]


def lines() -> list[str]:
    months = metadata._data()["quick_dates"]["months"]
    found = []
    for year in YEARS:
        for day in DAYS:
            for number in range(1, 14):
                english, german = months["en"][min(number, 12) - 1], months["de"][min(number, 12) - 1]
                for clock in TIMES:
                    found += [f"{day}.{number}.{year}{clock}", f"{day:02d}.{number:02d}.{year}{clock}"]
                    found += [f"{english} {day}, {year}{clock}", f"{day}. {german} {year}{clock}"]
    found += [f"{name} {year}" for name in months["en"] + months["de"] for year in range(1900, 2101)]
    return list(dict.fromkeys(found))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--languages", default="en,und,None,de,fr,es,it,pt,nl,pl")
    args = parser.parse_args()
    grid = lines()
    wrong = 0
    for language in [None if code == "None" else code for code in args.languages.split(",")]:
        started, read = time.process_time(), 0
        for line in grid:
            quick = metadata.quick_date(line, language)
            if quick is None:
                continue
            read += 1
            if (quick or None) != (slow := metadata.dateparser_date(line, language)):
                wrong += 1
                print(f"DIFFERS {line!r} ({language}): quick {quick!r}, dateparser {slow!r}")
        print(f"{language}: {len(grid)} lines, {read} read quickly, {time.process_time() - started:.0f} s CPU")
    print(f"{wrong} differences")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np

from cleaner import config as config_module
from cleaner.readers import discover
from cleaner.runner import output_dir, run
from cleaner.survey import document_keys, line_key, survey
from tests.conftest import read_table

BLURB = "Harbour Gazette, your independent voice from the coast"
PARAGRAPH = (
    "The harbour council met on {day} to discuss the new ferry timetable, which residents say leaves the "
    "islands without a connection for most of the afternoon, and promised to publish a revised plan soon."
)
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def corpus(root: Path, pages: int) -> Path:
    raw = root / "raw"
    raw.mkdir(parents=True)
    lines = []
    for i in range(pages):
        text = "\n\n".join([PARAGRAPH.format(day=DAYS[i]), PARAGRAPH.format(day=DAYS[i]).upper().lower(), BLURB])
        lines.append(json.dumps({"text": text, "url": f"https://harbour.example/news/{i}"}))
    (raw / "pages.jsonl").write_text("\n".join(lines), encoding="utf-8")
    return raw


def test_keys_are_grouped_and_normalised():
    assert line_key("Read  the Gazette ", "a.example") == line_key("read the gazette", "a.example")
    assert line_key("Read the Gazette", "a.example") != line_key("Read the Gazette", "b.example")


def test_survey_counts_each_line_once_per_document(tmp_path: Path):
    raw = corpus(tmp_path, 3)
    files, _ = discover(raw)
    keys, key_groups, doc_groups = document_keys(lambda line: 0 < len(line.split()) <= 12, files)
    assert isinstance(keys, np.ndarray)
    assert int((keys == line_key(BLURB, "harbour.example")).sum()) == 3
    assert len(key_groups) == len(keys) and len(doc_groups) == 3


def test_a_line_on_many_pages_of_a_site_is_removed(tmp_path: Path):
    config = config_module.parse({"pipeline": ["whitespace", "boilerplate"], "steps": {"boilerplate": {}}})
    run(corpus(tmp_path / "many", 6), tmp_path / "out", config, workers=1)
    audit = read_table(output_dir(tmp_path / "out", config) / "audit")
    assert {(row["text"], row["reason"]) for row in audit} == {(BLURB, "corpus_repeated")}
    assert len(audit) == 6


def test_below_the_threshold_the_survey_does_not_fire(tmp_path: Path):
    config = config_module.parse({"pipeline": ["whitespace", "boilerplate"]})
    run(corpus(tmp_path / "few", 2), tmp_path / "out", config, workers=1)
    audit = read_table(output_dir(tmp_path / "out", config) / "audit")
    assert "corpus_repeated" not in {row["reason"] for row in audit}  # (the structure may still drop the blurb)


def test_a_line_must_also_stand_in_a_share_of_its_groups_documents(tmp_path: Path):
    """Without URLs, 100 pages of many sites are one group: a heading on 6 of them is no site's furniture, a
    menu line on 40 is; a site of 6 pages with its blurb on each is judged by its own count."""
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = []
    for i in range(100):
        lines = [
            PARAGRAPH.format(day=DAYS[i % 6]) + f" Page {i}.",
            "Ingredients" if i < 6 else "",
            "Kontakt" if i < 40 else "",
        ]
        rows.append({"text": "\n\n".join(lines)})
    rows += [
        {"text": f"{PARAGRAPH.format(day=day)}\n\n{BLURB}", "url": f"https://harbour.example/{day}"} for day in DAYS
    ]
    (raw / "pages.jsonl").write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    files, _ = discover(raw)
    found = survey([files], lambda line: 0 < len(line.split()) <= 12, 5, 1, min_share=0.1)
    assert line_key("Kontakt", "") in found
    assert line_key("Ingredients", "") not in found
    assert line_key(BLURB, "harbour.example") in found
    assert line_key("Ingredients", "") in survey([files], lambda line: 0 < len(line.split()) <= 12, 5, 1)


def test_the_passes_count_as_one_process_for_any_buckets_and_workers(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for site in range(4):  # four files (tasks) of pages of one site each, and pages without a URL
        rows = [
            {
                "text": f"{PARAGRAPH.format(day=DAYS[i % 6])}\n\nSection {i % (site % 3 + 2)}\n\n{BLURB}",
                "url": f"https://s{site}.example/{i}",
            }
            for i in range(3 + 3 * site)
        ]
        rows += [{"text": f"Kontakt\n\nNote {i % 3}\n\n{PARAGRAPH.format(day='today')}"} for i in range(site * 4)]
        (raw / f"site{site}.jsonl").write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    files, _ = discover(raw)
    tasks = [[file] for file in files]
    candidate = lambda line: 0 < len(line.split()) <= 12  # noqa: E731
    keys, key_groups, doc_groups = (
        np.concatenate(c) for c in zip(*(document_keys(candidate, t) for t in tasks), strict=True)
    )
    counts = Counter(keys.tolist())
    group_docs = Counter(doc_groups.tolist())
    group = dict(zip(keys.tolist(), key_groups.tolist(), strict=True))
    expected = {k for k, n in counts.items() if n >= max(3, np.ceil(0.3 * group_docs[group[k]]))}
    assert line_key("Section 1", "s3.example") in expected and line_key("Note 1", "") in expected
    assert line_key("Section 3", "s2.example") not in expected  # on 2 of the site's 9 pages
    for buckets, workers in [(1, 1), (5, 2), (16, 2)]:
        scratch = tmp_path / f"scratch-{buckets}-{workers}"
        assert survey(tasks, candidate, 3, workers, 0.3, scratch=scratch, buckets=buckets) == expected

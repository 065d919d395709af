"""What the report gathers: counts over all documents, samples per reason, kind of edit and site, and each sampled
document as it was before cleaning: removed lines and repaired words put back in place."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cleaner import config as config_module
from cleaner.document import Document
from cleaner.pipeline import Pipeline, build_steps
from cleaner.report.data import ReportError, gather, locate
from cleaner.runner import output_dir, run
from tests.conftest import ARTICLE, ROOT, parquet_bytes, read_table
from tests.report.conftest import LYON, lyon_page, published


def test_counts_and_samples_match_the_tables(build: Path):
    data = gather(locate(build))
    documents, rejects, audit, edits = (read_table(build / t) for t in ("documents", "rejects", "audit", "edits"))
    assert data.counts["kept"] == len(documents) and data.counts["rejected"] == len(rejects) >= 1
    assert data.counts["lines_removed"] == len(audit) and sum(data.removed_by_reason.values()) == len(audit)
    assert data.counts["edits"] == len(edits) and sum(data.edits_by_kind.values()) == len(edits)
    assert {"repair.mojibake", "spacing.glued", "spacing.punctuation"} <= set(data.edits_by_kind)
    assert data.edited_documents["repair.mojibake"] == len({e["id"] for e in edits if e["kind"] == "mojibake"})
    assert {s["id"] for s in data.samples} == {r["id"] for r in documents} | {r["id"] for r in rejects}
    rejected = next(s for s in data.samples if s["status"] == "rejected")
    assert rejected["reasons"] == [rejects[0]["reason"]] and rejected["lines"][0]["t"] == "Too short."


def test_a_rejected_documents_removed_lines_count_for_its_site(raw: Path, tmp_path: Path):
    """A page and its copy in a folder of its own are cleaned, then one is rejected as a duplicate of the other: the
    lines cleaning removed from it count for its site (its folder, or its file in the top folder), not for an
    unknown one."""
    corpus = tmp_path / "raw"
    shutil.copytree(raw, corpus)
    (corpus / "copies").mkdir()
    shutil.copy(raw / "lyon.txt", corpus / "copies" / "lyon.txt")  # a page with lines to remove
    config = config_module.load(ROOT / "cleaner.toml")
    run(corpus, tmp_path / "dist", config, workers=1, validate=False)
    build = output_dir(tmp_path / "dist", config)
    [copy] = [r for r in read_table(build / "rejects") if r["reason"].startswith("dedup.")]
    removed = [r for r in read_table(build / "audit") if r["id"] == copy["id"]]
    assert removed  # cleaned before it was found to be a copy

    data = gather(locate(build))
    sites = {row["site"]: row for row in data.sites}
    assert "?" not in sites and data.counts["sites"] == len(sites)
    site = sites[copy["source"].rpartition("/")[0] or copy["source"]]
    assert site["documents rejected"] == 1 and site["documents kept"] == 0
    assert site["lines removed"] == len(removed) and site["chars removed"] == sum(len(r["text"]) + 1 for r in removed)
    assert sum(row["lines removed"] for row in data.sites) == data.counts["lines_removed"]
    assert sum(row["edits"] for row in data.sites) == data.counts["edits"]


def test_removed_lines_are_put_back_where_they_stood(build: Path):
    """The kept text with the audit's lines put back is the text the steps saw, line for line; the kept lines with
    their edits applied are the published text."""
    data = gather(locate(build))
    audit = read_table(build / "audit")
    texts = {r["id"]: r["text"] for r in read_table(build / "documents")}
    for sample in (s for s in data.samples if s["status"] == "kept"):
        removed = [r for r in audit if r["id"] == sample["id"]]
        struck = [(line["t"], line["r"]) for line in sample["lines"] if "r" in line]
        assert len(struck) == len(removed)
        if not sample["cut"]:
            assert published(sample["lines"]) == texts[sample["id"]]


def test_a_document_is_shown_as_it_was_read(build: Path):
    """The page with mojibake: every line back in its place, as it was read, mojibake and all, with a mark over
    each repaired run of words that shows the repair."""
    data = gather(locate(build))
    [sample] = [s for s in data.samples if s["source"] == "lyon.txt"]
    assert "\n".join(line["t"] for line in sample["lines"]) == lyon_page().strip("\n")
    assert {"repair.mojibake", "boilerplate.share", "boilerplate.subscribe"} <= set(sample["reasons"])
    marks = [
        (line["t"][start:end], after, labels)
        for line in sample["lines"]
        for start, end, after, labels in line.get("e", ())
    ]
    edits = [e for e in read_table(build / "edits") if e["source"] == "lyon.txt"]
    assert [(e["before"], e["after"], [f"{e['step']}.{e['kind']}"]) for e in edits] == marks
    assert ("CafÃ©", "Café", ["repair.mojibake"]) in marks
    removed_and_repaired = next(line for line in sample["lines"] if "r" in line and "e" in line)
    assert "Ã" in removed_and_repaired["t"] and "Ã" not in removed_and_repaired["e"][0][2]
    assert not sample["unplaced"]


def test_the_edits_table_holds_what_the_steps_recorded(build: Path, raw: Path):
    config = config_module.load(ROOT / "cleaner.toml")
    pipeline = Pipeline(build_steps(config))
    doc = pipeline.process(Document(id="lyon", text=lyon_page(), source="lyon.txt"))
    rows = [e for e in read_table(build / "edits") if e["source"] == "lyon.txt"]
    fields = ("step", "kind", "line_no", "column", "before", "after", "removed_before")
    assert [tuple(row[f] for f in fields) for row in rows] == [tuple(getattr(e, f) for f in fields) for e in doc.edits]
    assert [e.before for e in doc.edits if e.line_no == 1] == ["CafÃ©"]  # the title's one damaged word
    again = pipeline.process(Document(id="lyon", text=doc.text, source="lyon.txt"))
    assert again.text == doc.text and again.edits == [] and again.removed == []  # cleaning is idempotent
    assert LYON.split("\n")[0] in doc.text


def test_edits_are_the_same_bytes_for_any_worker_count(raw: Path, tmp_path: Path):
    config = config_module.load(ROOT / "cleaner.toml")
    config.run.task_files = 2  # several tasks, so that the workers share them
    outputs = []
    for workers in (1, 2):
        run(raw, tmp_path / f"out{workers}", config, workers=workers, validate=False)
        outputs.append(parquet_bytes(output_dir(tmp_path / f"out{workers}", config)))
    assert len([name for name in outputs[0] if name.startswith("edits/")]) > 1
    assert outputs[0] == outputs[1]


def test_sampling_is_per_group_and_stable(build: Path):
    one = gather(locate(build), per_group=1)
    groups = len(one.removed_by_reason) + len(one.edited_documents) + len(one.rejected_by_reason) + len(one.sites)
    assert one.sampling["per_group"] == 1 and one.sampling["embedded"] <= groups
    assert [s["id"] for s in one.samples] == [s["id"] for s in gather(locate(build), per_group=1).samples]
    for reason in [*one.removed_by_reason, *one.edits_by_kind]:  # every reason and kind of edit keeps an example
        assert any(reason in s["reasons"] for s in one.samples)


def test_only_the_sites_listed_get_a_sample(tmp_path: Path, spine, monkeypatch):
    """A corpus of many files in one folder has a site per file: the page embeds the sites it lists, not all."""
    import cleaner.report.data as report_data

    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(12):
        (raw / f"page-{i:02d}.txt").write_text(f"{ARTICLE}\n\nPage {i}.", encoding="utf-8")
    run(raw, tmp_path / "out", spine, workers=1, validate=False)
    monkeypatch.setattr(report_data, "SITES_SHOWN", 5)
    data = gather(locate(output_dir(tmp_path / "out", spine)), per_group=1)
    assert len(data.sites) == 12 and data.counts["kept"] == 12
    assert sorted(s["site"] for s in data.samples) == sorted(row["site"] for row in data.sites[:5])


def test_a_release_finds_the_build_it_was_made_from(build: Path, tmp_path: Path):
    """`cleaner report dist/<name>/1.0.0` shows the rejects, removed lines and edits of the build beside it when
    the release was made from it (same input and configuration), and not those of another run."""
    import json
    import shutil

    run_json = json.loads((build / "run.json").read_text(encoding="utf-8"))
    shutil.copytree(build, tmp_path / "news" / "build")
    release = tmp_path / "news" / "1.0.0"
    shutil.copytree(build / "documents", release / "data")
    manifest = {
        "name": "news",
        "version": "1.0.0",
        "config_fingerprint": run_json["config_fingerprint"],
        "input_fingerprint": run_json["input"]["fingerprint"],
    }
    (release / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    sources = locate(release)
    assert sources.kind == "release" and sources.edits and sources.audit and sources.rejects
    assert gather(sources).counts["edits"] == len(read_table(build / "edits"))
    manifest["input_fingerprint"] = "another input"
    (release / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert not locate(release).edits and not locate(release).audit


def test_not_a_build(tmp_path: Path):
    with pytest.raises(ReportError, match="neither a build"):
        locate(tmp_path)

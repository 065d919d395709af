"""Deduplication's own cost on a cleaned corpus, for this checkout and optionally another revision, in turns:
signing (CPU ms per document, in one process) and deciding (CPU seconds and peak memory of the process tree: the
driver and the workers of the passes), and what each decided: whether the revisions decided every document alike
(its group, reason and detail, which holds the overlap) is checked.

    python bench/dedup_time.py BUILD [--against REV] [--rounds 3] [--workers 2] [--work DIR]

BUILD is the output of a finished `cleaner run` (e.g. on bench/corpus.py's corpus): its documents and the
documents dedup rejected, with their cleaned text, are exactly what dedup saw. Each revision signs them into one
signature part per task, as the run did (a documents part and its dedup rejects part came from one task), then
decides in a fresh process, measured by bench/measure.py. ``--against`` checks the revision out in a temporary git
worktree. A whole run's figures (bench/throughput.py, bench/scaling.py) hold dedup too, but among nine steps and
validation; this isolates it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sign(build: Path, out: Path) -> None:
    """In the measuring process (the revision's cleaner on sys.path): sign every document, one part per task."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cleaner.document import Document
    from cleaner.steps.dedup import Dedup

    step = Dedup()
    step.prepare()
    out.mkdir(parents=True, exist_ok=True)
    signed, seconds = 0, 0.0
    for part in sorted((build / "documents").glob("part-*.parquet")):
        rows = pq.read_table(part, columns=["id", "source", "text"]).to_pylist()
        rejects = build / "rejects" / part.name.replace("part-", "dedup-")
        if rejects.exists():
            rows += [r for r in pq.read_table(rejects, columns=["id", "source", "text", "reason"]).to_pylist()]
        docs = [Document(id=r["id"], text=r["text"], source=r["source"]) for r in rows]
        started = time.process_time()
        if hasattr(step, "sign_batch"):  # as a run's workers sign: a cleaned batch's kept documents at once
            signatures = [row for at in range(0, len(docs), 64) for row in step.sign_batch(docs[at : at + 64])]
        else:  # a revision before sign_batch: one by one
            signatures = [step.sign(doc) for doc in docs]
        seconds += time.process_time() - started
        signed += len(docs)
        pq.write_table(pa.Table.from_pylist(signatures, schema=step.signature_schema), out / part.name)
    print(json.dumps({"docs": signed, "sign_ms_per_doc": 1000 * seconds / max(1, signed)}))


def decide(folder: Path, workers: int, result: Path) -> None:
    """In the measured process: decide, and write the decisions (id -> cluster, reason, detail) to ``result``."""
    from cleaner.corpus import local_map
    from cleaner.steps.dedup import Dedup

    by_part = Dedup().decide(folder, local_map(workers))
    decided = {doc_id: [d.cluster, d.reason, d.detail] for part in by_part.values() for doc_id, d in part.items()}
    result.write_text(json.dumps(decided, sort_keys=True))


def revision_root(rev: str | None, work: Path) -> Path:
    if rev is None:
        return ROOT
    root = work / f"rev-{rev}"
    if not root.exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(root), rev], check=True)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", type=Path)
    parser.add_argument("--against", help="another revision (commit, tag) to measure in turns with this checkout")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-dedup-time")
    parser.add_argument("--sign", type=Path, help=argparse.SUPPRESS)  # internal: sign BUILD into this folder
    parser.add_argument("--decide", type=Path, help=argparse.SUPPRESS)  # internal: decide, write decisions here
    args = parser.parse_args()
    if args.sign:
        return sign(args.build, args.sign)
    if args.decide:
        return decide(args.build, args.workers, args.decide)

    sys.path.insert(0, str(ROOT / "bench"))
    from measure import measure

    args.work.mkdir(parents=True, exist_ok=True)
    revisions = {"this checkout": None} | ({args.against: args.against} if args.against else {})
    try:
        roots = {name: revision_root(rev, args.work) for name, rev in revisions.items()}
        results: dict[str, dict] = {name: {"sign": [], "cpu": [], "pss": [], "rss": []} for name in roots}
        for _ in range(args.rounds):
            for number, (name, root) in enumerate(roots.items()):
                env = {**os.environ, "PYTHONPATH": str(root)}
                folder = args.work / f"signatures-{number}"
                if folder.exists():
                    subprocess.run(["rm", "-rf", str(folder)], check=True)
                signed = subprocess.run(
                    [sys.executable, __file__, str(args.build), "--sign", str(folder)],
                    env=env, check=True, capture_output=True, text=True,
                )  # fmt: skip
                results[name]["sign"].append(json.loads(signed.stdout)["sign_ms_per_doc"])
                decided = args.work / f"decisions-{number}.json"
                command = [sys.executable, __file__, str(folder), "--decide", str(decided)]
                measured = measure([*command, "--workers", str(args.workers)], env=env)
                results[name]["cpu"].append(measured.cpu_seconds)
                results[name]["pss"].append(measured.peak_pss_mb)
                results[name]["rss"].append(measured.peak_rss_mb)
                results[name]["decisions"] = json.loads(decided.read_text())
        print(f"{'revision':>16}  sign ms/doc (best/median)  decide CPU s (best/median)  peak PSS MB  peak RSS MB")
        for name, r in results.items():
            print(
                f"{name:>16}  {min(r['sign']):8.3f} / {statistics.median(r['sign']):6.3f}"
                f"          {min(r['cpu']):7.2f} / {statistics.median(r['cpu']):6.2f}"
                f"         {max(r['pss']):8.0f}     {max(r['rss']):8.0f}"
            )
            decisions = r["decisions"]
            rejected = sum(1 for _, reason, _ in decisions.values() if reason)
            clusters = len({cluster for cluster, _, _ in decisions.values()})
            print(f"{'':>16}  {len(decisions)} documents in {clusters} groups, {rejected} rejected")
        if len(results) > 1:  # every revision must decide alike: cluster, reason and detail (the overlap) of each
            first, *others = (r["decisions"] for r in results.values())
            differ = {
                doc_id
                for other in others
                for doc_id in first.keys() | other.keys()
                if first.get(doc_id) != other.get(doc_id)
            }
            print(
                "decisions identical"
                if not differ
                else f"decisions DIFFER for {len(differ)} documents, e.g. {sorted(differ)[:3]}"
            )
    finally:
        for name, rev in revisions.items():
            if rev is not None:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(roots[name])], check=False)


if __name__ == "__main__":
    main()

"""Every hostile input of issue 26's table, each in a folder of its own, through `cleaner run` with 2 workers.

    python bench/hostile.py [--work /tmp/cleaner-hostile] [--checkout PATH] [--cases NAME,...] [--validate]

Prints, per case: documents read, kept, rejected by reason, the peak resident memory of the run's whole process
tree (sampled every 0.1 s from /proc, bench/measure.py), the wall time, and whether what came out is what a user
expects (``check``: the legacy texts decoded right, the cut record reported …). ``--checkout`` runs another
checkout's cleaner (e.g. ``/work/main``) for a before/after. The inputs are built here, streamed: the bombs never
exist uncompressed, the 1 GB of zeros is a sparse file.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from measure import measure  # noqa: E402

FRENCH = (  # charset-normalizer alone reads it as cp1250: "Café crčme brűlée ŕ la française"
    "Café crème brûlée à la française. The city council met on Tuesday to discuss the new budget, and the café "
    "owners of the old town asked for lower fees on their terraces before the summer season begins next month."
)
POLISH = (  # charset-normalizer alone reads it as cp1257: "zebra³a siź we wtorek, æeby omówię nowy budæet"
    "Rada miasta zebrała się we wtorek, żeby omówić nowy budżet. Radni przyjęli uchwałę w sprawie remontu ulic "
    "i zwiększenia liczby nauczycieli w szkołach podstawowych."
)
ARTICLE = (
    "The city council approved the new budget on Tuesday after a long debate about school funding. Council "
    "members said the plan would add two hundred teachers over the next three years, while keeping property "
    "taxes flat for most households. Critics argued that the budget relies on optimistic revenue forecasts.\n"
)


def page(text: str) -> str:
    body = "".join(f"<p>{sentence}.</p>" for sentence in text.rstrip(".\n").split(". "))
    head = "<html><head><title>Council news</title></head>"
    return f"{head}<body><article><h1>Council news</h1>{body}</article></body></html>"


PAGE = page(ARTICLE)
MB = 1 << 20
SENTENCES = [
    "The city council approved the new budget on Tuesday after a long debate about school funding.",
    "Council members said the plan would add two hundred teachers over the next three years.",
    "Property taxes will stay flat for most households, the mayor told reporters after the vote.",
    "Critics argued that the budget relies on optimistic forecasts of revenue from the new port.",
    "The transit authority still has no money to replace its ageing buses, its director warned.",
    "A group of parents waited outside the town hall for most of the afternoon to follow the debate.",
    "The library on Market Street will open on Sundays again from the first week of October.",
    "Engineers inspected the old bridge over the river and found the steel in better shape than feared.",
    "The hospital plans to hire forty nurses before winter, when the wards are usually full.",
    "Farmers at the weekly market complained that the new parking rules keep their customers away.",
    "Police said the number of burglaries in the northern districts fell for the third year in a row.",
    "The museum will show a collection of maps that were found in the attic of a school last spring.",
    "Water bills are expected to rise slightly to pay for the repair of pipes laid a century ago.",
    "The fire brigade asked residents to clear the access roads that are blocked by parked vans.",
    "Students from the technical college built a small solar plant on the roof of their workshop.",
    "The railway station will be closed for two weekends while the platforms are being rebuilt.",
    "A survey found that most people in the city would cycle more if the lanes were separated.",
    "The opposition asked why the cost of the new sports hall had doubled since the first estimate.",
    "Several shops in the old town have signed a charter to reduce plastic bags and packaging.",
    "The park by the lake will get new benches, lights and a playground designed by local pupils.",
    "Two bakeries have joined forces to deliver bread to elderly residents who live alone.",
    "The council will publish every contract above ten thousand euros on its website from now on.",
    "Heavy rain flooded several basements near the harbour, but nobody was hurt, officials said.",
    "A new bus line will connect the hospital with the villages in the hills twice an hour.",
    "The orchestra gave a free concert in the main square to celebrate the end of the restoration.",
    "Teachers welcomed the extra posts but said that classrooms in the east were still too crowded.",
    "The mayor promised to return to the question of public transport in the autumn session.",
    "Residents of the riverside flats asked for a crossing after a cyclist was hit by a lorry.",
    "The chamber of commerce expects tourism to recover fully by the end of next summer.",
    "An exhibition about the history of the tram opens at the depot museum on Saturday.",
]


def article(number: int) -> str:
    """A distinct paragraph (no two are near duplicates of each other), the same on every run."""
    return " ".join(random.Random(number).sample(SENTENCES, 6))


def stream_compressed(path: Path, chunk: bytes, count: int, kind: str) -> None:
    """``chunk`` repeated ``count`` times, compressed as it is written (one gzip member or one zstd frame)."""
    with path.open("wb") as out:
        if kind == "gz":
            packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header and trailer
            for _ in range(count):
                out.write(packer.compress(chunk))
            out.write(packer.flush())
        else:
            import zstandard

            packer = zstandard.ZstdCompressor(level=3).compressobj()
            for _ in range(count):
                out.write(packer.compress(chunk))
            out.write(packer.flush())


def write_warc(pages: list[str]) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for number, page in enumerate(pages):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            f"https://news.example.org/{number}", "response", payload=io.BytesIO(page.encode()), http_headers=headers
        )
        writer.write_record(record)
    return buffer.getvalue()


def cut_warc(folder: Path) -> None:
    data = write_warc([page(article(1)), page(article(2))])
    (folder / "crawl.warc").write_bytes(data[: len(data) - len(page(article(2))) // 2])


def single_line(folder: Path) -> None:
    with (folder / "line.txt").open("wb") as out:
        for _ in range(60):
            out.write(b"word " * (MB // 5))


def zeros(folder: Path) -> None:
    with (folder / "zeros.txt").open("wb") as out:
        out.truncate(1 << 30)  # sparse: 1 GiB of zeros that take no disk


def stray_bytes(folder: Path) -> None:
    good = (ARTICLE * 20).encode()
    (folder / "stray.txt").write_bytes(good[:1000] + b"\x00" + good[1000:2000] + b"\x07\x01" + good[2000:])


def cut_jsonl(folder: Path) -> None:
    lines = "".join(json.dumps({"text": article(n)}) + "\n" for n in range(3))
    (folder / "cut.jsonl").write_text(lines[:-60], encoding="utf-8")


def cut_zst(folder: Path) -> None:
    import zstandard

    packer = zstandard.ZstdCompressor().compressobj()  # streamed: blocks of 128 KB, the first ones readable
    lines = "".join(json.dumps({"text": article(n)}) + "\n" for n in range(400)).encode()
    blob = packer.compress(lines) + packer.flush()
    (folder / "cut.jsonl.zst").write_bytes(blob[: len(blob) * 2 // 3])


def fifo(folder: Path) -> None:
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")  # a FIFO without a writer: opening it to read would wait forever


def xxe(folder: Path) -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    (folder / "laughs.html").write_text(
        f"<?xml version='1.0'?><!DOCTYPE lolz [{entities}]>" + page(article(1)).replace("</h1>", "</h1><p>&lol9;</p>"),
        encoding="utf-8",
    )
    (folder / "xxe.html").write_text(
        '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + page(article(2)).replace("</h1>", "</h1><p>&xxe;</p>"),
        encoding="utf-8",
    )


def texts(build: Path) -> list[str]:
    import pyarrow.parquet as pq

    parts = sorted((build / "documents").glob("*.parquet"))
    return [text for part in parts for text in pq.read_table(part)["text"].to_pylist()]


# name -> (what the table says happened, how to build it, what a user expects of the output)
CASES: dict[str, tuple[str, Callable[[Path], None], Callable[[Path, dict], bool]]] = {
    "cp1252 short French": (
        "kept as mojibake (crčme)",
        lambda f: (f / "french.txt").write_bytes(FRENCH.encode("cp1252")),
        lambda build, run: any("crème brûlée à la française" in t for t in texts(build)),
    ),
    "cp1250 Polish paragraph": (
        "kept as mojibake (zebra³a)",
        lambda f: (f / "polish.txt").write_bytes(POLISH.encode("cp1250")),
        lambda build, run: any("zebrała się we wtorek, żeby omówić" in t for t in texts(build)),
    ),
    "WARC, last record cut": (
        "cut record vanished: read 1, no warning",
        cut_warc,
        lambda build, run: run["counts"]["read"] == 2 and run["counts"]["rejected_by_reason"] == {"read.truncated": 1},
    ),
    "dangling symlink": (
        "silently skipped",
        lambda f: ((f / "a.txt").write_text(ARTICLE), (f / "dangling.txt").symlink_to(f / "gone.txt")),
        lambda build, run: run["counts"]["rejected_by_reason"].get("read.unreadable") == 1,
    ),
    "60 MB single line": ("kept whole; 2.8 GB peak, 44 s", single_line, lambda build, run: True),
    "gzip bomb (a x 250M)": (
        "13.1 GB peak, minutes",
        lambda f: stream_compressed(f / "bomb.txt.gz", b"a " * (MB // 2), 500, "gz"),
        lambda build, run: run["counts"]["rejected_by_reason"] == {"read.too_large": 1},
    ),
    "zstd bomb (a x 250M)": (
        "(as gzip)",
        lambda f: stream_compressed(f / "bomb.txt.zst", b"a " * (MB // 2), 500, "zst"),
        lambda build, run: run["counts"]["rejected_by_reason"] == {"read.too_large": 1},
    ),
    "1 GB of zeros": (
        "2.2 GB peak",
        zeros,
        lambda build, run: run["counts"]["rejected_by_reason"] == {"read.too_large": 1},
    ),
    "stray NUL in good text": (
        "rejected as binary",
        stray_bytes,
        lambda build, run: run["counts"]["kept"] == 1 and all("\x00" not in t for t in texts(build)),
    ),
    "JSON Lines cut mid-line": (
        "(not in the table)",
        cut_jsonl,
        lambda build, run: run["counts"]["rejected_by_reason"] == {"read.truncated": 1},
    ),
    "cut .zst": (
        "(not in the table)",
        cut_zst,
        lambda build, run: run["counts"]["rejected_by_reason"].get("read.truncated") == 1,
    ),
    "FIFO": (
        "(not in the table)",
        fifo,
        lambda build, run: run["counts"]["rejected_by_reason"] == {"read.not_a_file": 1},
    ),
    "XXE + billion laughs": (
        "(not in the table)",
        xxe,
        lambda build, run: all("root:" not in t and "lollol" not in t for t in texts(build)),
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-hostile")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the cleaner to run (default: this checkout)")
    parser.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    parser.add_argument("--validate", action="store_true", help="validate too (off by default: not the readers)")
    args = parser.parse_args()
    chosen = [name for name in CASES if not args.cases or name in args.cases.split(",")]
    env = {**os.environ, "PYTHONPATH": str(args.checkout.resolve())}
    print(f"cleaner from {args.checkout}, 2 workers{'' if args.validate else ', --no-validate'}\n")
    print(f"{'case':<26}{'read':>6}{'kept':>6}  {'rejected':<38}{'peak MB':>9}{'s':>7}  check")
    for name in chosen:
        _, build_input, expected = CASES[name]
        folder = args.work / name.replace(" ", "_").replace("/", "_")
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "raw").mkdir(parents=True)
        build_input(folder / "raw")
        command = [sys.executable, "-m", "cleaner", "run", "raw", "--out", "out", "--workers", "2"]
        result = measure(command + ([] if args.validate else ["--no-validate"]), cwd=folder, env=env, check=False)
        run_json = folder / "out" / "cleaner-corpus" / "build" / "run.json"
        if not run_json.exists():
            failed = f"exit {result.returncode}, no output"
            print(f"{name:<26}  {failed:<50}{result.peak_rss_mb:>9,.0f}{result.seconds:>7.1f}")
            continue
        run = json.loads(run_json.read_text())
        counts = run["counts"]
        rejected = ", ".join(f"{reason} {n}" for reason, n in sorted(counts["rejected_by_reason"].items())) or "-"
        ok = "ok" if expected(run_json.parent, run) else "NOT AS EXPECTED"
        print(
            f"{name:<26}{counts['read']:>6}{counts['kept']:>6}  {rejected:<38}{result.peak_rss_mb:>9,.0f}"
            f"{result.seconds:>7.1f}  {ok}"
        )
        shutil.rmtree(folder / "raw", ignore_errors=True)  # the 1 GB file is sparse, the others are not small


if __name__ == "__main__":
    main()

"""The pipeline: configured steps applied to the document stream, one task at a time.

A task (see :mod:`cleaner.tasks`) is a run of consecutive input files of bounded size, or a slice of the records
of one large file. The worker that takes it reads the files, passes every record through the steps and writes its
own part of each output table, returning only counts. Which worker takes which task does not matter: the parts
are named by task number, so the output is the same for any number of workers.
"""

from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cleaner import schema
from cleaner.config import Config
from cleaner.document import Document, Pending, Reject
from cleaner.readers import read_file
from cleaner.readers.limits import DEFAULT_LIMITS, Limits
from cleaner.steps import STEPS, CorpusStep, Step
from cleaner.tasks import Slice, Task
from cleaner.writer import SCRATCH_OPTIONS, PartWriter

# Documents are cleaned in batches of at most this many, or of this many characters (a few MB in memory): a step
# that works on a batch at once pays its fixed costs per batch, not per document (see Step.apply_batch).
BATCH_DOCS = 64
BATCH_CHARS = 4 << 20


def build_steps(config: Config) -> list[Step]:
    """The configured steps, in order, each with its settings."""
    return [STEPS[name](config.steps[name]) for name in config.pipeline]


class Pipeline:
    """Runs a document through the steps; a step that fails on a document rejects it instead of the run.

    Corpus steps (deduplication) are kept apart: in the workers they only sign each kept document; their
    decisions are applied after all tasks (see :mod:`cleaner.corpus`)."""

    # Rounds of judging the text again after later steps edited it (see process_batch); one more is rarely needed.
    max_rounds = 3

    def __init__(self, steps: list[Step], limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits  # what the files of a task may hold: the run's [run] limits
        self.steps = [s for s in steps if not isinstance(s, CorpusStep)]
        self.corpus_steps = [s for s in steps if isinstance(s, CorpusStep)]
        self.counter_columns = [f"{s.name}_{c}" for s in self.steps for c in s.counters]
        self.document_schema = schema.document_schema(self.counter_columns)
        # Every output table's schema, by table name (a table with no rows is still written, empty).
        self.schemas = {
            "documents": self.document_schema,
            "rejects": schema.REJECT_SCHEMA,
            "audit": schema.AUDIT_SCHEMA,
            "edits": schema.EDIT_SCHEMA,
        }
        # The first step that judges lines by their context, when a step after it may edit the text.
        judges = [i for i, step in enumerate(self.steps) if step.judges_context]
        self.judge_at = judges[0] if judges and judges[0] < len(self.steps) - 1 else None

    def process(self, doc: Document) -> Document | Reject:
        """The document through every step (see :meth:`process_batch`)."""
        return self.process_batch([doc])[0]

    def process_batch(self, docs: list[Document]) -> list[Document | Reject]:
        """The documents through every step, step by step over the batch (a step may do a batch's documents at
        once: see ``Step.apply_batch``); each result is what the steps make of that document alone.

        Cleaning clean text must change nothing. A step that judges lines by their context (boilerplate) can
        judge differently once a later step has edited the text, so when the text changed after it, it judges
        the edited text again; if it then removes something, the steps after it run again too. This repeats until
        the judgement stands, at most ``max_rounds`` times. Most documents take one round: only the ~10 % that a
        later step edits are judged again, together (a batching step's fixed cost is paid per batch, not for each
        of them alone)."""
        results: list[Document | Reject] = list(docs)
        judged: list[str | None] = [None] * len(docs)
        alive = self._through(self.steps, results, list(range(len(docs))), judged)
        if self.judge_at is not None:
            self._settle(results, judged, alive)
        return results

    def _through(
        self, steps: list[Step], results: list[Document | Reject], alive: list[int], judged: list[str | None] | None
    ) -> list[int]:
        """``results[k]`` for each ``k`` in ``alive`` through ``steps``, step by step over them all, in place; returns
        the ``k`` still documents. ``judged``, when given, gets the text each context-judging step left."""
        for step in steps:
            outputs = self._apply(step, [results[k] for k in alive])  # type: ignore[misc]
            still = []
            for k, output in zip(alive, outputs, strict=True):
                results[k] = output
                if isinstance(output, Document):
                    still.append(k)
                    if judged is not None and step.judges_context:
                        judged[k] = output.text
            alive = still
        return alive

    def _settle(self, results: list[Document | Reject], judged: list[str | None], alive: list[int]) -> None:
        """Judge again, in place, the documents (``alive``: those the steps kept) whose text a step after the judging
        one changed from what it judged, while the judgement changes (see :meth:`process_batch`)."""
        assert self.judge_at is not None
        judge, later = self.steps[self.judge_at : self.judge_at + 1], self.steps[self.judge_at + 1 :]
        for _ in range(1, self.max_rounds):
            edited = [k for k in alive if results[k].text != judged[k]]  # type: ignore[union-attr]
            if not edited:
                return
            before = {k: results[k].text for k in edited}  # type: ignore[union-attr]
            rejudged = self._through(judge, results, edited, judged)
            changed = [k for k in rejudged if judged[k] != before[k]]  # else the judgement stands: done
            alive = self._through(later, results, changed, None)

    def _apply(self, step: Step, docs: list[Document]) -> list[Document | Reject]:
        """``step`` over ``docs``: as a batch when the step does batches, else (or when the batch fails) one by one,
        so that only the document that fails is rejected (``<step>.error``)."""
        if not step.batches:
            return [self._one(doc, step) for doc in docs]
        seen = [(doc.text, len(doc.removed)) for doc in docs]
        try:
            outputs = step.apply_batch(docs)
        except Exception:
            return [self._one(doc, step) for doc in docs]
        return [
            applied(output, *before) if isinstance(output, Document) else output
            for output, before in zip(outputs, seen, strict=True)
        ]

    def _one(self, doc: Document, step: Step) -> Document | Reject:
        """``step`` over ``doc`` alone; a step that fails rejects the document (``<step>.error``)."""
        before, removed = doc.text, len(doc.removed)
        try:
            result = step.apply(doc)
        except Exception as err:  # a bug or a pathological input must not take the whole run down
            last = traceback.extract_tb(err.__traceback__)[-1]
            detail = f"{type(err).__name__}: {err} (at {Path(last.filename).name}:{last.lineno})"
            return doc.reject(f"{step.name}.error", detail)
        return result if isinstance(result, Reject) else applied(result, before, removed)


def applied(doc: Document, before: str, removed: int) -> Document:
    """``doc`` as a step left it, given the text it saw (``before``) and its number of removed lines then: when the
    step removed lines, the audit learns which took a blank line along (see Document.note_dropped_blank_lines)."""
    if len(doc.removed) > removed:
        doc.note_dropped_blank_lines(before, removed)
    return doc


@dataclass
class Counts:
    """What happened to the records: per task, and summed over the run."""

    bytes_in: int = 0
    read: int = 0
    kept: int = 0
    words_kept: int = 0
    rejected: Counter = field(default_factory=Counter)
    removed_lines: Counter = field(default_factory=Counter)
    read_errors: list[str] = field(default_factory=list)
    rows: Counter = field(default_factory=Counter)

    def add(self, other: Counts) -> None:
        self.bytes_in += other.bytes_in
        self.read += other.read
        self.kept += other.kept
        self.words_kept += other.words_kept
        self.rejected.update(other.rejected)
        self.removed_lines.update(other.removed_lines)
        self.read_errors.extend(other.read_errors)
        self.rows.update(other.rows)


@dataclass
class TaskResult(Counts):
    """What one task did: the run's summary and its accounting are sums of these."""

    index: int = 0
    files: int = 0
    digests: list[tuple[str, int, str]] = field(default_factory=list)


def run_task(pipeline: Pipeline, index: int, task: Task, staging: Path) -> TaskResult:
    """Read (unless the task is a slice, read already), clean and write one task's records; returns its counts."""
    result = TaskResult(index=index)
    name = f"part-{index:05d}.parquet"
    writers = {table: PartWriter(staging / table / name, columns) for table, columns in pipeline.schemas.items()}
    signers = {
        step.name: (step, PartWriter(signature_dir(staging, step.name) / name, step.signature_schema, SCRATCH_OPTIONS))
        for step in pipeline.corpus_steps
    }

    def write(record: Document | Reject, signed: list[Iterator[dict]]) -> None:
        if isinstance(record, Reject):
            result.rejected[record.reason] += 1
            writers["rejects"].add(schema.reject_row(record), len(record.text or ""))
            return
        result.kept += 1
        row = schema.document_row(record, pipeline.counter_columns)
        result.words_kept += row["n_words"]
        writers["documents"].add(row, row["n_chars"])
        for (_, signatures), rows in zip(signers.values(), signed, strict=True):
            signature = next(rows)
            if signature["id"] != record.id:  # a batch is signed apart from its writing: the two must pair up
                raise RuntimeError(f"signature of {signature['id']!r} paired with document {record.id!r}")
            signatures.add(signature)
        if record.removed:
            audit = schema.audit_columns(record)
            result.removed_lines.update(map(".".join, zip(audit["step"], audit["reason"], strict=True)))
            writers["audit"].add_columns(audit, list(map(len, audit["text"])))
        if record.edits:
            edits = schema.edit_columns(record)
            sizes = [len(before) + len(after) for before, after in zip(edits["before"], edits["after"], strict=True)]
            writers["edits"].add_columns(edits, sizes)

    batch: list[Document | Reject] = []  # records read, in order, waiting for their batch to be cleaned
    batch_chars = 0

    def flush() -> None:
        nonlocal batch_chars
        cleaned = pipeline.process_batch([record for record in batch if isinstance(record, Document)])
        # the corpus steps sign the batch's kept documents at once (see Dedup.sign_batch), in the order written
        kept = [record for record in cleaned if isinstance(record, Document)]
        signed = [iter(step.sign_batch(kept)) for step, _ in signers.values()]
        results = iter(cleaned)
        for record in batch:
            write(next(results) if isinstance(record, Document) else record, signed)
        batch.clear()
        batch_chars = 0

    def clean(record: Document | Reject | Pending) -> None:
        nonlocal batch_chars
        result.read += 1
        if isinstance(record, Pending):  # a page of a large WARC file, to be extracted here
            record = record.resolve()
        if isinstance(record, Reject) and record.reason.startswith("read."):
            result.read_errors.append(record.detail)
        batch.append(record)
        batch_chars += len(record.text or "")
        if len(batch) >= BATCH_DOCS or batch_chars >= BATCH_CHARS:
            flush()

    if isinstance(task, Slice):
        # The slice is let go of record by record as they are cleaned: the worker's pool holds the task until its
        # result is sent, and a slice's records read are as large as the rows written from them.
        records, task.records = task.records, []
        records.reverse()
        while records:
            clean(records.pop())
        result.bytes_in += task.bytes_in
        if task.digest is not None:  # the file's last slice
            result.files += 1
            result.digests.append((task.file.rel, task.file.size, task.digest))
    else:
        for file in task:
            result.files += 1
            result.bytes_in += file.size
            digests: dict[str, str] = {}
            for record in read_file(file, digests, limits=pipeline.limits):
                clean(record)
            result.digests.append((file.rel, file.size, digests.get(file.rel, "unreadable")))
    flush()
    result.rows = Counter({table: writer.close() for table, writer in writers.items()})
    for _, signatures in signers.values():
        signatures.close()
    return result


def signature_dir(staging: Path, step: str) -> Path:
    """Where a corpus step's signatures wait for its decision (removed before the output is published)."""
    return staging / "_signatures" / step

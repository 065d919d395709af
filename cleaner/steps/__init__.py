"""Cleaning steps: one module per concern, each a small configured class with one job.

A step receives a :class:`~cleaner.document.Document` and returns it (possibly with changed text, added
metadata, counters and removed lines) or a :class:`~cleaner.document.Reject` with a reason. Steps are found by
name in :data:`STEPS`, which is filled from the modules of this package: adding a step means adding a module
that defines a :class:`Step` subclass with a ``name``, nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import compress
from pathlib import Path
from typing import Any, ClassVar

from cleaner.document import Document, Reject, RemovedLine


@dataclass
class NoOptions:
    """For steps without settings."""


@dataclass(frozen=True)
class SurveyRequest:
    """A step's declared need of the corpus survey: count the short lines (1 to ``max_words`` words) and report
    those found in at least ``min_docs`` documents and ``min_share`` of their group's. Plain data, so that it
    travels to the workers of any engine."""

    max_words: int
    min_docs: int
    min_share: float = 0.0

    def candidate(self, line: str) -> bool:
        # Splitting no further than max_words: most lines are long prose, and only their first words are needed.
        return 0 < len(line.split(None, self.max_words)) <= self.max_words


class Step:
    """Base class of the pipeline steps.

    Subclasses set ``name`` (used in config, reject reasons and audit rows), ``Config`` (a dataclass of settings
    with documented defaults) and ``counters`` (the per-document counters they report, which become columns
    ``<name>_<counter>`` of the output), and implement :meth:`apply`.
    """

    name: ClassVar[str] = ""
    Config: ClassVar[type] = NoOptions
    counters: ClassVar[tuple[str, ...]] = ()
    # Set by a step that judges each line by the text around it (boilerplate). When a later step then edits the
    # text (spacing splits a glued word), the judgement may no longer be the one the published text would get,
    # and a second run would change it: the pipeline judges the edited text again (see Pipeline.process_batch).
    judges_context: ClassVar[bool] = False
    # Set by a step that does a batch's documents at once (see apply_batch); the others get them one by one.
    batches: ClassVar[bool] = False

    def __init__(self, config: Any = None) -> None:
        self.config = config if config is not None else self.Config()

    def apply(self, doc: Document) -> Document | Reject:
        raise NotImplementedError

    def apply_batch(self, docs: list[Document]) -> list[Document | Reject]:
        """The step over a batch of documents at once, for a step whose work on one document is mostly fixed cost
        (a few dozen array operations whatever the document's size). Called only when ``batches`` is set; the
        results must equal :meth:`apply`'s, one by one. Contract: when it raises, it has changed no document (the
        pipeline then applies the step to each document alone, to find the one that fails)."""
        return [self.apply(doc) for doc in docs]

    def prepare(self) -> None:
        """Load what :meth:`apply` needs (models, compiled rules, imports), in the main process before the workers
        fork: they then share one copy of it instead of each building its own. Optional; steps load lazily
        otherwise."""

    def survey_request(self) -> SurveyRequest | None:
        """What this step wants the corpus survey (:mod:`cleaner.survey`) to count before the main pass; ``None``
        (the default) when it needs no survey. The runner surveys once for every step that asks."""
        return None

    def use_survey(self, keys: frozenset[int]) -> None:
        """Receive the keys of the lines the survey found recurring (only called when :meth:`survey_request`
        asked for a survey)."""

    def reject(self, doc: Document, rule: str, detail: str) -> Reject:
        """Reject ``doc`` with the reason ``<step>.<rule>``."""
        return doc.reject(f"{self.name}.{rule}", detail)

    def drop_lines(self, doc: Document, lines: list[str], reasons: dict[int, str]) -> Document:
        """Remove the lines whose index is in ``reasons`` and record each in the audit with its reason."""
        if not reasons:
            return doc
        name = self.name
        doc.removed += [RemovedLine(name, reasons[index], index + 1, lines[index]) for index in sorted(reasons)]
        # The lines kept picked by a mask: slices between removed lines cost a list each, which the collector
        # then walks (a page loses ~80 lines).
        keep = [True] * len(lines)
        for index in reasons:
            keep[index] = False
        doc.text = "\n".join(compress(lines, keep))
        return doc


@dataclass(frozen=True)
class Decision:
    """A corpus step's verdict on one document: its cluster, and a reject reason when it is not to be kept."""

    cluster: str
    reason: str | None = None
    detail: str = ""


# How a corpus step runs its passes: ``map_ordered(job, items)`` yields ``job(item)`` for every item, in item order,
# wherever the engine runs tasks (``cleaner.engine.local.run_ordered`` without its workers argument). ``job`` must be
# picklable (a module-level function, or a functools.partial of one over small values), and items and results small:
# the tasks exchange their data through files in the staging folder.
MapOrdered = Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]]
# A corpus step's decisions, by the name of the documents part their documents are in, then by document id.
PartDecisions = dict[str, dict[str, Decision]]


class CorpusStep(Step):
    """A step that judges documents against the whole corpus (deduplication).

    It works in two halves. In the workers, :meth:`sign` turns each kept document into a small signature row
    (schema :attr:`signature_schema`; :meth:`sign_batch` a batch of them); the rows of each task are written beside
    the output, in a part named as the task's documents part. Once all tasks are done, :meth:`decide` runs its
    corpus-wide passes as tasks of the engine over those files (no process sees every signature) and returns a
    :class:`Decision` for the documents it wants changed. Corpus steps run after every per-document step, whatever
    their place in the pipeline list.
    """

    signature_schema: ClassVar[Any] = None

    def apply(self, doc: Document) -> Document | Reject:
        return doc

    def sign(self, doc: Document) -> dict[str, Any]:
        raise NotImplementedError

    def sign_batch(self, docs: list[Document]) -> list[dict[str, Any]]:
        """The signature of each of ``docs`` (a batch of kept documents, as the workers write them), in order: a
        step whose signing has fixed costs pays them once a batch."""
        return [self.sign(doc) for doc in docs]

    def decide(self, signatures: Path, map_ordered: MapOrdered) -> PartDecisions:
        """Decisions from the signature parts in the folder ``signatures`` (where the passes may also keep their
        intermediate files), by documents part."""
        raise NotImplementedError


def _discover() -> dict[str, type[Step]]:
    found: dict[str, type[Step]] = {}
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    pending = list(Step.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.name and cls is not CorpusStep:
            if cls.name in found and found[cls.name] is not cls:
                raise RuntimeError(f"two steps are named {cls.name!r}")
            found[cls.name] = cls
    return dict(sorted(found.items()))


STEPS: dict[str, type[Step]] = _discover()

# The order in which steps run when the config does not say: repair the text, then judge it. Personal data is
# replaced before boilerplate removal, so that removed lines reach the audit table without it, and so that a second
# run sees the same lines as the first (three "[PHONE]" lines are repeated lines; three numbers were not).
DEFAULT_PIPELINE: tuple[str, ...] = (
    "repair",
    "whitespace",
    "pii",
    "boilerplate",
    "language",
    "spacing",
    "metadata",
    "quality",
    "length",
    "dedup",
)

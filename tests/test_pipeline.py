"""The pipeline's own behaviour: a step that judges lines by context judges the text later steps edited again."""

from __future__ import annotations

from cleaner.document import Document, Reject
from cleaner.pipeline import Pipeline
from cleaner.steps import Step


class DropMenus(Step):
    """Removes every line that reads "menu", like boilerplate removal judging the text it is given."""

    name = "drop_menus"
    judges_context = True

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def apply(self, doc: Document) -> Document:
        self.calls += 1
        lines = doc.text.split("\n")
        return self.drop_lines(doc, lines, {i: "menu" for i, line in enumerate(lines) if line == "menu"})


class JoinSplitWords(Step):
    """Edits the text after the judgement, like the spacing step: here it rejoins "me nu" into "menu"."""

    name = "join"

    def apply(self, doc: Document) -> Document:
        doc.text = doc.text.replace("me nu", "menu")
        return doc


class AppendMenu(Step):
    """A pathological later step that adds a line the judge removes, every time."""

    name = "append"

    def apply(self, doc: Document) -> Document:
        doc.text += "\nmenu"
        return doc


class RejectMarked(Step):
    name = "reject_marked"

    def apply(self, doc: Document) -> Document | Reject:
        return self.reject(doc, "marked", "") if "REJECT" in doc.text else doc


def test_text_edited_after_the_judgement_is_judged_again_and_cleaning_is_idempotent():
    judge = DropMenus()
    pipeline = Pipeline([judge, JoinSplitWords()])
    doc = pipeline.process(Document(id="a", text="menu\nArticle text.\nme nu\nMore text.", source="a.txt"))
    assert doc.text == "Article text.\nMore text."
    assert [(r.step, r.line_no, r.text) for r in doc.removed] == [("drop_menus", 1, "menu"), ("drop_menus", 2, "menu")]
    assert judge.calls == 2
    again = pipeline.process(Document(id="a", text=doc.text, source="a.txt"))
    assert again.text == doc.text


def test_the_judge_runs_once_when_nothing_after_it_edits_the_text():
    judge = DropMenus()
    pipeline = Pipeline([judge, JoinSplitWords()])
    doc = pipeline.process(Document(id="a", text="menu\nArticle text.", source="a.txt"))
    assert doc.text == "Article text."
    assert judge.calls == 1


def test_rounds_are_bounded_and_a_later_reject_still_rejects():
    judge = DropMenus()
    pipeline = Pipeline([judge, AppendMenu()])
    doc = pipeline.process(Document(id="a", text="Article text.", source="a.txt"))
    assert judge.calls == pipeline.max_rounds
    assert doc.text == "Article text.\nmenu"  # the last round's edit stands: the loop ends instead of spinning
    rejecting = Pipeline([DropMenus(), JoinSplitWords(), RejectMarked()])
    result = rejecting.process(Document(id="b", text="me nu\nREJECT this", source="b.txt"))
    assert isinstance(result, Reject) and result.reason == "reject_marked.marked"


def test_without_a_judging_step_or_with_it_last_there_is_a_single_round():
    assert Pipeline([JoinSplitWords(), RejectMarked()]).judge_at is None
    assert Pipeline([JoinSplitWords(), DropMenus()]).judge_at is None
    assert Pipeline([DropMenus(), JoinSplitWords()]).judge_at == 0


class FailsOnBoom(Step):
    """A step with a batch path that fails for the whole batch when one document holds "boom"."""

    name = "fragile"
    batches = True

    def apply(self, doc: Document) -> Document:
        if "boom" in doc.text:
            raise ValueError("cannot handle boom")
        doc.text = doc.text.upper()
        return doc

    def apply_batch(self, docs: list[Document]) -> list[Document | Reject]:
        if any("boom" in doc.text for doc in docs):
            raise ValueError("cannot handle boom")
        return [self.apply(doc) for doc in docs]


def test_a_batch_that_fails_rejects_only_the_document_that_fails_and_keeps_the_order():
    pipeline = Pipeline([RejectMarked(), FailsOnBoom(), JoinSplitWords()])
    docs = [
        Document(id=str(n), text=text, source=f"{n}.txt") for n, text in enumerate(["a", "boom", "REJECT", "me nu"])
    ]
    results = pipeline.process_batch(docs)
    assert [r.id for r in results] == ["0", "1", "2", "3"]
    assert isinstance(results[1], Reject) and results[1].reason == "fragile.error"
    assert "cannot handle boom" in results[1].detail
    assert isinstance(results[2], Reject) and results[2].reason == "reject_marked.marked"
    assert [results[0].text, results[3].text] == ["A", "ME NU"]


def test_a_batch_gives_what_each_document_gets_alone():
    def documents():
        texts = ["menu\nme nu\ntext", "plain", "REJECT me", "menu"]
        return [Document(id=str(n), text=text, source=f"{n}.txt") for n, text in enumerate(texts)]

    alone = [Pipeline([DropMenus(), RejectMarked(), JoinSplitWords()]).process(doc) for doc in documents()]
    together = Pipeline([DropMenus(), RejectMarked(), JoinSplitWords()]).process_batch(documents())
    assert [(type(r).__name__, r.text) for r in together] == [(type(r).__name__, r.text) for r in alone]


class DropMenusInBatches(DropMenus):
    """The judge with a batch path, recording the size of each batch it is given."""

    batches = True

    def __init__(self) -> None:
        super().__init__()
        self.batch_sizes: list[int] = []

    def apply_batch(self, docs: list[Document]) -> list[Document | Reject]:
        self.batch_sizes.append(len(docs))
        return [self.apply(doc) for doc in docs]


def test_the_documents_judged_again_are_judged_together_and_get_what_each_gets_alone():
    def documents():
        texts = ["menu\nme nu\ntext", "plain", "me nu", "REJECT me nu", "text\nme nu\nme nu", "menu"]
        return [Document(id=str(n), text=text, source=f"{n}.txt") for n, text in enumerate(texts)]

    def pipeline(judge: Step) -> Pipeline:
        return Pipeline([judge, JoinSplitWords(), RejectMarked()])

    alone = [pipeline(DropMenus()).process(doc) for doc in documents()]
    judge = DropMenusInBatches()
    together = pipeline(judge).process_batch(documents())
    assert [(type(r).__name__, r.text, getattr(r, "removed", None)) for r in together] == [
        (type(r).__name__, r.text, getattr(r, "removed", None)) for r in alone
    ]
    assert judge.batch_sizes == [6, 3]  # the three kept documents whose "me nu" became "menu", in one batch
    judge = DropMenusInBatches()
    Pipeline([judge, AppendMenu()]).process_batch(documents())
    assert judge.batch_sizes == [6] * Pipeline.max_rounds  # every round, all of them at once


def test_a_slice_is_let_go_of_as_it_is_cleaned_and_every_record_is_written(tmp_path):
    """The worker's pool holds a task until its result is sent: run_task empties the slice it is given, so that
    the records already cleaned are not held beside the rows written from them."""
    import pyarrow.parquet as pq

    from cleaner.pipeline import run_task
    from cleaner.readers import InputFile
    from cleaner.tasks import Slice

    records = [Document(id=f"d{i}", text=f"line {i}\nmenu", source="s.jsonl") for i in range(150)]
    records.insert(70, Reject("bad", "s.jsonl", "read.bad_json", "line 71 is not JSON", None))
    task = Slice(InputFile(path="s.jsonl", rel="s.jsonl", size=1000), records, 1000, digest="abc")
    result = run_task(Pipeline([DropMenus()]), 3, task, tmp_path)
    assert task.records == []
    assert (result.read, result.kept, dict(result.rejected)) == (151, 150, {"read.bad_json": 1})
    ids = pq.read_table(tmp_path / "documents" / "part-00003.parquet", columns=["id"])["id"].to_pylist()
    assert ids == [f"d{i}" for i in range(150)]  # in the slice's order
    assert result.removed_lines == {"drop_menus.menu": 150}


def test_each_kept_document_gets_its_own_signature_row(tmp_path):
    """A batch's kept documents are signed together, apart from their writing: a document that cleaning rejects
    between kept ones must shift no signature onto another document."""
    import pyarrow.parquet as pq

    from cleaner.pipeline import run_task, signature_dir
    from cleaner.readers import InputFile
    from cleaner.steps.dedup import Dedup
    from cleaner.tasks import Slice

    texts = [f"story {i} " + "the harbour reopened after the storm " * (i % 3 + 1) for i in range(12)]
    records = [Document(id=f"d{i}", text=text, source="s.jsonl") for i, text in enumerate(texts)]
    for i in (0, 5, 6, 11):  # first, last and side by side
        records[i].text += " REJECT"
    dedup = Dedup()
    task = Slice(InputFile(path="s.jsonl", rel="s.jsonl", size=1000), records, 1000, digest="abc")
    run_task(Pipeline([RejectMarked(), dedup]), 0, task, tmp_path)
    signatures = pq.read_table(signature_dir(tmp_path, dedup.name) / "part-00000.parquet").to_pylist()
    kept = [f"d{i}" for i in range(12) if i not in (0, 5, 6, 11)]
    assert [row["id"] for row in signatures] == kept
    alone = {
        doc.id: dedup.sign(doc)
        for doc in Pipeline([dedup]).process_batch(
            [Document(id=f"d{i}", text=texts[i], source="s.jsonl") for i in range(12)]
        )
    }
    for row in signatures:
        assert row["exact"] == alone[row["id"]]["exact"]
        assert row["minhash"] == alone[row["id"]]["minhash"].tolist()

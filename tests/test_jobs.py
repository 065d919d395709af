from cleaner import jobs, language_id, wordfreqs
from cleaner.document import Document
from cleaner.jobs import PipelineRecipe, build_pipeline, forget_steps, pipeline_for, remember

TEXT = (
    "The council met on Tuesday to discuss the new budget for the schools of the district.\n"
    "Share this article\n"
    "Members agreed that the libraries would stay open longer during the winter months this year.\n"
)


def test_forget_steps_lets_go_of_what_the_steps_loaded_and_a_new_pipeline_cleans_alike(defaults):
    config = defaults
    pipeline = build_pipeline(config)
    recipe = PipelineRecipe(config)
    remember(recipe, pipeline)
    before = pipeline.process(Document(id="a", text=TEXT, source="a.txt"))
    assert language_id.py3langid_model.cache_info().currsize == 1
    assert wordfreqs._table.cache_info().currsize > 0
    del pipeline
    forget_steps()
    assert jobs._built == {}
    assert language_id.py3langid_model.cache_info().currsize == 0
    assert wordfreqs._table.cache_info().currsize == 0
    after = pipeline_for(recipe).process(Document(id="a", text=TEXT, source="a.txt"))
    assert (after.text, after.removed) == (before.text, before.removed)


def test_the_driver_stays_frozen_from_remember_through_the_pool_until_forget_steps(defaults):
    """A full collection of the driver would write into every object its forked workers share (copying the
    pages): remember() freezes them, a pool leaves that freeze alone, forget_steps() ends it."""
    import gc

    from cleaner.engine.local import run_ordered

    gc.unfreeze()
    remember(PipelineRecipe(defaults), build_pipeline(defaults, prepare=False))
    assert gc.get_freeze_count() > 0
    assert list(run_ordered(abs, [-1, -2, -3], workers=2)) == [1, 2, 3]
    assert gc.get_freeze_count() > 0
    forget_steps()
    assert gc.get_freeze_count() == 0
    list(run_ordered(abs, [-1, -2], workers=2))  # a pool of a process that froze nothing unfreezes what it froze
    assert gc.get_freeze_count() == 0

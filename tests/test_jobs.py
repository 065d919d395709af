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

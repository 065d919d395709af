"""Boilerplate detection for plain text: the signals the ``boilerplate`` step combines, and the analysis that
combines them.

- :mod:`.rules`: curated phrases and patterns per category, kept as data files;
- :mod:`.lines`: tokens, stop-word lists and the jusText-style classes (length, stop-word density, punctuation);
- :mod:`.characters`: what the characters of a batch's lines say (stripped length, final punctuation, words, the
  normalised text), read from their code points for all lines at once;
- :mod:`.page`: what each line of a batch of documents is on its own, read once into arrays;
- :mod:`.segments`: array operations over many pages' lines at once, none crossing a page's edge;
- :mod:`.structure`: where the article is: repeated lines, the content regions, the title above them;
- :mod:`.model`: the line model, its features and weights;
- :mod:`.analysis`: the passes over a batch of pages until they settle.

The corpus survey (lines that recur across many documents of a site) is :mod:`cleaner.survey`.
"""

"""Boilerplate detection for plain text: the signals the ``boilerplate`` step combines.

- :mod:`.rules`: curated phrases and patterns per category, kept as data files;
- :mod:`.lines`: per-line features and a jusText-style classification (length, stop-word density, punctuation);
- :mod:`.structure`: where the article is: repeated lines, teaser blocks, the main content region;
- :mod:`.corpus`: lines that recur across many documents of the corpus.
"""

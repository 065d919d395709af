"""Publishing: versioned, immutable releases under ``dist/<name>/<version>/`` in the Hugging Face layout.

- :mod:`.release`: a validated build becomes a release (Parquet shards, card, manifest), atomically;
- :mod:`.card`: the dataset card (YAML front matter for the Hub and ``datasets``, then the human part);
- :mod:`.diff`: what changed between two releases (the card's changelog comes from it);
- :mod:`.hub`: pushing a release to the Hugging Face Hub in one commit, tagged with its version.
"""

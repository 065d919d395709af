"""cleaner: turn raw web-scraped text into a clean, validated, versioned dataset."""

__version__ = "0.1.0"

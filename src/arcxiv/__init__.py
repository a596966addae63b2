"""ArcXiv: compile a research paper into a staged, source-grounded curriculum."""

__version__ = "0.1.0"

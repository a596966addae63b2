"""The static HTML course (placeholder until the course lands)."""
from __future__ import annotations

from ..models import Curriculum


def to_html(cur: Curriculum) -> dict[str, str]:
    """Relative path -> page text, for every file of the course."""
    return {}

"""Visuals: SVG diagrams made in Python (placeholder until the visuals land)."""
from __future__ import annotations

from ..models import Curriculum, Plan, Visual


def make_visuals(plan: Plan, cur: Curriculum) -> list[Visual]:
    return []

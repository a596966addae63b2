"""curriculum.json: the canonical, versioned output."""
from __future__ import annotations

import json

from ..models import Curriculum


def to_json(cur: Curriculum) -> str:
    data = cur.model_dump(by_alias=True, mode="json")
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

"""curriculum.json: the canonical, versioned output."""
from __future__ import annotations

import orjson

from ..models import Curriculum


def to_json(cur: Curriculum) -> str:
    """Pretty-printed UTF-8 JSON; orjson, because the standard encoder is slow when indenting."""
    data = cur.model_dump(by_alias=True, mode="json")
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"

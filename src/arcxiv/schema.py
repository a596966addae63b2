"""The published JSON Schema of curriculum.json, derived from the pydantic models."""
from __future__ import annotations

import json
from importlib import resources

from .models import SCHEMA_ID, Curriculum

SCHEMA_FILE = "curriculum.schema.json"


def build_schema() -> dict:
    schema = Curriculum.model_json_schema(by_alias=True, mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def shipped_schema() -> dict:
    return json.loads(resources.files("arcxiv").joinpath("schema", SCHEMA_FILE).read_text(encoding="utf-8"))


def validate(data: dict) -> list[str]:
    """Schema errors in ``data`` (a parsed curriculum.json), as readable lines."""
    from jsonschema import Draft202012Validator

    v = Draft202012Validator(shipped_schema())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in
            sorted(v.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))]


if __name__ == "__main__":  # regenerate the shipped file: python -m arcxiv.schema > src/arcxiv/schema/…
    print(json.dumps(build_schema(), indent=2, ensure_ascii=False))

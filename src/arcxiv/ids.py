"""Content-derived IDs: the same content always gets the same ID."""
import hashlib


def content_id(kind: str, text: str) -> str:
    return hashlib.sha256(f"{kind}\x1f{text}".encode("utf-8")).hexdigest()[:12]

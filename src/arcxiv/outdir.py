"""Output folders: ArcXiv replaces or adds to only a folder it wrote itself.

Every folder ArcXiv writes holds a small marker, ``.arcxiv-output``, that lists the
files it wrote there and what kind of output the folder is (``course``, ``export-anki``,
``batch`` …). A folder that does not exist, or is empty, becomes a new output folder. An
existing folder is replaced only when it has the marker and holds nothing ArcXiv did not
write; anything else (a file, the user's own folder, a course the user added notes to) is
refused with a sentence saying why, and nothing is touched. Writing is gathered first and
moved into place at once, so a failure leaves no partial output. Folders get the user's
umask (``tempfile.mkdtemp`` makes them 0700).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from .errors import InputError

MARKER = ".arcxiv-output"
LEGACY_DONE = ".arcxiv-done"  # a batch paper folder of an earlier version has only this


@lru_cache(maxsize=1)
def _folder_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o777 & ~mask


def _marker(kind: str, names) -> str:
    return json.dumps({"written_by": "arcxiv", "kind": kind, "files": sorted(names)}, indent=1) + "\n"


def read_marker(folder: Path) -> dict | None:
    """The folder's marker, or None when ArcXiv did not write the folder."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"kind": "batch-paper", "files": None} if (folder / LEGACY_DONE).is_file() else None
    ok = isinstance(data, dict) and data.get("written_by") == "arcxiv" and isinstance(data.get("files"), list)
    return data if ok else None


def _contents(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir() or p.is_symlink())


def _foreign(folder: Path, marker: dict) -> list[str]:
    """What the folder holds that ArcXiv did not write. A listed folder covers what is under it (a
    batch lists its papers' folders, each with a marker of its own); ArcXiv's own temporary entries
    (".NAME.…" of a listed NAME, left by a killed run) are its own. An earlier version's batch
    paper folder has no list: nothing in it counts as foreign."""
    if marker["files"] is None:
        return []
    listed = set(marker["files"]) | {MARKER}
    nested = {p.parent.relative_to(folder).as_posix() for p in folder.glob(f"*/**/{MARKER}")}  # an export inside

    def ours(name: str) -> bool:
        parts = name.split("/")
        prefixes = {"/".join(parts[:i]) for i in range(1, len(parts) + 1)}
        return bool(prefixes & (listed | nested)) or is_temp(parts[0], listed)
    return [name for name in _contents(folder) if not ours(name)]


def is_temp(name: str, listed) -> bool:
    return name.startswith(".") and any(name.startswith(f".{n}.") for n in listed)


def claim(folder: Path, kind: str | None = None) -> dict | None:
    """Check that ``folder`` may be written: None for a new or empty folder, else its marker.
    ``kind``: the marker kind a batch needs to find (a batch folder is added to, not replaced)."""
    if folder.is_symlink():  # replacing it would replace the link, or write where it points
        raise InputError(f"{folder} is a symbolic link; give the folder it points to.")
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file, not a folder: give a folder for the output.")
    if not folder.exists() or not any(folder.iterdir()):
        return None
    marker = read_marker(folder)
    if marker is None:
        raise InputError(f"{folder} already holds files that ArcXiv did not write; ArcXiv only replaces a folder it "
                         f"wrote itself, so choose a new or empty folder.")
    foreign = _foreign(folder, marker)
    if foreign:
        raise InputError(f"{folder} holds {foreign[0]!r}, which ArcXiv did not write; move it out or choose "
                         f"another folder (ArcXiv never deletes what it did not write).")
    if kind is not None and marker.get("kind") != kind:
        raise InputError(f"{folder} holds an ArcXiv {marker.get('kind', 'output')}, not a {kind}; choose another "
                         f"folder.")
    return marker


def _write_tree(files: dict[str, str | bytes], root: Path) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def write_outputs(files: dict[str, str | bytes], out_dir: Path, kind: str = "course") -> None:
    """Write ``files`` as the whole of ``out_dir``, replacing it only if ArcXiv wrote it.
    Everything goes to a temporary folder beside it and is moved into place at once."""
    out_dir = Path(os.path.abspath(out_dir))
    claim(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        _write_tree({**files, MARKER: _marker(kind, files)}, tmp)
        os.chmod(tmp, _folder_mode())
        old = None
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
            os.replace(out_dir, old / "prev")
        os.replace(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def add_outputs(files: dict[str, str | bytes], out_dir: Path, kind: str) -> None:
    """Add ``files`` to an output folder ArcXiv wrote (an export into a course folder), file by file,
    each moved into place at once; a new or empty folder is written whole as ``kind``."""
    out_dir = Path(os.path.abspath(out_dir))
    marker = claim(out_dir)
    if marker is None or marker.get("kind") == kind:  # new, or this same export again: replaced whole
        write_outputs(files, out_dir, kind)
        return
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.add.", dir=out_dir.parent))
    try:
        _write_tree(files, tmp)
        for name in files:
            (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / name, out_dir / name)
        names = set(marker["files"] or _contents(out_dir)) | set(files)
        (tmp / MARKER).write_text(_marker(marker.get("kind", "course"), names - {MARKER}), encoding="utf-8")
        os.replace(tmp / MARKER, out_dir / MARKER)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def start_folder(out_dir: Path, kind: str) -> None:
    """Make (or reopen) a folder that ArcXiv fills over time, such as a batch's output."""
    out_dir = Path(os.path.abspath(out_dir))
    if claim(out_dir, kind) is None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / MARKER).write_text(_marker(kind, []), encoding="utf-8")


def note_files(out_dir: Path, names) -> None:
    """Record in a folder's marker files ArcXiv added to it (a batch's index and papers)."""
    marker = read_marker(out_dir) or {"kind": "batch", "files": []}
    listed = set(marker["files"] or []) | set(names)
    tmp = out_dir / f".{MARKER}.{os.getpid()}.tmp"
    tmp.write_text(_marker(marker["kind"], listed), encoding="utf-8")
    os.replace(tmp, out_dir / MARKER)

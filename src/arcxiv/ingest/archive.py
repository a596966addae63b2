"""The files of a LaTeX source: a single .tex, an arXiv source archive (.tar.gz, .tar,
.zip, a gzipped single file) or a folder, as {relative path: bytes}.

Only regular files are read: links, device files, absolute paths and ".." never
are, and the archive's size, member count and expansion ratio are bounded, so a
hostile archive is refused in one sentence and never fills memory or disk.
"""
from __future__ import annotations

import gzip
import io
import os
import posixpath
import tarfile
import zipfile
from pathlib import Path

from ..errors import InputError
from .normalize import MAX_PAPER_BYTES as MAX_ARCHIVE_BYTES
MAX_EXPANDED_BYTES = 256 * 1024 * 1024  # everything read out of it
MAX_MEMBERS = 5_000
MAX_RATIO = 100  # expanded / compressed: more than this is a zip bomb, not a paper
# Only text the reader may need: TeX, bibliographies and small generated inputs.
TEXT_SUFFIXES = (".tex", ".ltx", ".bbl", ".bib", ".sty", ".cls", ".txt", ".def", ".cfg", ".clo", "")
_MAX_TEXT_MEMBER = 16 * 1024 * 1024


def is_archive(data: bytes) -> bool:
    return data[:2] == b"\x1f\x8b" or data[:4] == b"PK\x03\x04" or _is_tar(data)


def _is_tar(data: bytes) -> bool:
    return len(data) > 262 and data[257:262] == b"ustar"


def read_archive(data: bytes, name: str) -> dict[str, bytes]:
    if len(data) > MAX_ARCHIVE_BYTES:
        raise InputError(f"{name} is {len(data) / 2**20:.1f} MB; an archive of a paper's source may be at most "
                         f"{MAX_ARCHIVE_BYTES // 2**20} MB.")
    if data[:4] == b"PK\x03\x04":
        return _zip(data, name)
    if data[:2] == b"\x1f\x8b":
        inner = _gunzip(data, name)
        if _is_tar(inner):
            return _tar(inner, name)
        return {"main.tex": inner}  # arXiv serves a single-file source as one gzipped .tex
    return _tar(data, name)


def _limit(name: str, compressed: int) -> int:
    return min(MAX_EXPANDED_BYTES, max(compressed, 1) * MAX_RATIO)


def _gunzip(data: bytes, name: str) -> bytes:
    limit = _limit(name, len(data))
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            inner = stream.read(limit + 1)
    except (OSError, EOFError) as err:
        raise InputError(f"{name} is a damaged gzip file ({err}); download the source archive again.") from None
    if len(inner) > limit:
        raise _bomb(name, limit)
    return inner


def _bomb(name: str, limit: int) -> InputError:
    return InputError(f"{name} expands to more than {limit / 2**20:.0f} MB; that is not a paper's source, "
                      "so it was not read.")


def _safe_path(member: str) -> str | None:
    """The member's path inside the archive, or None for one that would leave it."""
    path = posixpath.normpath(member.replace("\\", "/"))
    if path.startswith(("/", "../")) or path == ".." or ":" in path.split("/")[0]:
        return None
    return None if path == "." else path


def _wanted(path: str) -> bool:
    return Path(path).suffix.lower() in TEXT_SUFFIXES


def _tar(data: bytes, name: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total, limit = 0, _limit(name, len(data))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            for count, member in enumerate(tar, 1):
                if count > MAX_MEMBERS:
                    raise InputError(f"{name} holds more than {MAX_MEMBERS:,} files; that is not a paper's source.")
                path = _safe_path(member.name)
                if not member.isreg() or path is None or not _wanted(path) or member.size > _MAX_TEXT_MEMBER:
                    continue  # links, devices, escapes, figures: never read
                total += member.size
                if total > limit:
                    raise _bomb(name, limit)
                stream = tar.extractfile(member)
                files[path] = stream.read() if stream else b""
    except (tarfile.TarError, EOFError, OSError) as err:
        raise InputError(f"{name} is a damaged tar archive ({err}); download the source archive again.") from None
    return files


def _zip(data: bytes, name: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total, limit = 0, _limit(name, len(data))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise InputError(f"{name} holds more than {MAX_MEMBERS:,} files; that is not a paper's source.")
            for info in members:
                path = _safe_path(info.filename)
                is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
                if info.is_dir() or is_link or path is None or not _wanted(path):
                    continue
                if info.file_size > _MAX_TEXT_MEMBER:
                    continue
                total += info.file_size
                if total > limit:
                    raise _bomb(name, limit)
                with archive.open(info) as stream:
                    content = stream.read(_MAX_TEXT_MEMBER + 1)  # the header's size can lie
                if len(content) > info.file_size:
                    raise _bomb(name, limit)
                files[path] = content
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError) as err:
        raise InputError(f"{name} is a damaged or unsupported zip archive ({err}); download it again.") from None
    return files


def pack_folder(folder: Path, name: str) -> bytes:
    """A folder of LaTeX source as an (uncompressed) tar in memory, so it is read like an archive."""
    files = read_folder(folder, name)
    if not any(p.lower().endswith((".tex", ".ltx")) for p in files):
        raise InputError(f"{name} is a directory with no .tex file in it; give a paper file, or the directory of "
                         "a paper's LaTeX source.")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path, content in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def read_folder(folder: Path, name: str) -> dict[str, bytes]:
    """A folder's text files, never following a link out of it."""
    files: dict[str, bytes] = {}
    total = 0
    root = folder.resolve()
    for here, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (Path(here) / d).is_symlink())
        for file_name in sorted(names):
            path = Path(here) / file_name
            if path.is_symlink() or not path.is_file() or not _wanted(file_name):
                continue
            rel = path.relative_to(root).as_posix()
            if len(files) >= MAX_MEMBERS:
                raise InputError(f"{name} holds more than {MAX_MEMBERS:,} text files; that is not a paper's source.")
            size = path.stat().st_size
            if size > _MAX_TEXT_MEMBER:
                continue
            total += size
            if total > MAX_EXPANDED_BYTES:
                raise _bomb(name, MAX_EXPANDED_BYTES)
            files[rel] = path.read_bytes()
    return files

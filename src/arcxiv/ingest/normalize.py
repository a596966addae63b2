"""Bytes -> text checks and the one text normalisation every span relies on.

Every later stage indexes into ``Paper.text``, so the text is normalised exactly
once, here, and the normalisation is idempotent (normalising twice changes
nothing), which lets format modules build text piecewise and still keep spans.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from ..errors import InputError
from ..models import Paper, SourceSection

MAX_BYTES = 5 * 1024 * 1024
# A whole paper as given (a PDF, a source archive, JATS XML): a 60-page paper with its figures fits.
MAX_PAPER_BYTES = 64 * 1024 * 1024
# The paper's own text (the abstract, or the sections of a Markdown paper) after
# normalisation: about 30,000 words, a long paper. The compile grows a little faster than
# the text (term-dense text of 160,000 characters takes about 25 s on a 2-core machine), and
# spaCy refuses texts over 1,000,000 characters outright.
MAX_CHARS = 200_000
# A whole paper (LaTeX, PDF, JATS): its text after reading, about 100,000 words, a long thesis.
# spaCy parses at most 1,000,000 characters in one document.
MAX_PAPER_CHARS = 800_000
# Scripts written without spaces between words: ArcXiv's word and sentence finding
# (spaCy's English pipeline) cannot split them.
_NO_SPACE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")

# C0 controls except tab/newline/vertical tab/form feed/carriage return, plus DEL.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
# Control characters that survive decoding are invisible noise; drop them.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def too_big(name: str, size: int, limit: int = MAX_BYTES) -> InputError:
    """The one message for a file over the limit, from the CLI, ingest and the web app alike."""
    what = "" if limit == MAX_BYTES else " for a whole paper (PDF, LaTeX source or JATS XML)"
    return InputError(f"{name} is {size / 2**20:.1f} MB ({size:,} bytes); the limit{what} is {limit // 2**20} MB "
                      f"({limit:,} bytes), so split it into smaller files.")


_SENTENCE_END = re.compile(r"[.!?][$\"'”’)\]]*(?:\s|$)")  # "… group $A.$" ends a sentence too


def decode(data: bytes, name: str = "input", limit: int = MAX_BYTES) -> str:
    """Check raw bytes in the documented order and return text with "\\n" newlines."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(f"{name} must be given as bytes, not {type(data).__name__}.")
    data = bytes(data)
    size = len(data)
    if size > limit:
        raise too_big(name, size, limit)
    if size == 0:
        raise InputError(f"{name} is empty; give a file that contains a paper's title and abstract.")
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise InputError(f"{name} contains only whitespace; give a file that contains a paper's title and abstract.")
    _refuse_binary(data, name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(
            f"{name} is not valid UTF-8: byte 0x{data[err.start]:02x} at offset {err.start} "
            f"(line {line}) cannot be decoded; re-save the file as UTF-8."
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{name} contains only whitespace; give a file that contains a paper's title and abstract.")
    return text


def _refuse_binary(data: bytes, name: str) -> None:
    # Name the common look-alikes so the user knows what to do instead.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{name} is UTF-16 text; re-save it as UTF-8.")
    if data.lstrip().startswith(b"%PDF"):
        raise InputError(f"{name} is a PDF, not text; compile it without --format (or with --format pdf).")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if b"\x00" in data or controls > 0.3 * len(data):
        raise InputError(
            f"{name} looks like a binary file (it contains NUL or control bytes); "
            "give a paper file (a PDF, LaTeX source, JATS XML, plain text, Markdown, arXiv JSON, Atom XML or BibTeX)."
        )


# TeX symbol commands read as the symbol they print ("$5\\times5$" -> "$5×5$"): a reader
# sees the symbol, and a command such as \times is no word of the paper.
_TEX_SYMBOLS = {
    "times": "×", "cdot": "·", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠",
    "approx": "≈", "sim": "∼", "simeq": "≃", "equiv": "≡", "pm": "±", "mp": "∓", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "mapsto": "↦", "infty": "∞", "partial": "∂", "nabla": "∇", "in": "∈", "notin": "∉",
    "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩", "ldots": "…", "cdots": "⋯", "dots": "…",
    "ell": "ℓ", "circ": "∘", "otimes": "⊗", "oplus": "⊕", "sqrt": "√", "sum": "∑", "prod": "∏", "int": "∫",
    "forall": "∀", "exists": "∃", "propto": "∝", "ll": "≪", "gg": "≫", "langle": "⟨", "rangle": "⟩",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
_TEX_COMMAND = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])")


def tex_symbols(text: str) -> str:
    return _TEX_COMMAND.sub(lambda m: _TEX_SYMBOLS.get(m.group(1), m.group(0)), text)


def normalize_text(text: str) -> str:
    """NFC; whitespace runs inside a paragraph -> one space; paragraphs joined by a blank line."""
    text = unicodedata.normalize("NFC", tex_symbols(_CONTROL_CHARS.sub("", text)))
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append(" ".join(" ".join(current).split()))
            current = []
    if current:
        paragraphs.append(" ".join(" ".join(current).split()))
    return "\n\n".join(p for p in paragraphs if p)


def normalize_line(text: str) -> str:
    """Like normalize_text, but everything on one line (titles, names)."""
    return " ".join(unicodedata.normalize("NFC", tex_symbols(_CONTROL_CHARS.sub("", text))).split())


def fallback_title(text: str) -> str:
    """A stand-in title when the source has none: its first 12 words."""
    words = text.split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")


def make_paper(
    *,
    title: str | None,
    text: str,
    fmt: str,
    name: str,
    paper_id: str | None = None,
    authors: tuple[str, ...] | list[str] = (),
    categories: tuple[str, ...] | list[str] = (),
    sections: tuple[SourceSection, ...] = (),
    where: str = "",
    references: tuple[str, ...] | list[str] = (),
    notes: tuple[str, ...] | list[str] = (),
    max_chars: int = MAX_CHARS,
) -> Paper:
    """Normalise, check there is an abstract, and build the Paper."""
    text = normalize_text(text)
    place = f"{name} ({where})" if where else name
    if len(text) > max_chars:
        raise InputError(
            f"{place} is too long to compile: its text has {len(text):,} characters and ArcXiv compiles at most "
            f"{max_chars:,} (about {max_chars * 3 // 20:,} words); give the paper's abstract, or split the "
            "text into several papers."
        )
    no_space = len(_NO_SPACE_SCRIPT.findall(text))
    if no_space and 2 * no_space > sum(ch.isalpha() for ch in text):
        raise InputError(
            f"{place} is written in Chinese or Japanese script, which ArcXiv cannot split into words and "
            "sentences; give the paper's abstract in a language written with spaces between words, such as English."
        )
    words = text.split()
    if len(words) < 3 or not any(ch.isalpha() for ch in text) or not _SENTENCE_END.search(text):
        raise InputError(
            f"no abstract found in {place}: ArcXiv needs the paper's abstract (at least one whole sentence, "
            "ending with a full stop) to build a curriculum; a title alone is not enough."
        )
    return Paper(
        title=normalize_line(title or "") or fallback_title(text),
        text=text,
        format=fmt,
        paper_id=paper_id or None,
        authors=_clean(authors),
        categories=_clean(categories),
        sections=tuple(sections),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        references=tuple(r for r in (normalize_line(r) for r in references) if r),
        notes=tuple(notes),
    )


def _clean(items) -> tuple[str, ...]:
    """Normalised, non-empty, first occurrence kept."""
    seen: dict[str, None] = {}
    for item in items:
        item = normalize_line(item)
        if item:
            seen.setdefault(item, None)
    return tuple(seen)

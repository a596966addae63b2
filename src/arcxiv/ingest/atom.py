"""arXiv API responses (Atom XML). Parsed with defusedxml so that DTDs and
entities (billion laughs, external entities) are refused, not expanded."""
from __future__ import annotations

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..errors import InputError
from ..models import Paper
from .records import Record, load

FORMAT = "atom"
NS = "{http://www.w3.org/2005/Atom}"


def parse(text: str, paper_id: str | None = None, name: str = "input") -> Paper:
    return load(records(text, name), paper_id, FORMAT, name)


def records(text: str, name: str = "input") -> list[Record]:
    root = _parse_xml(text, name)
    if root.tag == NS + "entry":
        entries = [root]
    elif root.tag == NS + "feed":
        entries = root.findall(NS + "entry")
    else:
        raise InputError(
            f"{name} is XML but not an Atom feed (its root element is <{_local(root.tag)}>); "
            "give an arXiv API response (an Atom <feed> of <entry> elements)."
        )
    if not entries:
        raise InputError(f"{name} is an Atom feed with no <entry> elements; the query matched no papers.")
    return [_record(entry) for entry in entries]


def _parse_xml(text: str, name: str):
    try:
        return fromstring(text, forbid_dtd=True)
    except DefusedXmlException:
        raise InputError(
            f"{name} declares a DTD or entities, which ArcXiv refuses for safety; "
            "remove the <!DOCTYPE ...> block (arXiv API responses have none)."
        ) from None
    except ParseError as err:
        line, column = err.position
        raise InputError(
            f"{name} is not well-formed XML (line {line}, column {column + 1}): {_reason(err)}; fix it or re-download the feed."
        ) from None
    except (ValueError, RecursionError) as err:
        raise InputError(f"{name} could not be read as XML ({err}); give a well-formed Atom feed.") from None


def _record(entry) -> Record:
    return Record(
        id=_arxiv_id(_text(entry.find(NS + "id"))),
        title=_text(entry.find(NS + "title")),
        abstract=_text(entry.find(NS + "summary")),
        authors=tuple(_text(a.find(NS + "name")) or "" for a in entry.findall(NS + "author")),
        categories=tuple(c.get("term", "") for c in entry.findall(NS + "category")),
    )


def _text(element) -> str | None:
    return None if element is None else "".join(element.itertext())


def _arxiv_id(url: str | None) -> str | None:
    # http://arxiv.org/abs/2101.00001v1 -> 2101.00001v1; hep-th/9901001v1 keeps its slash.
    if not url or not url.strip():
        return None
    url = url.strip()
    return url.split("/abs/", 1)[1] if "/abs/" in url else url


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _reason(err: ParseError) -> str:
    # "mismatched tag: line 3, column 2" -> "mismatched tag" (we print the place ourselves)
    return str(err).split(":", 1)[0]

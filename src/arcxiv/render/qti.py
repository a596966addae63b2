"""IMS QTI 2.1 (``qti/``): one assessmentItem per quiz item and an IMS content-package manifest.

mcq and true_false -> choiceInteraction, fill_blank -> textEntryInteraction inside the prompt's
sentence, matching -> matchInteraction, ordering -> orderInteraction; each declares its correct
response and uses the standard ``match_correct`` response-processing template, so any QTI 2.1
player scores it without custom rules. The explanation goes in a rubricBlock for the scorer and
the tutor (match_correct sets no feedback outcome that modal feedback could show). lxml does the
XML escaping; characters XML 1.0 forbids are dropped first.
"""
from __future__ import annotations

import re

from lxml import etree

from ..models import Curriculum, QuizItem
from .exports import BLANK, answer_text

NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD_URL = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
MATCH_CORRECT = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _el(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    e = etree.SubElement(parent, f"{{{NS}}}{tag}", {k: str(v) for k, v in attrs.items()})
    if text is not None:
        e.text = _clean(text)
    return e


def identifier(item_id: str) -> str:
    """QTI identifiers are NCNames: a letter or "_" first, then letters, digits, ".", "-", "_"."""
    s = re.sub(r"[^A-Za-z0-9._-]", "_", item_id)
    return s if re.match(r"[A-Za-z_]", s) else f"_{s}"


def _response(root, cardinality: str, base: str, values: list[str]) -> None:
    rd = _el(root, "responseDeclaration", identifier="RESPONSE", cardinality=cardinality, baseType=base)
    cr = _el(rd, "correctResponse")
    for v in values:
        _el(cr, "value", v)


def _choices(parent, tag: str, prefix: str, texts: list[str], **attrs) -> list[str]:
    ids = [f"{prefix}{i}" for i in range(1, len(texts) + 1)]
    for cid, t in zip(ids, texts):
        _el(parent, tag, t, identifier=cid, **attrs)
    return ids


def _body(q: QuizItem, root, body) -> None:
    """The interaction, and the response declaration that goes with it (declared before the body)."""
    prompt = q.prompt.text
    if q.kind in ("mcq", "true_false"):
        ci = _el(body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="false", maxChoices=1)
        _el(ci, "prompt", prompt)
        texts = [c.capitalize() for c in q.choices] if q.kind == "true_false" else q.choices
        ids = _choices(ci, "simpleChoice", "C", texts)
        key = q.answer if q.kind == "mcq" else [c.lower() for c in q.choices].index(str(q.answer).lower())
        _response(root, "single", "identifier", [ids[key]])
    elif q.kind == "fill_blank":
        before, sep, after = prompt.partition(BLANK)
        p = _el(body, "p", before if sep else prompt + " ")
        te = _el(p, "textEntryInteraction", responseIdentifier="RESPONSE",
                 expectedLength=max(len(str(q.answer)), 5))
        te.tail = _clean(after)
        _response(root, "single", "string", [str(q.answer)])
    elif q.kind == "matching":
        mi = _el(body, "matchInteraction", responseIdentifier="RESPONSE", shuffle="false",
                 maxAssociations=len(q.left))
        _el(mi, "prompt", prompt)
        left = _choices(_el(mi, "simpleMatchSet"), "simpleAssociableChoice", "L", q.left, matchMax=1)
        uses = [max(1, list(q.answer).count(i)) for i in range(len(q.choices))]
        right_set = _el(mi, "simpleMatchSet")
        right = [f"R{i}" for i in range(1, len(q.choices) + 1)]
        for rid, t, n in zip(right, q.choices, uses):
            _el(right_set, "simpleAssociableChoice", t, identifier=rid, matchMax=n)
        _response(root, "multiple", "directedPair", [f"{left[li]} {right[ri]}" for li, ri in enumerate(q.answer)])
    elif q.kind == "ordering":
        oi = _el(body, "orderInteraction", responseIdentifier="RESPONSE", shuffle="false")
        _el(oi, "prompt", prompt)
        ids = _choices(oi, "simpleChoice", "C", q.choices)
        _response(root, "ordered", "identifier", [ids[i] for i in q.answer])
    else:  # a kind this exporter does not know: fail loudly rather than write an unscorable item
        raise ValueError(f"QTI export: unknown quiz kind {q.kind!r}")


def item_xml(q: QuizItem) -> bytes:
    title = q.prompt.text if len(q.prompt.text) <= 80 else q.prompt.text[:79] + "…"
    root = etree.Element(f"{{{NS}}}assessmentItem", nsmap={None: NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{NS} {XSD_URL}")
    for k, v in (("identifier", identifier(q.id)), ("title", _clean(title)), ("adaptive", "false"),
                 ("timeDependent", "false")):
        root.set(k, v)
    body = etree.Element(f"{{{NS}}}itemBody")
    _body(q, root, body)  # appends the responseDeclaration to root
    od = _el(root, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    _el(_el(od, "defaultValue"), "value", "0")
    root.append(body)
    if q.explanation.text.strip():
        rb = _el(body, "rubricBlock", view="scorer tutor")
        _el(rb, "p", f"Answer: {answer_text(q)}")
        _el(rb, "p", q.explanation.text)
    _el(root, "responseProcessing", template=MATCH_CORRECT)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def manifest_xml(files: dict[str, str]) -> bytes:
    """imsmanifest.xml: one resource of type imsqti_item_xmlv2p1 per item file."""
    root = etree.Element(f"{{{CP}}}manifest", nsmap={None: CP, "xsi": XSI}, identifier="arcxiv-qti")
    root.set(f"{{{XSI}}}schemaLocation", f"{CP} {CP_XSD} {NS} {XSD_URL}")
    md = etree.SubElement(root, f"{{{CP}}}metadata")
    etree.SubElement(md, f"{{{CP}}}schema").text = "IMS Content"
    etree.SubElement(md, f"{{{CP}}}schemaversion").text = "1.1.4"
    etree.SubElement(root, f"{{{CP}}}organizations")
    resources = etree.SubElement(root, f"{{{CP}}}resources")
    for ident, href in files.items():
        r = etree.SubElement(resources, f"{{{CP}}}resource", identifier=f"res-{ident}",
                             type="imsqti_item_xmlv2p1", href=href)
        etree.SubElement(r, f"{{{CP}}}file", href=href)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def to_qti(cur: Curriculum) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    files: dict[str, str] = {}
    for q in cur.quiz:
        ident = identifier(q.id)
        files[ident] = f"items/{ident}.xml"
        out[f"qti/items/{ident}.xml"] = item_xml(q)
    out["qti/imsmanifest.xml"] = manifest_xml(files)
    return out

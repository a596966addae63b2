"""Visuals: the five kinds on the example, grounded labels, no overlapping text, safe and
accessible SVG, golden files, determinism. Text boxes are measured from the SVG itself
(parsed with xml.etree), with the same per-character width table the layout uses."""
from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from arcxiv import wording as W
from arcxiv.analyse import analyse
from arcxiv.generate.svg import ASCENT, BOLD, DESCENT, ELLIPSIS, text_width, wrap
from arcxiv.generate.visuals import make_visuals
from arcxiv.ingest import ingest
from arcxiv.pipeline import compile_paper
from arcxiv.plan import plan
from arcxiv.render.json_out import to_json
from arcxiv.verify import Verifier, tokens

from .conftest import CORPUS, SEED, compiled
GOLDEN = Path(__file__).resolve().parent / "golden" / "visuals"
SVG = "{http://www.w3.org/2000/svg}"
KINDS = {"concept_map", "roadmap", "structure", "decomposition", "symbols"}


def corpus() -> list[str]:
    return [l for l in CORPUS.read_text(encoding="utf-8").splitlines() if l.strip()]


CASES = ["example"] + [f"corpus-{i:02d}" for i in range(len(corpus()))]


def source_bytes(case: str) -> bytes:
    if case == "example":
        return SEED.read_bytes()
    return corpus()[int(case.split("-")[1])].encode("utf-8")


def cur_for(case: str):
    return compiled(source_bytes(case))


def local(tag: str) -> str:
    return tag.split("}")[-1]


def label_text(el: ET.Element) -> str:
    """A <text>'s words, its lines joined again (a line that ends in a hyphen or slash continues a word)."""
    out = ""
    for line in [t.text or "" for t in el.iter(f"{SVG}tspan")] or [el.text or ""]:
        out += line if not out or out.endswith(("-", "/")) else " " + line
    return out


def text_boxes(svg: str) -> list[tuple[float, float, float, float, str]]:
    """(left, top, right, bottom, words) of every <text>, from its tspans' positions."""
    boxes = []
    for el in ET.fromstring(svg).iter(f"{SVG}text"):
        size = float(el.get("font-size"))
        bold = "ax-b" in (el.get("class") or "").split()
        anchor = el.get("text-anchor", "start")
        xs0, ys0, xs1, ys1 = [], [], [], []
        for t in el.iter(f"{SVG}tspan"):
            x, y, w = float(t.get("x")), float(t.get("y")), text_width(t.text or "", size, bold)
            left = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
            xs0.append(left), xs1.append(left + w), ys0.append(y - ASCENT * size), ys1.append(y + DESCENT * size)
        assert xs0, f"a <text> without lines: {ET.tostring(el)!r}"
        boxes.append((min(xs0), min(ys0), max(xs1), max(ys1), label_text(el)))
    return boxes


def overlapping(boxes) -> list[tuple[str, str]]:
    bad = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                bad.append((a[4], b[4]))
    return bad


def texts(v) -> list[str]:
    return [label_text(el) for el in ET.fromstring(v.svg).iter(f"{SVG}text")]


def of_kind(cur, kind: str):
    return [v for v in cur.visuals if v.kind == kind]


# ----------------------------------------------------------------------------- the example
def test_example_has_all_five_kinds():
    cur = cur_for("example")
    assert {v.kind for v in cur.visuals} == KINDS
    assert len({v.id for v in cur.visuals}) == len(cur.visuals)


def test_example_decomposition_tree_is_the_whole_and_its_four_members():
    (tree,) = of_kind(cur_for("example"), "decomposition")
    assert texts(tree) == ["total feature-learning-error decomposition", "statistical", "optimization",
                           "propagation-of-chaos", "sparse-residual"]
    assert tree.title == W.T_VIS_TREE.format(whole="total feature-learning-error decomposition")


def test_example_symbol_table_lists_the_symbols_with_their_meanings():
    (table,) = of_kind(cur_for("example"), "symbols")
    cells = texts(table)
    assert cells[:2] == [W.T_VIS_SYMBOL, W.T_VIS_MEANING]
    rows = dict(zip(cells[2::2], cells[3::2]))
    expected = {"w*": "maximal admissible weight", "D*orb": "orbit depth", "D*var": "moment-variety depth",
                "S*": "sparse-dictionary depth at which the target is realizable",
                "μP": "Maximal Update Parametrization"}
    for symbol, meaning in expected.items():
        assert symbol in rows and meaning in rows[symbol], (symbol, rows.get(symbol))


def test_example_concept_map_labels_links_with_the_sources_words():
    (cmap,) = of_kind(cur_for("example"), "concept_map")
    words = texts(cmap)
    assert {"is separated from", "component of"} <= set(words)
    assert {"D*orb", "D*var", "total feature-learning-error decomposition"} <= set(words)
    assert len([w for w in words if w not in {"is separated from", "component of", "member", "defined with"}]) <= 12


def test_example_structure_and_roadmap():
    cur = cur_for("example")
    (structure,) = of_kind(cur, "structure")
    words = texts(structure)
    for s in cur.sections:
        assert s.title in words
    for symbol in ("w*", "D*orb", "S*"):  # what each result brings to the synthesis
        assert symbol in words
    (roadmap,) = of_kind(cur, "roadmap")
    words = texts(roadmap)
    assert [w for w in words if w in (W.T_VIS_BEGINNER, W.T_VIS_INTERMEDIATE, W.T_VIS_ADVANCED)] == \
        [W.T_VIS_BEGINNER, W.T_VIS_INTERMEDIATE, W.T_VIS_ADVANCED]
    for l in cur.lessons:
        assert f"{l.number}. {l.title}" in words
    assert roadmap.svg.count('marker-end="url(#') >= len(cur.lessons) - 1


def test_golden_svgs():
    """ARCXIV_UPDATE_GOLDEN=1 rewrites tests/golden/visuals/; otherwise byte for byte."""
    cur = cur_for("example")
    files, seen = {}, {}
    for v in cur.visuals:
        seen[v.kind] = seen.get(v.kind, 0) + 1
        files[f"{v.kind}-{seen[v.kind]}.svg"] = v.svg
    if os.environ.get("ARCXIV_UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for old in GOLDEN.glob("*.svg"):
            if old.name not in files:
                old.unlink()
        for name, svg in files.items():
            (GOLDEN / name).write_text(svg, encoding="utf-8")
    assert sorted(p.name for p in GOLDEN.glob("*.svg")) == sorted(files)
    for name, svg in files.items():
        assert svg == (GOLDEN / name).read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_same_input_same_bytes():
    data = SEED.read_bytes()
    first = [v.model_dump() for v in compile_paper(ingest(data)).visuals]
    assert first == [v.model_dump() for v in compile_paper(ingest(data)).visuals]
    p = plan(analyse(ingest(data)))
    cur = cur_for("example")
    assert [v.model_dump() for v in make_visuals(p, cur)] == [v.model_dump() for v in make_visuals(p, cur)]


def test_ids_come_from_content():
    cur = cur_for("example")
    for v in cur.visuals:
        assert re.fullmatch(rf"visual-{v.kind.replace('_', '-')}-[0-9a-f]{{8}}", v.id)
        assert f'id="{v.id}-title"' in v.svg
    other = compiled(corpus()[0].encode("utf-8"))
    assert not {v.id for v in cur.visuals} & {v.id for v in other.visuals}


def test_nothing_to_show_means_no_visual():
    cur = compile_paper(ingest(b"Graph colouring is hard. We give a faster heuristic for sparse graphs."))
    kinds = [v.kind for v in cur.visuals]
    assert "decomposition" not in kinds and "symbols" not in kinds and "concept_map" not in kinds
    for v in cur.visuals:
        ET.fromstring(v.svg)


def test_a_cycle_of_links_still_lays_out_without_overlap():
    from dataclasses import replace

    p = plan(analyse(ingest(SEED.read_bytes())))
    keys = sorted(p.analysis.terms)[:6]
    cycle = [(keys[0], keys[1], "member"), (keys[1], keys[2], "member"), (keys[2], keys[0], "member"),
             (keys[3], keys[0], "member"), (keys[3], keys[4], "defined with"), (keys[5], keys[4], "defined with")]
    p2 = replace(p, concept_edges=cycle)
    p2.analysis = replace(p.analysis, relations=[])
    (cmap,) = [v for v in make_visuals(p2, cur_for("example")) if v.kind == "concept_map"]
    assert overlapping(text_boxes(cmap.svg)) == []
    assert texts(cmap).count("member") >= 2  # the cycle's links are all drawn


# ----------------------------------------------------------------------------- every abstract
@pytest.mark.parametrize("case", CASES)
def test_no_two_labels_overlap(case):
    cur = cur_for(case)
    for v in cur.visuals:
        boxes = text_boxes(v.svg)
        assert boxes, f"{v.kind}: no labels"
        assert overlapping(boxes) == [], f"{case} {v.kind}"
        root = ET.fromstring(v.svg)
        x0, y0, w, h = map(float, root.get("viewBox").split())
        for b in boxes:  # and every label is inside the picture
            assert x0 <= b[0] and b[2] <= x0 + w and y0 <= b[1] and b[3] <= y0 + h, (case, v.kind, b)


@pytest.mark.parametrize("case", CASES)
def test_svg_is_safe_and_accessible(case):
    cur = cur_for(case)
    for v in cur.visuals:
        assert len(v.svg) < 24_000, f"{v.kind} is {len(v.svg)} bytes"
        root = ET.fromstring(v.svg)
        assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("viewBox")
        assert v.svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
        ids = {el.get("id"): local(el.tag) for el in root.iter() if el.get("id")}
        assert len(ids) == len([el for el in root.iter() if el.get("id")]), "ids repeat"
        named = [ids.get(i) for i in root.get("aria-labelledby", "").split()]
        assert named == ["title", "desc"]
        assert root.find(f"{SVG}title").text == v.title and root.find(f"{SVG}desc").text == v.alt
        assert v.alt and v.title
        for el in root.iter():
            assert local(el.tag) not in ("script", "foreignObject", "image", "iframe", "a", "use"), el.tag
            for name, value in el.attrib.items():
                name = local(name)
                assert not name.lower().startswith("on"), name
                assert name != "href", value
                for ref in re.findall(r"url\(([^)]*)\)", value):
                    assert ref.startswith("#") and ref[1:] in ids, value
                assert "javascript:" not in value.lower()
        style = "".join(el.text or "" for el in root.iter(f"{SVG}style"))
        assert "@import" not in style and "url(" not in style
        assert not re.search(r"#[0-9a-fA-F]{3,6}\b|rgb\(", v.svg), "colours come from currentColor and classes"


@pytest.mark.parametrize("case", CASES)
def test_every_label_is_grounded(case, checker, tmp_path):
    """The compiler's rule (source words or wording's template words) and the independent checker."""
    cur = cur_for(case)
    meta = " ".join([cur.source.title, cur.source.id or "", *cur.source.authors, *cur.source.categories])
    ver = Verifier(cur.source.text, meta)
    for v in cur.visuals:
        shown = [v.title, v.alt] + [el.text for el in ET.fromstring(v.svg).iter()
                                    if local(el.tag) in ("text", "tspan", "title", "desc") and el.text]
        for s in shown:
            assert ver.visible_problem(s) is None, (v.kind, s, ver.visible_problem(s))
    source = tmp_path / ("paper.txt" if case == "example" else "paper.jsonl")
    source.write_bytes(source_bytes(case) + (b"" if case == "example" else b"\n"))
    c = checker.Checker(json.loads(to_json(cur)), str(source))
    c.check_visuals()
    assert c.errors == [] and c.novel == {}


# ----------------------------------------------------------------------------- the helpers
def test_wrap_keeps_words_whole_and_marks_what_it_cuts():
    text = "Result 1: global existence and uniqueness of the mean-field limit of noisy gradient descent under μP"
    lines = wrap(text, 120, max_lines=3)
    assert len(lines) == 3 and lines[-1].endswith(ELLIPSIS)
    shown = tokens(" ".join(lines))
    assert shown == tokens(text)[:len(shown)]  # a prefix of the words, none of them cut
    assert wrap("propagation-of-chaos", 60) == ["propagation-", "of-chaos"]
    assert wrap("short", 200) == ["short"]
    assert text_width("mm", 12) > text_width("ii", 12) > 0
    assert text_width("w", 12, bold=True) == pytest.approx(text_width("w", 12) * BOLD)

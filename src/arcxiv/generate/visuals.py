"""Visuals: SVG diagrams drawn in Python from the plan and the curriculum.

- ``roadmap``: the lessons in three columns by level, arrows from a lesson to the
  lessons that build on it (the transitive reduction of the prerequisites).
- ``structure``: the paper's sections and how they combine: overview -> parts ->
  synthesis -> scope; a part's arrow into the synthesis carries the terms they share.
- ``concept_map``: the most connected key terms, each link labelled with the
  source's words (or the plan's: "defined with", "member"), in a layered layout.
- ``decomposition``: one tree per enumeration of members with a stated whole.
- ``symbols``: a table of the symbols and short forms the source defines.
- ``dependencies``: in a whole paper with numbered theorem-like blocks, which result uses which
  definition, assumption or earlier result: by the numbers it cites ("by Lemma 2.1") and by the
  terms a definition block defines; definitions on top, each result below what it rests on.

Every word drawn is a source label or a phrase from ``wording``; long labels wrap
onto several lines or end in an ellipsis, always at a word boundary. Boxes are
laid out from measured label sizes, so no two labels overlap. A visual with
nothing to show is left out. IDs come from what is drawn.
"""
from __future__ import annotations

import re

import json
from collections import defaultdict

from .. import wording as W
from ..ids import content_id
from ..models import Analysis, Curriculum, LessonOut, Plan, Visual
from .svg import Box, Canvas, Label, line_height, place_row, wrap

MARGIN = 16.0
MAX_MAP_TERMS = 12
LEVELS = (("beginner", W.T_VIS_BEGINNER), ("intermediate", W.T_VIS_INTERMEDIATE), ("advanced", W.T_VIS_ADVANCED))
PLAIN_LINKS = ("defined with", "member")  # the plan's own link names; the source's relation labels rank above them


def make_visuals(plan: Plan, cur: Curriculum) -> list[Visual]:
    out = [_roadmap(cur.lessons), _structure(plan), _concept_map(plan)]
    out += _decompositions(plan.analysis)
    out.append(_symbols(plan.analysis))
    out.append(_dependencies(plan.analysis))
    return [v for v in out if v is not None]


_DOLLAR_IN_WORD = re.compile(r"(?<=[^\W_])\$(?=[^\W_])")


def _show(label: str) -> str:
    """A source label as drawn: whitespace collapsed, TeX's $ delimiters dropped (the words stay)."""
    label = " ".join(label.split())
    if label.count("$") < 2 or label.count("$") % 2:
        return label
    # a $ between two word characters becomes a thin space: "9.2$σ$" is drawn "9.2 σ", not the new word "2σ"
    return _DOLLAR_IN_WORD.sub("\u2009", label).replace("$", "")


def _visual(kind: str, title: str, alt: str, payload: object, draw) -> Visual:
    key = json.dumps([kind, payload], ensure_ascii=False, sort_keys=True)
    vid = f"visual-{kind.replace('_', '-')}-{content_id('visual', key)[:8]}"
    canvas = Canvas(vid)
    width, height = draw(canvas)
    return Visual(id=vid, kind=kind, title=title, svg=canvas.render(title, alt, width, height), alt=alt)


def _extent(boxes: list[Box]) -> tuple[float, float]:
    return (max(b.right for b in boxes) + MARGIN, max(b.bottom for b in boxes) + MARGIN)


def _anchor(a: Box, b: Box) -> tuple[float, float, float, float]:
    """A straight link from box a to box b: bottom to top when b is lower, else top to bottom."""
    if b.y >= a.bottom:
        return a.x, a.bottom, b.x, b.y
    if a.y >= b.bottom:
        return a.x, a.y, b.x, b.bottom
    if b.left >= a.right:
        return a.right, a.y + a.h / 2, b.left, b.y + b.h / 2
    return a.left, a.y + a.h / 2, b.right, b.y + b.h / 2


# ----------------------------------------------------------------------------- layered rows
def _layout_rows(rows: list[list[Box]], links: list[tuple[Box, Box]], gap: float = 18.0, vgap: float = 30.0,
                 sweeps: int = 3, reorder: bool = True) -> None:
    """Place rows of boxes top to bottom; within a row, boxes keep at least ``gap`` apart and
    move toward the mean position of their linked boxes (a few down and up sweeps)."""
    rows = [r for r in rows if r]
    if not rows:
        return
    row_of = {id(b): i for i, r in enumerate(rows) for b in r}
    nbrs: dict[int, list[Box]] = defaultdict(list)
    for a, b in links:
        nbrs[id(a)].append(b)
        nbrs[id(b)].append(a)
    for r in rows:  # start packed and centred
        for b, c in zip(r, place_row([b.w for b in r], [0.0] * len(r), gap)):
            b.x = c

    def sweep(indices, side) -> None:
        for i in indices:
            r = rows[i]
            want = []
            for b in r:
                near = [n.x for n in nbrs[id(b)] if side(row_of[id(n)], i)]
                want.append(sum(near) / len(near) if near else b.x)
            if reorder:
                pairs = sorted(zip(want, [b.x for b in r], range(len(r))), key=lambda t: (round(t[0], 3), t[1], t[2]))
                order = [k for _, _, k in pairs]
                r[:] = [r[k] for k in order]
                want = [want[k] for k in order]
            for b, c in zip(r, place_row([b.w for b in r], want, gap)):
                b.x = c

    for _ in range(sweeps):
        sweep(range(1, len(rows)), lambda j, i: j < i)
        sweep(range(len(rows) - 2, -1, -1), lambda j, i: j > i)
    sweep(range(1, len(rows)), lambda j, i: j < i)
    left = min(b.left for r in rows for b in r)
    top = MARGIN
    for r in rows:
        h = max(b.h for b in r)
        for b in r:
            b.x += MARGIN - left
            b.y = top + (h - b.h) / 2
        top += h + vgap


# ----------------------------------------------------------------------------- roadmap
def _reduced_prerequisites(lessons: list[LessonOut]) -> dict[str, list[str]]:
    """Each lesson's prerequisites less those another prerequisite already needs."""
    ids = {l.id for l in lessons}
    pre = {l.id: [p for p in l.prerequisites if p in ids] for l in lessons}
    closure: dict[str, set[str]] = {}
    for l in lessons:  # prerequisites are earlier lessons, so one pass in order suffices
        closure[l.id] = set(pre[l.id]).union(*(closure.get(p, set()) for p in pre[l.id]))
    return {l.id: [p for p in pre[l.id] if not any(p in closure.get(q, set()) for q in pre[l.id] if q != p)]
            for l in lessons}


def _roadmap_links(lessons: list[LessonOut], reduced: dict[str, list[str]], column: dict[str, int],
                   index: dict[str, int]) -> list[tuple[str, list[str], list[str]]]:
    """(kind, sources, targets): "down" to the next box in a column, "bend" further down a column,
    "across" to a later column, and "join" where several lessons all build on the same several
    lessons of one column (drawn through one junction instead of every pair)."""
    links: list[tuple[str, list[str], list[str]]] = []
    sets: dict[tuple[int, int, tuple[str, ...]], list[str]] = defaultdict(list)
    for l in lessons:
        by_col: dict[int, list[str]] = defaultdict(list)
        for p in reduced[l.id]:
            if column[p] == column[l.id]:
                links.append(("down" if index[l.id] == index[p] + 1 else "bend", [p], [l.id]))
            else:
                by_col[column[p]].append(p)
        for c, ps in sorted(by_col.items()):
            sets[(c, column[l.id], tuple(sorted(ps, key=index.get)))].append(l.id)
    for (_, _, ps), qs in sets.items():
        if len(ps) > 1 and len(qs) > 1:
            links.append(("join", list(ps), qs))
        else:
            links += [("across", [p], [q]) for p in ps for q in qs]
    return links


def _roadmap(lessons: list[LessonOut]) -> Visual | None:
    if len(lessons) < 2:
        return None
    reduced = _reduced_prerequisites(lessons)
    payload = [[l.number, l.title, l.level, reduced[l.id]] for l in lessons]
    alt = W.S_VIS_ROADMAP.format(n=len(lessons))

    def draw(cv: Canvas):
        col_gap, box_gap, head_gap = 72.0, 16.0, 12.0
        columns = [(name, level, [l for l in lessons if l.level == level]) for level, name in LEVELS]
        columns = [c for c in columns if c[2]]
        column = {l.id: ci for ci, (_, _, ls) in enumerate(columns) for l in ls}
        index = {l.id: k for _, _, ls in columns for k, l in enumerate(ls)}
        links = _roadmap_links(lessons, reduced, column, index)

        def bulge(p: str, q: str) -> float:
            return 10.0 + 6.0 * (index[q] - index[p])

        x0 = MARGIN + max([bulge(ps[0], qs[0]) for kind, ps, qs in links if kind == "bend" and column[ps[0]] == 0],
                          default=0.0)
        boxes: dict[str, Box] = {}
        heads: list[tuple[float, Label]] = []
        y_boxes = MARGIN + line_height() + head_gap
        for name, level, ls in columns:
            col = [Box(Label(wrap(f"{l.number}. {_show(l.title)}", 190, max_lines=3)), cls=f"ax-box ax-{level}") for l in ls]
            head = Label([name], bold=True)
            width = max([b.w for b in col] + [head.width])
            y = y_boxes
            for b, l in zip(col, ls):
                b.min_width, b.x, b.y = width, x0 + width / 2, y
                y += b.h + box_gap
                boxes[l.id] = b
            heads.append((x0 + width / 2, head))
            x0 += width + col_gap
        # ports: where links meet a box's side, spread along it in the order of the other ends
        ends: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
        for k, (kind, ps, qs) in enumerate(links):
            if kind == "bend":
                ends[(ps[0], "left")].append((boxes[qs[0]].y, k))
                ends[(qs[0], "left")].append((boxes[ps[0]].y, k))
            elif kind in ("across", "join"):
                for p in ps:
                    ends[(p, "right")].append((sum(boxes[q].y for q in qs) / len(qs), k))
                for q in qs:
                    ends[(q, "left")].append((sum(boxes[p].y for p in ps) / len(ps), k))
        port: dict[tuple[str, str, int], float] = {}
        for (lid, side), es in ends.items():
            b = boxes[lid]
            for n, (_, k) in enumerate(sorted(es)):
                port[(lid, side, k)] = b.y + b.h * (n + 1) / (len(es) + 1)

        def curve(x1: float, y1: float, x2: float, y2: float, arrow: bool) -> None:
            dx = max(16.0, (x2 - x1) / 2)
            cv.path([("M", x1, y1), ("C", x1 + dx, y1), ("C", x2 - dx, y2), ("C", x2, y2)], arrow=arrow)

        for k, (kind, ps, qs) in enumerate(links):
            if kind == "down":
                a, b = boxes[ps[0]], boxes[qs[0]]
                cv.line(a.x, a.bottom, b.x, b.y, arrow=True)
            elif kind == "bend":
                a, b = boxes[ps[0]], boxes[qs[0]]
                ya, yb, d = port[(ps[0], "left", k)], port[(qs[0], "left", k)], bulge(ps[0], qs[0])
                cv.path([("M", a.left, ya), ("C", a.left - d, ya), ("C", b.left - d, yb), ("C", b.left, yb)], arrow=True)
            elif kind == "across":
                a, b = boxes[ps[0]], boxes[qs[0]]
                curve(a.right, port[(ps[0], "right", k)], b.left, port[(qs[0], "left", k)], True)
            else:
                jx = min(boxes[q].left for q in qs) - col_gap / 2
                ys = [port[(p, "right", k)] for p in ps] + [port[(q, "left", k)] for q in qs]
                jy = (min(ys) + max(ys)) / 2
                for p in ps:
                    curve(boxes[p].right, port[(p, "right", k)], jx, jy, False)
                for q in qs:
                    curve(jx, jy, boxes[q].left, port[(q, "left", k)], True)
                cv.circle(jx, jy, 2.5)
        for x, head in heads:
            cv.text(x, MARGIN, head)
        for b in boxes.values():
            cv.box(b)
        return _extent(list(boxes.values()))

    return _visual("roadmap", W.T_VIS_ROADMAP, alt, payload, draw)


# ----------------------------------------------------------------------------- paper structure
def _shared_terms(an: Analysis, a: tuple[int, ...], b: tuple[int, ...]) -> list[str]:
    """Labels of the terms mentioned in both sets of sentences: symbols when there are any."""
    def inside(t, sents):
        return any(an.sentences[i].span[0] <= m[0] < an.sentences[i].span[1] for m in t.mentions for i in sents)

    shared = [t for t in an.terms.values() if inside(t, a) and inside(t, b)]
    symbols = [t for t in shared if t.kind in ("symbol", "acronym", "quantity") and not t.label.startswith("(")]
    pick = symbols or sorted(shared, key=lambda t: (-len(t.mentions), t.first))[:2]
    return [_show(t.label) for t in sorted(pick, key=lambda t: (t.first, t.label))]


def _structure(plan: Plan) -> Visual | None:
    secs = plan.sections
    if len(secs) < 2:
        return None
    an = plan.analysis
    by_kind = {k: [s for s in secs if s.kind in ks] for k, ks in
               (("overview", ("overview",)), ("part", ("part", "heading")), ("synthesis", ("synthesis",)),
                ("scope", ("scope",)))}
    tiers = [by_kind[k] for k in ("overview", "part", "synthesis", "scope") if by_kind[k]]
    if len(tiers) < 2:
        return None
    shares = {}
    for p in by_kind["part"]:
        for s in by_kind["synthesis"]:
            got = _shared_terms(an, p.sentences, s.sentences)
            if got:
                shares[(p.id, s.id)] = ", ".join(got)
    payload = [[[s.id, s.title] for s in tier] for tier in tiers] + [sorted(shares.items())]
    flow = " → ".join(", ".join(_show(s.title) for s in tier) for tier in tiers)
    alt = W.S_VIS_STRUCTURE.format(flow=flow)

    def draw(cv: Canvas):
        box = {s.id: Box(Label(wrap(_show(s.title), 150, max_lines=4)), min_width=110,
                         cls="ax-hub" if s.kind == "synthesis" else "ax-box") for s in secs}
        rows: list[list[Box]] = []
        links: list[tuple[Box, Box]] = []
        arrows: list[tuple[Box, Box]] = []
        for upper, lower in zip(tiers, tiers[1:]):
            rows.append([box[s.id] for s in upper])
            tags = []
            for a in upper:
                for b in lower:
                    if (a.id, b.id) in shares:
                        tag = Box(Label(wrap(shares[(a.id, b.id)], 120, size=11, max_lines=2), size=11, cls="ax-t ax-i"),
                                  pad_x=3, pad_y=1, cls="ax-tag")
                        tags.append(tag)
                        links += [(box[a.id], tag), (tag, box[b.id])]
                        arrows += [(box[a.id], tag), (tag, box[b.id])]
                    else:
                        links.append((box[a.id], box[b.id]))
                        arrows.append((box[a.id], box[b.id]))
            if tags:
                rows.append(tags)
        rows.append([box[s.id] for s in tiers[-1]])
        _layout_rows(rows, links, gap=20, vgap=26, reorder=False)
        for a, b in arrows:
            x1, y1, x2, y2 = _anchor(a, b)
            cv.line(x1, y1, x2, y2, arrow=b.cls != "ax-tag")
        for r in rows:
            for b in r:
                cv.box(b)
        return _extent([b for r in rows for b in r])

    return _visual("structure", W.T_VIS_STRUCTURE, alt, payload, draw)


# ----------------------------------------------------------------------------- concept map
def _map_edges(plan: Plan) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The chosen terms (source order) and the links among them, (a, b, label)."""
    an = plan.analysis
    terms = an.terms
    labels: dict[tuple[str, str], str] = {}
    for a, b, why in plan.concept_edges:
        if a in terms and b in terms and a != b:
            labels[(a, b)] = why
    for r in an.relations:  # the source's own words for a link win over the plan's
        if r.source_key in terms and r.target_key in terms and r.source_key != r.target_key and r.label.strip():
            labels[(r.source_key, r.target_key)] = r.label
    stated = {(r.source_key, r.target_key) for r in an.relations}
    weight: dict[str, int] = defaultdict(int)
    for (a, b), label in labels.items():
        w = 1 if label in PLAIN_LINKS else 2
        weight[a] += w
        weight[b] += w
    score = {k: w + len(terms[k].mentions) - 1 + bool(terms[k].definitions) for k, w in weight.items()}
    # candidate units: links that share a source and a label, or a target and a label, come as one; single links too
    units: list[tuple[tuple[str, str, str], ...]] = []
    for pick in (lambda a, b, l: (a, l), lambda a, b, l: (b, l)):
        grouped: dict[tuple[str, str], list] = defaultdict(list)
        for (a, b), l in sorted(labels.items()):
            grouped[pick(a, b, l)].append((a, b, l))
        units += [tuple(es) for _, es in sorted(grouped.items()) if len(es) > 1]
    units += [((a, b, l),) for (a, b), l in sorted(labels.items())]
    chosen: set[str] = set()
    while True:  # greedy: the unit that brings the most score (and stated links) per new term
        best, best_key = None, None
        for u in units:
            new = {x for a, b, _ in u for x in (a, b)} - chosen
            if not new or len(chosen) + len(new) > MAX_MAP_TERMS:
                continue
            value = sum(score[n] for n in new) + 2 * sum((a, b) in stated for a, b, _ in u)
            key = (-value / len(new), len(new), min(terms[n].first for n in new), sorted(new))
            if best_key is None or key < best_key:
                best, best_key = new, key
        if best is None:
            break
        chosen |= best
    edges = sorted((a, b, l) for (a, b), l in labels.items() if a in chosen and b in chosen)
    used = {a for a, _, _ in edges} | {b for _, b, _ in edges}
    return sorted(used, key=lambda k: (terms[k].first, k)), edges


def _ranks(nodes: list[str], edges: list[tuple[str, str, str]]) -> dict[str, int]:
    """Layers: longest path over the links (a cycle's closing link is ignored), then nodes
    that only point onward move down to just above their nearest target."""
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b, _ in edges:
        succ[a].append(b)
    state: dict[str, int] = {}
    dag: list[tuple[str, str]] = []

    def visit(n: str) -> None:  # iterative depth first search, in source order
        stack = [(n, iter(sorted(set(succ[n]), key=nodes.index)))]
        state[n] = 1
        while stack:
            v, it = stack[-1]
            w = next(it, None)
            if w is None:
                state[v] = 2
                stack.pop()
            elif state.get(w) == 1:
                continue  # closes a cycle
            else:
                dag.append((v, w))
                if w not in state:
                    state[w] = 1
                    stack.append((w, iter(sorted(set(succ[w]), key=nodes.index))))

    for n in nodes:
        if n not in state:
            visit(n)
    rank = {n: 0 for n in nodes}
    for _ in nodes:  # relax; the graph is acyclic, so |nodes| rounds suffice
        changed = False
        for a, b in dag:
            if rank[b] < rank[a] + 1:
                rank[b] = rank[a] + 1
                changed = True
        if not changed:
            break
    has_in = {b for _, b in dag}
    for n in nodes:
        outs = [rank[b] for a, b in dag if a == n]
        if n not in has_in and outs:
            rank[n] = min(outs) - 1
    return rank


def _concept_map(plan: Plan) -> Visual | None:
    an = plan.analysis
    nodes, edges = _map_edges(plan)
    if len(edges) < 2:
        return None
    labels = {k: _show(an.terms[k].label) for k in nodes}
    edges = [(a, b, _show(l)) for a, b, l in edges]
    payload = [[labels[a], labels[b], l] for a, b, l in edges]
    alt = W.S_VIS_MAP.format(terms=", ".join(labels[k] for k in nodes))
    rank = _ranks(nodes, edges)

    # links that share a source and a label (or else a target and a label) share one label
    def side(a: str, b: str) -> int:
        return 1 if rank[b] > rank[a] else -1

    groups: list[tuple[list[str], str, list[str], int]] = []  # (sources, label, targets, row)
    left = list(edges)
    by_src: dict[tuple, list] = defaultdict(list)
    for e in left:
        by_src[(e[0], e[2], side(e[0], e[1]))].append(e)
    for (a, l, s), es in sorted(by_src.items()):
        if len(es) > 1:
            groups.append(([a], l, [b for _, b, _ in es], 2 * rank[a] + s))
            left = [e for e in left if e not in es]
    by_dst: dict[tuple, list] = defaultdict(list)
    for e in left:
        by_dst[(e[1], e[2], side(e[0], e[1]))].append(e)
    for (b, l, s), es in sorted(by_dst.items()):
        groups.append(([a for a, _, _ in es], l, [b], 2 * rank[b] - s if len(es) > 1 else 2 * rank[es[0][0]] + s))

    def draw(cv: Canvas):
        term_box = {k: Box(Label(wrap(labels[k], 130, max_lines=3)), cls="ax-box") for k in nodes}
        tag_boxes = [Box(Label(wrap(l, 110, size=11, max_lines=2), size=11, cls="ax-t ax-i"), pad_x=3, pad_y=1,
                         cls="ax-tag") for _, l, _, _ in groups]
        top = min([2 * r for r in rank.values()] + [g[3] for g in groups])
        bottom = max([2 * r for r in rank.values()] + [g[3] for g in groups])
        rows: list[list[Box]] = [[] for _ in range(bottom - top + 1)]
        for k in nodes:
            rows[2 * rank[k] - top].append(term_box[k])
        links = []
        for (srcs, _, dsts, row), tb in zip(groups, tag_boxes):
            rows[row - top].append(tb)
            links += [(term_box[a], tb) for a in srcs] + [(tb, term_box[b]) for b in dsts]
        _layout_rows(rows, links, gap=16, vgap=18)
        for (srcs, _, dsts, _), tb in zip(groups, tag_boxes):
            for a in srcs:
                cv.line(*_anchor(term_box[a], tb))
            for b in dsts:
                cv.line(*_anchor(tb, term_box[b]), arrow=True)
        for r in rows:
            for b in r:
                cv.box(b)
        return _extent([b for r in rows for b in r])

    return _visual("concept_map", W.T_VIS_MAP, alt, payload, draw)


# ----------------------------------------------------------------------------- decomposition trees
def _decompositions(an: Analysis) -> list[Visual]:
    src = an.paper.text
    out, seen = [], set()
    for e in an.enumerations:
        if e.kind != "members" or e.whole is None or len(e.items) < 2:
            continue
        whole = _show(src[e.whole[0]:e.whole[1]])
        members = [_show(src[a:b]) for a, b in e.items]
        key = (whole, tuple(members))
        if not whole or not all(members) or key in seen:
            continue
        seen.add(key)
        out.append(_tree(whole, members))
    return out


def _tree(whole: str, members: list[str]) -> Visual:
    alt = W.S_VIS_TREE.format(whole=whole, n=len(members), members=", ".join(members))

    def draw(cv: Canvas):
        root = Box(Label(wrap(whole, 220, max_lines=3), bold=True), cls="ax-hub", pad_y=7)
        leaves = [Box(Label(wrap(m, 130, max_lines=3)), min_width=80) for m in members]
        _layout_rows([[root], leaves], [(root, b) for b in leaves], gap=18, vgap=40, reorder=False)
        mid = root.bottom + 20
        for b in leaves:
            cv.path([("M", root.x, root.bottom), ("L", root.x, mid), ("L", b.x, mid), ("L", b.x, b.y)])
        cv.box(root)
        for b in leaves:
            cv.box(b)
        return _extent([root] + leaves)

    return _visual("decomposition", W.T_VIS_TREE.format(whole=whole), alt, [whole, members], draw)


# ----------------------------------------------------------------------------- symbol table
def _symbols(an: Analysis) -> Visual | None:
    rows = []
    for t in sorted(an.terms.values(), key=lambda t: (t.first, t.label)):
        if t.kind not in ("symbol", "acronym", "quantity") or not t.definitions:
            continue
        meanings: list[str] = []
        for d in t.definitions:
            m = _show(d.meaning)
            if m and m not in meanings:
                meanings.append(m)
        if meanings:
            rows.append((_show(t.label), "; ".join(meanings)))
    if not rows:
        return None
    alt = W.S_VIS_SYMBOLS.format(rows="; ".join(f"{s}: {m}" for s, m in rows))

    def draw(cv: Canvas):
        pad_x, pad_y = 8.0, 5.0
        head = [Label([W.T_VIS_SYMBOL], bold=True), Label([W.T_VIS_MEANING], bold=True)]
        cells = [(Label(wrap(s, 150, max_lines=2)), Label(wrap(m, 340, max_lines=4))) for s, m in rows]
        w1 = max([head[0].width] + [a.width for a, _ in cells]) + 2 * pad_x
        w2 = max([head[1].width] + [b.width for _, b in cells]) + 2 * pad_x
        x0, y = MARGIN, MARGIN
        cv.rect(x0, y, w1 + w2, line_height() + 2 * pad_y, cls="ax-box", rx=0)
        for (a, b) in [tuple(head)] + cells:
            h = max(a.height, b.height) + 2 * pad_y
            cv.text(x0 + pad_x, y + pad_y, a, anchor="start")
            cv.text(x0 + w1 + pad_x, y + pad_y, b, anchor="start")
            y += h
            cv.line(x0, y, x0 + w1 + w2, y, cls="ax-rule")
        cv.line(x0 + w1, MARGIN, x0 + w1, y, cls="ax-rule")
        return x0 + w1 + w2 + MARGIN, y + MARGIN

    return _visual("symbols", W.T_VIS_SYMBOLS, alt, rows, draw)


# ----------------------------------------------------------------------------- dependencies
_BLOCK_KINDS = r"Definition|Assumption|Axiom|Hypothesis|Lemma|Theorem|Proposition|Corollary|Claim"
# a numbered block as the reader prints it at the start of a paragraph: "Lemma 2.1 (Log Matching). …"
_BLOCK_HEAD = re.compile(rf"(?:^|(?<=\n))({_BLOCK_KINDS})\s+(\d+(?:\.\d+)*[A-Za-z]?)(?:\s*\(([^()\n]{{1,60}})\))?\.")
_BLOCK_REF = re.compile(rf"\b({_BLOCK_KINDS})s?\s+(\d+(?:\.\d+)*[A-Za-z]?)\b")
_GROUNDS = ("Definition", "Assumption", "Axiom", "Hypothesis")
# what a definition block defines: "X is a tight frame if …", "is called regular when …", "we call X stable"
_DEFINES = re.compile(r"(?i)\b(?:is|are)\s+(?:said to be\s+|called\s+)?(?:an?\s+|the\s+)?((?:[a-z][\w-]*\s+){0,3}[a-z][\w-]*)"
                      r"\s+(?:if|when|whenever|provided|iff)\b|\bwe\s+call\s+(?:\S+\s+){1,6}?(?:an?\s+)?((?:[a-z][\w-]*\s+){0,2}[a-z][\w-]*)[.,]")
MAX_BLOCKS = 16
MAX_BODY = 6000  # characters of a block and the proof after it that are searched for what it uses


def block_dependencies(an: Analysis) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The numbered blocks ("Lemma 2.1", with its note) and the links (used, user) between them: a
    result uses a block it cites by number, or a term that a definition block defines, within its
    statement and the proof that follows it."""
    text = an.paper.text
    heads = list(_BLOCK_HEAD.finditer(text))
    names = {f"{m.group(1)} {m.group(2)}": m for m in heads}
    if len(names) < 2:
        return [], []
    ends = {m.start(): min(heads[k + 1].start() if k + 1 < len(heads) else len(text), m.start() + MAX_BODY)
            for k, m in enumerate(heads)}
    defined: dict[str, list] = {}  # a definition block -> the places where the terms it defines are used
    for t in an.terms.values():
        for d in t.definitions:
            at = d.evidence[0][0]
            block = next((n for n, m in names.items() if m.group(1) in _GROUNDS and m.start() <= at < ends[m.start()]), None)
            if block:
                defined.setdefault(block, []).extend(a for a, _ in t.mentions)
    for name, m in names.items():  # "… is a tight frame if …", "we call … a tight frame"
        if m.group(1) in _GROUNDS:
            for found in _DEFINES.finditer(text, m.end(), ends[m.start()]):
                phrase = (found.group(1) or found.group(2)).strip()
                rx = re.compile(rf"(?i)\b{re.escape(phrase)}(?:s|es)?\b")
                defined.setdefault(name, []).extend(x.start() for x in rx.finditer(text) if x.start() >= ends[m.start()])
    links = set()
    for name, m in names.items():
        if m.group(1) in _GROUNDS:
            continue
        a, b = m.start(), ends[m.start()]
        for r in _BLOCK_REF.finditer(text, a + len(name), b):
            used = f"{r.group(1)} {r.group(2)}"
            if used in names and used != name:
                links.add((used, name))
        for block, places in defined.items():
            if block != name and any(a <= x < b for x in places):
                links.add((block, name))
    used = {x for link in links for x in link}
    nodes = [(n, m.group(3) or "") for n, m in names.items() if n in used][:MAX_BLOCKS]
    kept = {n for n, _ in nodes}
    return nodes, sorted((a, b) for a, b in links if a in kept and b in kept)


def _dependencies(an: Analysis) -> Visual | None:
    nodes, links = block_dependencies(an)
    if not links:
        return None
    rank = {n: 0 for n, _ in nodes}
    for _ in range(len(nodes)):  # each result one row below the lowest block it uses (a cycle stops here)
        for a, b in links:
            rank[b] = max(rank[b], min(rank[a] + 1, len(nodes)))
    uses: dict[str, list[str]] = defaultdict(list)
    for a, b in links:
        uses[b].append(a)
    alt = W.S_VIS_DEPENDS.format(links="; ".join(W.S_VIS_USES.format(result=b, grounds=", ".join(uses[b]))
                                                  for b in sorted(uses, key=lambda n: (rank[n], n))))
    payload = [nodes, links]

    def draw(cv: Canvas):
        box = {n: Box(Label(wrap(f"{n} ({note})" if note else n, 150, max_lines=3)), min_width=90,
                      cls="ax-box" if n.split()[0] in _GROUNDS else "ax-hub") for n, note in nodes}
        rows = [[box[n] for n, _ in nodes if rank[n] == r] for r in range(max(rank.values()) + 1)]
        pairs = [(box[a], box[b]) for a, b in links]
        _layout_rows(rows, pairs, gap=20, vgap=34)
        for a, b in pairs:
            x1, y1, x2, y2 = _anchor(a, b)
            cv.line(x1, y1, x2, y2, arrow=True)
        for r in rows:
            for b in r:
                cv.box(b)
        return _extent([b for r in rows for b in r if r])

    return _visual("dependencies", W.T_VIS_DEPENDS, alt, payload, draw)

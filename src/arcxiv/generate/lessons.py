"""Lessons: each outline of the plan becomes blocks of grounded statements."""
from __future__ import annotations

import re

from ..analyse.claims import strip_ordinal
from ..ids import content_id
from ..models import Analysis, Block, LessonOutline, LessonOut, Plan, Span, Statement, TermInfo
from .. import wording as W
from .statements import extract, label_mention, quote, rephrase, scaffold, term_mention_in, trim
from .units import opened, reads_whole, relation_statement, unit_around

_QUALIFIER_RX = re.compile(r"(?i)(?<![\w-])(?:at most|at least|up to|exactly|uniform(?:ly)?(?:-in-time)?|explicit|only|"
                           r"except(?: for)?|approximately|asymptotically|typically|modulo|bounded by)(?![\w-])")
# function spaces, sequence spaces and number sets, as written bare or in TeX
STANDARD_NOTATION = re.compile(r"^\$?(?:(?:L|ℓ|H|W|C)(?:\^?\{?[0-9pqk∞,]+\}?|_\{?[0-9pqk∞]+\}?)(?:\([^()]*\))?|"
                               r"\\mathbb\{?[NZQRC]\}?(?:\^\{?\w+\}?)?|[ℕℤℚℝℂ](?:\^\{?\w+\}?)?)\$?$")
_CONDITION_HEADS = {"condition", "conditions", "assumption", "assumptions", "constraint", "constraints", "regime"}
_VALUE_HEADS = {"number", "constant", "threshold", "bound", "rate", "value", "parameter"}


def definition_statement(an: Analysis, term: TermInfo, d) -> Statement:
    """A definition in the source's words: "w* is the maximal admissible weight."."""
    src = an.paper.text
    if d.pattern == "acronym":
        return rephrase(W.R_STANDS.format(term=term.label, meaning=d.meaning), list(d.evidence))
    if d.pattern in ("appositive", "tuple"):
        return rephrase(W.R_IS.format(term=term.label, meaning=d.meaning), list(d.evidence))
    if d.pattern in ("identified-as", "denoted", "i.e.") and len(d.evidence) == 2 and \
            src[d.evidence[1][0]:d.meaning_span[0]].strip().lower() in ("the", "a", "an", ""):
        return rephrase(W.R_IS.format(term=term.label, meaning=d.meaning), list(d.evidence))
    said = src[d.evidence[-1][0]:d.evidence[-1][1]]
    if d.pattern == "copula" and len(d.evidence) == 2 and said.startswith("be "):  # "Let P be …", "let G be …"
        return rephrase(W.R_IS_PLAIN.format(term=term.label, meaning=said[3:]), list(d.evidence))
    return extract(src, [trim(src, e) for e in d.evidence])


class LessonWriter:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.an = plan.analysis
        self.src = self.an.paper.text
        self.sections = {s.id: s for s in plan.sections}
        # what any sentence defines, however it is written ("$(α_1,α_2)$" and "(α_1,α_2)" are one)
        self.defined_forms = {_plain(t.label) for t in self.an.terms.values() if t.definitions}

    # -- helpers ---------------------------------------------------------------------------
    def terms_in(self, sentences) -> list[TermInfo]:
        chosen = set(sentences)
        return [t for t in self.an.terms.values() if any(self.an.in_sentences(m, chosen) for m in t.mentions)]

    def named(self, terms: list[TermInfo]) -> list[Span]:
        """Spans where each term appears as written in its label, to cite when naming it."""
        return [label_mention(self.src, t) or t.mentions[0] for t in terms]

    def nameable(self, terms: list[TermInfo]) -> list[TermInfo]:
        """The terms a template may name: those the source writes as their label."""
        return [t for t in terms if label_mention(self.src, t)]

    def context(self, term: TermInfo, mention: Span) -> Statement | None:
        for t in self.an.terms.values():  # a symbol inside "(w*, D*orb, S*)" is shown with its tuple
            if t.kind == "symbol" and t.label.startswith("(") and t is not term:
                mention = next(((a, b) for a, b in t.mentions if a < mention[0] and mention[1] < b), mention)
        return unit_around(self.an, mention, parts=False)

    def own_words(self, sentences) -> Block:
        """The lesson's sentences, quoted, under a heading that says which they are ("Sentences 4
        and 5 of the abstract"): every lesson's heading is its own."""
        nums = [i + 1 for i in sorted(sentences)]
        heading = W.H_OWN_WORDS if not nums else (W.S_SENTENCE.format(a=nums[0]) if len(nums) == 1 else
                                                  W.S_SENTENCES.format(a=_number_list(nums))).rstrip(".")
        return Block(heading=heading, statements=[quote(self.src, self.an.sentences[i].span) for i in sorted(sentences)])

    def mention_in(self, term: TermInfo, sentences) -> Span | None:
        return next((m for m in term.mentions if self.an.sentence_at(m[0]) in sentences), None)

    def where_used(self, term: TermInfo, mention: Span) -> Statement:
        """Evidence of a use: the words around it, else their whole sentence."""
        return self.context(term, mention) or quote(self.src, self.an.sentences[self.an.sentence_at(mention[0])].span)

    def notation_terms(self) -> list[TermInfo]:
        members_of_defined_tuples = set()
        for span, members in self.an.tuples:
            tup = next(t for t in self.an.terms.values() if t.mentions and t.mentions[0] == span)
            if tup.definitions:
                members_of_defined_tuples.update(k for k in members if not self.an.terms[k].definitions)
        return [t for t in self.an.terms.values() if t.kind in ("symbol", "acronym", "quantity")
                and t.key not in members_of_defined_tuples]

    # -- blocks by lesson kind -------------------------------------------------------------
    def overview(self, o: LessonOutline):
        blocks = [self.own_words(o.sentences)]
        glance = []
        for sec in self.plan.sections:
            if sec.kind != "part":
                continue
            first = self.an.sentences[sec.sentences[0]]
            span = _find(self.src, sec.title.split(": ", 1)[-1], first.span) or \
                trim(self.src, strip_ordinal(self.src, first.clauses[0].span if first.clauses else first.span))
            glance.append(extract(self.src, [span]))
        announced = any(c.item for c in self.an.claims)  # rhetorical moves are not parts the paper announces
        if len(glance) > 1 and announced:
            blocks.append(Block(heading=W.H_GLANCE, statements=glance))
        objectives = [scaffold(W.O_AIM)]
        if len(glance) > 1 and announced:
            objectives.append(scaffold(W.O_PARTS.format(n=len(glance))))
        return objectives, blocks, []

    def vocabulary(self, o: LessonOutline):
        blocks, keys = [], []
        for t in (self.an.terms[k] for k in o.term_keys):
            sts = [definition_statement(self.an, t, d) for d in t.definitions[:1]]
            sts.append(self.where_used(t, t.mentions[0]))
            blocks.append(Block(heading=t.label, statements=sts))
            keys.append(t.key)
        names = self.nameable([self.an.terms[k] for k in keys])[:3]
        objectives = [scaffold(W.O_TERMS.format(terms=_join([t.label for t in names])), self.named(names))]
        return objectives, blocks, keys

    def notation(self, o: LessonOutline):
        blocks, keys = [], []
        for t in self.notation_terms():
            defs = [d for d in t.definitions if d.pattern != "tuple"] or t.definitions
            sts = [definition_statement(self.an, t, d) for d in defs[:2]]
            if not sts and t.kind != "quantity" and self.meaning_open(t):
                sts.append(scaffold(W.S_MEANING_OPEN.format(term=t.label), self.named([t])))
            sts.append(self.where_used(t, t.mentions[0]))
            blocks.append(Block(heading=t.label, statements=sts))
            keys.append(t.key)
        shown = self.nameable([self.an.terms[k] for k in keys if self.an.terms[k].kind != "quantity"])[:4]
        qty = self.nameable([self.an.terms[k] for k in keys])[:3]
        objectives = [scaffold(W.O_NOTATION.format(terms=_join([t.label for t in shown])), self.named(shown))] \
            if shown else [scaffold(W.O_QUANTITIES.format(terms=_join([t.label for t in qty])), self.named(qty))]
        return objectives, blocks, keys

    def part(self, o: LessonOutline):
        groups: dict[str, list[Statement]] = {h: [] for h in (W.H_OWN_WORDS, W.H_CLAIM, W.H_CONDITIONS, W.H_FOLLOWS,
                                                               W.H_DETAIL, W.H_CONTRAST, W.H_QUANTITIES, W.H_RELATIONS,
                                                               W.H_DEFINED)}
        for i in o.sentences:
            groups[W.H_OWN_WORDS].append(quote(self.src, self.an.sentences[i].span))
            props = self.an.propositions_in(i)
            for n, p in enumerate(props):
                heading = _HEADINGS.get("claim" if n == 0 else p.role, W.H_DETAIL)
                spans = [opened(self.src, sp, connective=heading != W.H_CLAIM) for sp in p.spans]
                whole_sentence = _covers(spans, [self.an.sentences[i].span])
                # "it is supported on at most S* atoms …" right under its sentence's claim: "it" is that claim's subject
                follows_claim = n > 0 and p.leans and re.match(r"(?i)(?:it|they)\b", self.src[spans[0][0]:spans[0][1]])
                if not whole_sentence and (not p.leans or follows_claim) and reads_whole(self.src, spans):
                    groups[heading].append(extract(self.src, spans))
                for q in self.an.stated_conditions(p):
                    if reads_whole(self.src, [q.span]):
                        groups[W.H_CONDITIONS].append(extract(self.src, [q.span]))
        terms = self.terms_in(o.sentences)
        for t in terms:
            if t.kind == "quantity":
                m = term_mention_in(t, _cover(self.an, o.sentences))
                groups[W.H_QUANTITIES] += _present([self.context(t, m)])
            for d in t.definitions:
                if self.an.sentence_at(d.evidence[-1][0]) in o.sentences and d.pattern not in ("acronym",):
                    groups[W.H_DEFINED].append(definition_statement(self.an, t, d))
        for r in self.an.relations:
            if r.sentence in o.sentences:
                st = relation_statement(self.an, r)
                if st is not None:
                    groups[W.H_RELATIONS].append(st)
        blocks = [self.own_words(o.sentences) if h == W.H_OWN_WORDS else Block(heading=h, statements=_unique(sts))
                  for h, sts in groups.items() if sts]
        topic = o.title.split(": ", 1)[-1].split(" (")[0] if ": " in o.title else ""
        # cite the topic where the source writes it: in these sentences, else anywhere (a heading)
        topic_span = topic and (_find(self.src, topic, _cover(self.an, o.sentences)) or _find(self.src, topic, (0, len(self.src))))
        if topic_span:
            objectives = [scaffold(W.O_CLAIM.format(topic=topic), [topic_span])]
        else:  # no phrase names the part: the objective names its sentences
            objectives = [scaffold(W.O_CLAIM_OF.format(which=_which(o.sentences)),
                                   [self.an.sentences[i].span for i in o.sentences])]
        if groups[W.H_CONDITIONS]:
            objectives.append(scaffold(W.O_CONDITIONS))
        qty = [t for t in terms if t.kind == "quantity"][:3]
        if qty:
            objectives.append(scaffold(W.O_QUANTITIES.format(terms=_join([t.label for t in qty])),
                                       [term_mention_in(t, _cover(self.an, o.sentences)) for t in qty]))
        return objectives, blocks, [t.key for t in terms]

    def synthesis(self, o: LessonOutline):
        blocks = []
        if o.sentences:
            blocks.append(self.own_words(o.sentences))
        members, origins = [], []
        parts = [s for s in self.plan.sections if s.kind == "part"]
        for span, keys in self.an.tuples:
            for k in keys:
                t = self.an.terms[k]
                # each member with its meaning: from the tuple if stated there, else its first definition
                defs = [d for d in t.definitions if d.pattern == "tuple"] or t.definitions[:1]
                members += [definition_statement(self.an, t, d) for d in defs]
                for sec in parts:
                    m = term_mention_in(t, _cover(self.an, sec.sentences))
                    if m:
                        shown = _present([self.context(t, m)])
                        if shown:
                            origins.append(Block(heading=f"{t.label}: {sec.title}", statements=shown))
                        break
        if members:
            blocks.append(Block(heading=W.H_MEMBERS, statements=_unique(members)))
        blocks += origins
        recur = []
        for t in self.an.terms.values():
            # in the part's own sentences: a part's sentences need not be contiguous
            where = [sec for sec in parts if self.mention_in(t, sec.sentences)]
            if len(where) >= 2 and t.kind in ("concept", "symbol", "acronym") and not t.label.startswith("("):
                shown = [self.where_used(t, self.mention_in(t, s.sentences)) for s in where]
                if len(shown) >= 2:
                    recur.append(Block(heading=f"{t.label}: {', '.join(s.title.split(':')[0] for s in where)}",
                                       statements=shown))
        blocks += recur[:6]
        if not any(s.kind != "scaffold" for b in blocks for s in b.statements):
            return None
        objectives = [scaffold(W.O_FIT)] + ([scaffold(W.O_RECUR)] if recur else [])
        keys = sorted({k for _, ks in self.an.tuples for k in ks})
        return objectives, blocks, keys

    def scope(self, o: LessonOutline):
        blocks = []
        if o.sentences:
            blocks.append(Block(heading=W.H_SCOPE, statements=[quote(self.src, self.an.sentences[i].span) for i in o.sentences]))
        conds = [extract(self.src, [c.span]) for c in self.an.conditions]
        if conds:
            blocks.append(Block(heading=W.H_CONDITIONS_TOGETHER, statements=_unique(conds)))
        quals = []
        for s in self.an.sentences:
            if s.index in o.sentences:
                continue
            for m in _QUALIFIER_RX.finditer(s.text):
                a = s.span[0] + m.start()
                quals += _present([unit_around(self.an, (a, a + len(m.group(0))))])
        if quals:
            blocks.append(Block(heading=W.H_QUALIFIERS, statements=_unique(quals)[:8]))
        if not blocks:
            return None
        return [scaffold(W.O_SCOPE)], blocks, []

    def undefined(self, t: TermInfo) -> bool:
        """No sentence of the source defines the term, in any of its written forms, and it is not
        notation every reader of the field knows (L2, ℓ_p, H^1, ℝ^n): no gap is claimed for those."""
        return not t.definitions and not t.named and _plain(t.label) not in self.defined_forms \
            and not STANDARD_NOTATION.match(t.label)

    def meaning_open(self, t: TermInfo) -> bool:
        """No sentence says what the term means: not defined, not glossed where it stands, not
        introduced in brackets after its long form ("Sun-as-an-X-ray-star" (SaXS))."""
        return self.undefined(t) and not self.listed(t) and f"({t.label})" not in self.src

    def used_as_condition(self, t: TermInfo) -> bool:
        """Does a claim hold under this term ("under the Barron-Hermite target condition")?"""
        return any(c.span[0] <= a and b <= c.span[1] for c in self.an.conditions for a, b in t.mentions)

    def listed(self, t: TermInfo) -> bool:
        """Is the term glossed or exemplified right where it appears ("X such as A and B",
        "X (e.g., A)", "X, a … metric", "X: A, B")? Then the source does say what it is."""
        return any(re.match(r"\s*(?:\(|:|,\s+(?:a|an|the|such as|including|e\.g\.|i\.e\.|namely)\b|\s+(?:such as|including|like)\b)",
                            self.src[b:b + 16]) for _, b in t.mentions)

    def gaps(self, sentences=None) -> list[tuple[Statement, Statement]]:
        """What the source leaves open, each as (absence, the source words it is about).
        With ``sentences``, only terms mentioned there."""
        def here(t: TermInfo) -> bool:
            return sentences is None or any(self.an.sentence_at(m[0]) in sentences for m in t.mentions)

        def gap(template: str, t: TermInfo):
            # the evidence: the words that use the term, else their whole sentence
            return scaffold(template.format(term=t.label), self.named([t])), self.where_used(t, t.mentions[0])

        out = []
        for t in self.notation_terms():
            # a word in capitals may be a name ("MATCH", "ScanNet"); only notation or a bare
            # all-capitals abbreviation with no gloss counts as unexplained
            bare_acronym = t.kind == "acronym" and re.fullmatch(r"[A-Z0-9]+s?", t.label) and not t.expansion \
                and f"({t.label})" not in self.src
            if self.undefined(t) and (t.kind == "symbol" or bare_acronym) and here(t) and not self.listed(t):
                out.append(gap(W.S_MEANING_OPEN, t))
        for t in self.an.terms.values():
            if t.kind != "concept" or not self.undefined(t) or not here(t) or self.listed(t):
                continue
            head = t.label.split()[-1].lower()
            if head in _CONDITION_HEADS and self.used_as_condition(t):
                out.append(gap(W.S_REQUIRE_OPEN if head.endswith("s") else W.S_REQUIRES_OPEN, t))
            elif head in _VALUE_HEADS and re.match(r"(?i)explicit|certain|some|a\b", t.label):
                out.append(gap(W.S_VALUE_OPEN, t))
        return out

    def open(self, o: LessonOutline):
        gaps = self.gaps()
        blocks = []
        if o.sentences:
            blocks.append(Block(heading=W.H_SCOPE, statements=[quote(self.src, self.an.sentences[i].span) for i in o.sentences]))
        if gaps:  # the absences, and apart from them the words that use the terms: a stated
            # sentence is never filed as an open question
            blocks.append(Block(heading=W.H_OPEN, statements=[absence for absence, _ in gaps]))
            blocks.append(Block(heading=W.H_WHERE, statements=_unique([used for _, used in gaps if used])))
        if not blocks:  # nothing detectably missing: end on the source's last sentence, under its own name
            blocks.append(self.own_words([self.an.sentences[-1].index]))
        return [scaffold(W.O_OPEN)], blocks, []


_HEADINGS = {"claim": W.H_CLAIM, "consequence": W.H_FOLLOWS, "contrast": W.H_CONTRAST, "elaboration": W.H_DETAIL,
             "condition": W.H_CONDITIONS}


def write_lessons(plan: Plan) -> list[LessonOut]:
    w = LessonWriter(plan)
    made: list[tuple[LessonOutline, list, list, list]] = []
    for o in plan.lessons:
        res = getattr(w, o.kind)(o)
        if res is None:
            continue
        objectives, blocks, keys = res
        blocks = _once(blocks)
        if not any(s.kind != "scaffold" for b in blocks for s in b.statements):
            continue
        made.append((o, objectives, blocks, keys))
    made = [(o, _promised(w, o, objectives, blocks), blocks, keys) for o, objectives, blocks, keys in _taught_once(made)]
    lessons: list[LessonOut] = []
    introduced: dict[str, str] = {}
    for n, (o, objectives, blocks, keys) in enumerate(made, 1):
        core = "\n".join(s.text for b in blocks for s in b.statements)
        lid = f"lesson-{n:02d}-{content_id('lesson', o.level + o.title + core)[:6]}"
        mentioned = _lesson_terms(w, o, keys)
        prereq = [introduced[k] for k in mentioned if k in introduced]
        if lessons and o.kind != "overview":
            prereq.append(lessons[0].id)
        if o.level == "advanced":
            prereq += [l.id for l in lessons if l.level == "intermediate"]
        prereq = sorted(set(prereq), key=lambda i: int(i.split("-")[1]))
        for k in keys:
            introduced.setdefault(k, lid)
        lessons.append(LessonOut(id=lid, number=n, title=o.title, level=o.level, objectives=objectives,
                                 prerequisites=prereq, terms=[_term_id(plan.analysis.terms[k]) for k in keys],
                                 section_ids=list(o.section_ids), blocks=blocks))
    return lessons


def _lesson_terms(w: LessonWriter, o: LessonOutline, keys) -> list[str]:
    return [t.key for t in w.terms_in(o.sentences)] if o.sentences else list(keys)


def _term_id(t: TermInfo) -> str:
    return f"term-{content_id('term', t.kind + ':' + t.label)[:8]}"


def _cover(an: Analysis, sentences) -> Span:
    return an.sentences[min(sentences)].span[0], an.sentences[max(sentences)].span[1]


def _find(src: str, phrase: str, within: Span) -> Span | None:
    if not phrase:
        return None
    k = src.find(phrase, within[0], within[1])
    return (k, k + len(phrase)) if k >= 0 else None


def _key(text: str) -> str:
    return " ".join(text.casefold().split()).strip(" .;:,")


def _taught_once(made: list) -> list:
    """Source words are read once in the pack. Definitions are taught where the terms are (the
    beginner lessons) and not again in a part; the source's clauses and sentences are taught in the
    part (or overview) that reads them, and the other lessons (terms, notation, synthesis, scope, open
    questions) repeat none of them, nor most of a sentence a part quotes. A lesson that would be left
    with no source words keeps its own."""
    def parts(kinds):
        return [st for o, _, blocks, _ in made if o.kind in kinds for b in blocks for st in b.statements
                if st.kind != "scaffold"]
    in_parts = {_key(st.text) for st in parts(("overview", "part"))}
    sentences = [st.spans[0] for st in parts(("overview", "part")) if st.kind == "quote"]
    seen: set[str] = set()
    out = []
    for o, objectives, blocks, keys in made:
        part = o.kind in ("overview", "part")

        def repeats(st: Statement) -> bool:
            if st.kind == "scaffold":
                return False
            key = _key(st.text)
            if part:
                return st.kind == "rephrase" and key in seen
            return key in seen or st.kind != "rephrase" and (key in in_parts or _covers(st.spans, sentences))
        kept = _once([Block(heading=b.heading, statements=[st for st in b.statements if not repeats(st)]) for b in blocks])
        if any(st.kind != "scaffold" for b in kept for st in b.statements):
            blocks = kept
        elif not part:  # all repeats: the lesson keeps its first source words, once, and its scaffolds
            first = next(b for b in blocks if any(st.kind != "scaffold" for st in b.statements))
            one = next(st for st in first.statements if st.kind != "scaffold")
            blocks = _once([Block(heading=b.heading, statements=[st for st in b.statements if st.kind == "scaffold"
                                                                 or st is one]) for b in blocks])
        seen |= {_key(st.text) for b in blocks for st in b.statements if st.kind != "scaffold"}
        out.append((o, objectives, blocks, keys))
    return out


def _promised(w: LessonWriter, o: LessonOutline, objectives: list, blocks: list[Block]) -> list:
    """A term lesson's objective names the terms its blocks still teach."""
    if o.kind not in ("vocabulary", "notation"):
        return objectives
    kept = {b.heading for b in blocks}
    taught = w.nameable([t for t in (w.an.terms[k] for k in o.term_keys or [t.key for t in w.notation_terms()])
                         if t.label in kept and (o.kind == "vocabulary" or t.kind != "quantity")])
    if not taught:
        return objectives
    template = W.O_TERMS if o.kind == "vocabulary" else W.O_NOTATION
    names = taught[:3] if o.kind == "vocabulary" else taught[:4]
    return [scaffold(template.format(terms=_join([t.label for t in names])), w.named(names))] + objectives[1:]


def _covers(spans, sentences: list[Span]) -> bool:
    """Whether these spans show most of one of the sentences (four fifths of its words)."""
    for a, b in sentences:
        inside = sum(max(0, min(b, y) - max(a, x)) for x, y in spans)
        if inside >= 0.8 * (b - a):
            return True
    return False


def _present(sts: list) -> list[Statement]:
    return [s for s in sts if s is not None]


def _plain(label: str) -> str:
    """A label without its math markup, spacing and punctuation, to compare written forms."""
    return "".join(ch for ch in label.casefold() if ch.isalnum())


def _once(blocks: list[Block]) -> list[Block]:
    """Each statement once per lesson (a learner reads it once): later repeats are dropped, and a
    block left with no source words goes too."""
    seen, out = set(), []
    for b in blocks:
        kept = []
        for st in b.statements:
            key = _key(st.text)
            if st.kind != "scaffold" and key in seen:
                continue
            seen.add(key)
            kept.append(st)
        if any(st.kind != "scaffold" or st.spans for st in kept):  # source words, or a cited absence
            out.append(Block(heading=b.heading, statements=kept))
    return out


def _unique(sts: list[Statement]) -> list[Statement]:
    seen, out = set(), []
    for s in sts:
        if s.text not in seen:
            seen.add(s.text)
            out.append(s)
    return out


def _join(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _which(sentences) -> str:
    nums = [i + 1 for i in sorted(sentences)]
    return f"sentence {nums[0]}" if len(nums) == 1 else f"sentences {_number_list(nums)}"


def _number_list(numbers: list[int]) -> str:
    """1, 2, 3, 5 -> "1 to 3 and 5": ranges only where the sentences are consecutive."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [p for r in runs for p in ([f"{r[0]} to {r[-1]}"] if len(r) > 2 else map(str, r))]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

"""Lessons: each outline of the plan becomes blocks of grounded statements."""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace

from ..ids import content_id
from ..plan import _VAGUE, MIN_LESSONS
from ..models import Analysis, Block, LessonOutline, LessonOut, Plan, Span, SpanCover, Statement, TermInfo, number_list
from .. import wording as W
from .statements import extract, label_mention, quote, rephrase, scaffold, term_mention_in, trim
from .gaps import Gaps
from .reading import as_sentence, leans_back, sentences_of
from .units import unit_around
from ..plan_paper import is_whole_paper

_QUALIFIER_RX = re.compile(r"(?i)(?<![\w-])(?:at most|at least|up to|exactly|uniform(?:ly)?(?:-in-time)?|explicit|only|"
                           r"except(?: for)?|approximately|asymptotically|typically|modulo|bounded by)(?![\w-])")
# function spaces, sequence spaces and number sets, as written bare or in TeX



def definition_statement(an: Analysis, term: TermInfo, d) -> Statement:
    """A definition in the source's words: "w* is the maximal admissible weight."."""
    src = an.paper.text
    if d.pattern == "acronym":
        return rephrase(W.R_STANDS.format(term=term.label, meaning=d.meaning), list(d.evidence))
    if d.pattern in ("appositive", "tuple"):
        # "a finite group G" says G is one finite group, not the finite group: keep the source's article
        article = indefinite(src, d)
        if article:
            return rephrase(W.R_IS_PLAIN.format(term=term.label, meaning=f"{article} {d.meaning}"), list(d.evidence))
        return rephrase(W.R_IS.format(term=term.label, meaning=d.meaning), list(d.evidence))
    if d.pattern in ("identified-as", "denoted", "i.e.") and len(d.evidence) == 2 and \
            src[d.evidence[1][0]:d.meaning_span[0]].strip().lower() in ("the", "a", "an", ""):
        return rephrase(W.R_IS.format(term=term.label, meaning=d.meaning), list(d.evidence))
    said = src[d.evidence[-1][0]:d.evidence[-1][1]]
    if d.pattern == "copula" and len(d.evidence) == 2 and said.startswith("be "):  # "Let P be …", "let G be …"
        return rephrase(W.R_IS_PLAIN.format(term=term.label, meaning=said[3:]), list(d.evidence))
    return extract(src, [trim(src, e) for e in d.evidence])


def indefinite(src: str, d) -> str:
    """"a"/"an" when an appositive names its symbol by an indefinite phrase ("a finite group G"):
    the meaning then does not single the symbol out."""
    m = re.search(r"(?i)\b(an?)\s+$", src[max(0, d.meaning_span[0] - 4):d.meaning_span[0]])
    return m.group(1).lower() if m and d.pattern == "appositive" else ""


_MEANS = re.compile(r"(?i)(?:by\s+\w+ing|via|through|using|with the help of)\b")  # not "improves … by 25%"
_USED_IN = W.S_USED_IN.split("{term}")[1].split("{")[0]  # " comes up in "


class LessonWriter(Gaps):
    def __init__(self, plan: Plan):
        super().__init__(plan.analysis)
        self.plan = plan
        self.sections = {s.id: s for s in plan.sections}
        self.subjects: set | None = None  # where the subjects of clauses start and end, found when first asked

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

    def read(self, sentences) -> Block:
        """The sentences as a reading: one plain sentence per clause, in the source's order, after a
        line that says which sentences of the source it reads."""
        if not sentences:
            return Block(heading=W.H_READING, prose=True, statements=[])
        refs = self.an.sentence_refs(sentences)
        which = W.S_READS_ONE.format(a=refs) if len(sentences) == 1 else W.S_READS.format(a=refs)
        return Block(heading=W.H_READING, prose=True,
                     statements=[scaffold(which, [self.an.sentences[i].span for i in sorted(sentences)])] +
                     [st for i in sorted(sentences) for st in sentences_of(self.an, i)])

    def mention_in(self, term: TermInfo, sentences) -> Span | None:
        return next((m for m in term.mentions if self.an.sentence_at(m[0]) in sentences), None)

    def where_used(self, term: TermInfo, mention: Span) -> Statement:
        """Evidence of a use: the words around it, else their whole sentence."""
        return self.context(term, mention) or quote(self.src, self.an.sentences[self.an.sentence_at(mention[0])].span)

    def use_of(self, mention: Span) -> Statement | None:
        """The sentence of the reading that holds ``mention``: a use, read as a sentence. One that
        reads only after the sentence before it ("In doing so, …", "It is …") comes as its whole
        source sentence."""
        i = self.an.sentence_at(mention[0])
        st = next((st for st in sentences_of(self.an, i) if any(a <= mention[0] and mention[1] <= b for a, b in st.spans)), None)
        if st is not None and leans_back(st.text):
            st = as_sentence(self.an, self.an.sentences[i].span) or quote(self.src, self.an.sentences[i].span)
        return st

    def account(self, t: TermInfo, definitions: list) -> list[Statement]:
        """All the paper says about a term, in one paragraph: its definition, the sentences that use
        it (two at most, each once) and where it comes up."""
        sts = [definition_statement(self.an, t, d) for d in definitions]
        read: set[int] = set()
        for m in t.mentions:
            i = self.an.sentence_at(m[0])
            if i in read or len(read) == 2:
                continue
            read.add(i)
            st = self.use_of(m)
            if st is not None:
                sts.append(st)
        nums = _first_uses(self.an, t)
        if len(nums) > 1:
            sts.append(scaffold(W.S_USED_IN.format(term=_named_as(t, start=True), where=W.S_SENTENCES.format(
                a=self.an.sentence_refs(nums)).lower().removesuffix(" of the abstract.")), self.named([t])))
        return _unique(sts)

    def assumes(self, terms: list[TermInfo]) -> Block | None:
        """Honest prerequisites: the terms a lesson uses that the paper leaves undefined, as what the
        learner must bring (never defined by us)."""
        if not terms:
            return None
        one = len(terms) == 1
        text = W.S_ASSUMES.format(terms=_join([_named_as(t) for t in terms]), are="is" if one else "are",
                                  them="it" if one else "them", their="its" if one else "their")
        return Block(heading=W.H_ASSUMES, statements=[scaffold(text, self.named(terms))])

    def condition_sentences(self, sentences=None, said: list[Statement] = ()) -> list[Statement]:
        """"The claim holds under the Barron-Hermite target condition." for each stated condition,
        unless the reading already says it after its claim."""
        told = {tuple(sp) for st in said for sp in st.spans if st.text.startswith(W.R_HOLDS_LEAD)}
        out = []
        for c in self.an.conditions:
            if (sentences is None or c.sentence in sentences) and tuple(c.span) not in told:
                cond = self.src[c.span[0]:c.span[1]]
                out.append(rephrase(W.R_CLAIM_HOLDS.format(condition=cond[:1].lower() + cond[1:]
                                                           if not re.match(r"[A-Z][A-Z\d_^*]", cond) else cond), [c.span]))
        return _unique(out)

    # -- blocks by lesson kind -------------------------------------------------------------
    def overview(self, o: LessonOutline):
        # the aim alone: each other sentence is read once, in the part that takes it
        blocks = [self.read(o.sentences)]
        objectives = [scaffold(W.O_AIM)]
        parts = [s for s in self.plan.sections if s.kind == "part"]
        # parts the paper itself announces ("First, … Second, …"); a paper with headings has sections instead
        if len(parts) > 1 and any(c.item for c in self.an.claims) and not self.an.paper.sections:
            objectives.append(scaffold(W.O_PARTS.format(n=len(parts))))
        return objectives, blocks, []

    def term_questions(self, terms: list[TermInfo]) -> Block | None:
        """One question per term: what the paper does with it where it uses it, in the learner's words."""
        out = []
        for t in terms:
            nums = _first_uses(self.an, t)
            if label_mention(self.src, t):
                template = W.CK_TERM if len(nums) == 1 else W.CK_TERM_MANY
                out.append(scaffold(template.format(term=_named_as(t), n=self.an.sentence_refs(nums)), self.named([t])))
        return Block(heading=W.H_CHECK, statements=out) if out else None

    def vocabulary(self, o: LessonOutline):
        blocks, keys = [], []
        for t in (self.an.terms[k] for k in o.term_keys):
            blocks.append(Block(heading=t.label, statements=self.account(t, t.definitions[:1]), prose=True))
            keys.append(t.key)
        blocks += [b for b in [self.term_questions([self.an.terms[k] for k in keys])] if b]
        names = self.nameable([self.an.terms[k] for k in keys])[:3]
        objectives = [scaffold(W.O_TERMS.format(terms=_join([_named_as(t) for t in names])), self.named(names))]
        return objectives, blocks, keys

    def notation(self, o: LessonOutline):
        blocks, keys = [], []
        chosen = set(o.term_keys)  # a whole paper's plan names the notation it defines; an abstract's is all of it
        for t in [t for t in self.notation_terms() if t.key in chosen] or self.notation_terms():
            defs = [d for d in t.definitions if d.pattern != "tuple"] or t.definitions
            sts = self.account(t, defs[:2])
            if not t.definitions and t.kind != "quantity" and self.meaning_open(t):
                sts.insert(0, scaffold(W.S_MEANING_OPEN.format(term=t.label), self.named([t])))
            blocks.append(Block(heading=t.label, statements=sts, prose=True))
            keys.append(t.key)
        blocks += [b for b in [self.term_questions([self.an.terms[k] for k in keys if self.an.terms[k].definitions])] if b]
        shown = self.nameable([self.an.terms[k] for k in keys if self.an.terms[k].kind != "quantity"
                               and self.an.terms[k].definitions])[:4]  # not "say what DAXSS means" when it never says
        qty = self.nameable([self.an.terms[k] for k in keys])[:3]
        objectives = [scaffold(W.O_NOTATION.format(terms=_join([t.label for t in shown]), mean=_mean(shown)), self.named(shown))] \
            if shown else [scaffold(W.O_QUANTITIES.format(terms=_join([t.label for t in qty])), self.named(qty))]
        return objectives, blocks, keys

    def part(self, o: LessonOutline):
        reading = self.read(o.sentences)
        blocks = [reading]
        # the reading says each condition after its claim; the scope lesson sets them side by side
        conds = self.condition_sentences(set(o.sentences), reading.statements)
        terms = self.terms_in(o.sentences)
        defined = [definition_statement(self.an, t, d) for t in terms for d in t.definitions
                   if self.an.sentence_at(d.evidence[-1][0]) in o.sentences and d.pattern != "acronym"]
        defined = [d for d in defined if d.kind == "rephrase"]  # "w* is the …", not a cut with "…" in it
        if defined:
            blocks.append(Block(heading=W.H_DEFINED, statements=_unique(defined)))
        check = self.check_yourself(o.sentences)
        if check:
            blocks.append(Block(heading=W.H_CHECK, statements=check))
        topic = o.title.split(": ", 1)[-1].split(" (")[0] if ": " in o.title else ""
        # cite the topic where the source writes it: in these sentences, else anywhere (a heading)
        topic_span = topic and (_find(self.src, topic, _cover(self.an, o.sentences)) or _find(self.src, topic, (0, len(self.src))))
        if topic_span:
            objectives = [scaffold(W.O_CLAIM.format(topic=topic), [topic_span])]
        else:  # no phrase names the part: the objective names its sentences
            objectives = [scaffold(W.O_CLAIM_OF.format(which=_which(self.an, o.sentences)),
                                   [self.an.sentences[i].span for i in o.sentences])]
        if conds or any(st.text.startswith(W.R_HOLDS_LEAD) for st in reading.statements):
            objectives.append(scaffold(W.O_CONDITIONS))
        qty = [t for t in terms if t.kind == "quantity"][:3]
        if qty:
            objectives.append(scaffold(W.O_QUANTITIES.format(terms=_join([t.label for t in qty])),
                                       [term_mention_in(t, _cover(self.an, o.sentences)) for t in qty]))
        return objectives, blocks, [t.key for t in terms]

    def check_yourself(self, sentences, most: int = 4) -> list[Statement]:
        """Questions that ask for the structure of a claim, not its wording: the condition it needs,
        the reason it gives, the means, what it sets against it, what follows, the number it gives."""
        kinds = [("condition", W.CK_CONDITION), ("evidence", W.CK_EVIDENCE), ("means", W.CK_MEANS),
                 ("contrast", W.CK_CONTRAST), ("consequence", W.CK_FOLLOWS), ("quantity", W.CK_QUANTITY)]
        out = []
        for i in sorted(sentences):
            sent = self.an.sentences[i]
            props = self.an.propositions_in(i)
            have = {q.kind for p in props for q in p.parts
                    if q.kind != "means" or _MEANS.match(self.src[q.span[0]:q.span[1]])} | {p.role for p in props}
            if any(c.sentence == i for c in self.an.conditions):
                have.add("condition")
            else:
                have.discard("condition")
            if not re.search(r"\d", sent.text):
                have.discard("quantity")  # "up to", "at most" without a number give no bound to name
            # the sentence's structure (its condition, reason, means …), then its role in the argument
            claim = self.an.claims[i]
            # a whole paper's roles come from cue words and continuity over hundreds of sentences: asked
            # only where the sentence itself says what it does ("We show …")
            role = W.CK_ROLE.get(claim.role) if claim.cued or not is_whole_paper(self.an) else None
            # one question a sentence: its structure where it has one, else its role ("What does it find?"
            # beside "Which condition does the claim need?" asks the same twice)
            template = next((t for k, t in kinds if k in have), None) or role
            if template and len(out) < most:
                out.append(scaffold(template.format(n=self.an.sentence_ref(i)), [sent.span]))
        return out

    def synthesis(self, o: LessonOutline):
        # the paper's own sentences on how its parts fit, if it has them; else where each part begins
        # (the parts read those sentences: this stays only where the pack needs the lesson)
        openings = [st for sec in self.plan.sections if sec.sentences for st in sentences_of(self.an, sec.sentences[0])[:1]]
        blocks = [self.read(o.sentences)] if o.sentences else [Block(heading=W.H_OPENINGS, statements=openings, prose=True)]
        members = []
        for span, keys in self.an.tuples:
            for k in keys:
                t = self.an.terms[k]
                # each member with its meaning: from the tuple if stated there, else its first definition
                defs = [d for d in t.definitions if d.pattern == "tuple"] or t.definitions[:1]
                members += [definition_statement(self.an, t, d) for d in defs]
        if members:
            blocks.append(Block(heading=W.H_MEMBERS, statements=_unique(members), prose=True))
        parts = [s for s in self.plan.sections if s.kind == "part"]
        recur = []
        for t in self.an.terms.values():
            # in the part's own sentences: a part's sentences need not be contiguous
            where = _first_uses(self.an, t)
            n_parts = sum(1 for sec in parts if self.mention_in(t, sec.sentences))
            if n_parts >= 2 and t.kind in ("concept", "symbol", "acronym") and not t.label.startswith("(") \
                    and label_mention(self.src, t) and (len(t.label) > 1 or t.definitions or not is_whole_paper(self.an)):
                recur.append(scaffold(W.S_RECURS.format(term=_named_as(t) if t.label[:1].islower() else t.label,
                                                        where=self.an.sentence_refs(where)),
                                      self.named([t])))
        if recur:
            blocks.append(Block(heading=W.H_RECUR, statements=recur[:6], prose=True))
        ask = [scaffold(W.CK_FOLLOWS_FROM.format(n=self.an.sentence_ref(i)), [self.an.sentences[i].span])
               for i in o.sentences] + \
            [scaffold(W.CK_PARTS.format(a=self.an.sentence_ref(sec.sentences[0]), b=self.an.sentence_ref(nxt.sentences[0])),
                      [self.an.sentences[sec.sentences[0]].span, self.an.sentences[nxt.sentences[0]].span])
             for sec, nxt in zip(parts, parts[1:])]
        if ask:
            blocks.append(Block(heading=W.H_CHECK, statements=ask[:4]))
        objectives = [scaffold(W.O_FIT)] + ([scaffold(W.O_RECUR)] if recur else [])
        keys = sorted({k for _, ks in self.an.tuples for k in ks})
        return objectives, blocks, keys

    def scope(self, o: LessonOutline):
        blocks = []
        if o.sentences:
            blocks.append(self.read(o.sentences))
        together = []
        for c in self.an.conditions:  # each condition beside the claim it is stated for
            cond = self.condition_sentences({c.sentence})
            claim = next((st for st in sentences_of(self.an, c.sentence)
                          if not st.text.startswith(W.R_HOLDS_LEAD)), None)
            # "In sentence 3:" before "The claim holds …": the line keeps its referent even where a
            # short abstract's scope lesson keeps it without the claim (read in its part)
            together += [scaffold(W.S_IN_SENTENCE.format(n=self.an.sentence_ref(c.sentence)),
                                  [self.an.sentences[c.sentence].span])] + ([claim] if claim else []) + \
                [x for x in cond if x.spans == [c.span]]
        if together:
            blocks.append(Block(heading=W.H_CONDITIONS_TOGETHER, statements=_unique(together), prose=True))
        quals = []
        for s in self.an.sentences:
            if s.index in o.sentences:
                continue
            for m in _QUALIFIER_RX.finditer(s.text):
                a = s.span[0] + m.start()
                quals += _present([self.use_of((a, a + len(m.group(0))))])
        if quals:
            blocks.append(Block(heading=W.H_QUALIFIERS, statements=_unique(quals)[:8]))
        if not blocks:
            return None
        ask = [scaffold(W.CK_WITHOUT.format(n=self.an.sentence_ref(c.sentence)), [c.span]) for c in self.an.conditions][:3]
        if ask:
            blocks.append(Block(heading=W.H_CHECK, statements=_unique(ask)))
        return [scaffold(W.O_SCOPE)], blocks, []

    def gaps(self, sentences=None) -> list[tuple[Statement, Statement]]:
        """What the source leaves open, each as (absence, the source words it is about): the
        words that use the term, else their whole sentence."""
        return [(scaffold(template.format(term=t.label), self.named([t])), self.where_used(t, t.mentions[0]))
                for template, t in self.found(sentences)]

    def open(self, o: LessonOutline):
        gaps = self.gaps()
        blocks = []
        if o.sentences:
            blocks.append(self.read(o.sentences))
        if gaps:  # the absences, and apart from them the sentences that use the terms: a stated
            # sentence is never filed as an open question
            blocks.append(Block(heading=W.H_OPEN, statements=[absence for absence, _ in gaps], prose=True))
            # the words around each term, not its whole sentence again (a part reads that)
            uses = [self.context(t, t.mentions[0]) or self.use_of(t.mentions[0]) or self.where_used(t, t.mentions[0])
                    for _, t in self.found()]
            blocks.append(Block(heading=W.H_WHERE, statements=_unique(uses), prose=True))
            ask = [scaffold(W.CK_GAP.format(term=t.label, n=self.an.sentence_ref(self.an.sentence_at(t.mentions[0][0]))),
                            self.named([t]))
                   for _, t in self.found()][:3]
            blocks.append(Block(heading=W.H_CHECK, statements=ask))
        if not blocks:  # nothing detectably missing: no lesson, rather than a stated claim filed as open
            return None
        return [scaffold(W.O_OPEN)], blocks, []


def write_lessons(plan: Plan) -> list[LessonOut]:
    w = LessonWriter(plan)
    outlines = list(plan.lessons)
    written = _written(w, outlines)
    made = _taught_once(written)
    lo = 3 if plan.note else MIN_LESSONS
    while len(made) < lo:  # a planned lesson had nothing of its own to teach: split the longest part, else the terms
        outlines = _split_one(outlines, w.an)
        if outlines is None:
            break
        written = _written(w, outlines)
        made = _taught_once(written)
    if len(made) < lo or not any(o.level == "advanced" for o, *_ in made):
        made = _taught_once(written, fill=lo)
    made = [(o, _promised(w, o, objectives, blocks), blocks, keys) for o, objectives, blocks, keys in _numbered(made)]
    made = _connected(w, made)
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


def _connected(w: LessonWriter, made: list) -> list:
    """Each lesson opens with what it assumes (the undefined terms it is the first to use), and each
    part ends on how it connects: what it rests on in the parts before it and what the parts after it
    take further, by the terms they share."""
    listed: set[str] = set()
    # a term a lesson teaches (its account in a term lesson) is never listed as one to bring
    taught_anywhere = {k for o, *_ in made if o.kind in ("vocabulary", "notation") for k in o.term_keys}
    uses = []
    for o, _, blocks, keys in made:
        cover = SpanCover(sp for b in blocks for st in b.statements for sp in st.spans)
        uses.append({t.key for t in w.an.terms.values() if any(cover.covers(*m) for m in t.mentions)})
    read = [{w.an.sentence_at(sp[0]) for b in blocks if b.heading == W.H_READING for st in b.statements
             for sp in st.spans} for _, _, blocks, _ in made]
    out = []
    for n, (o, objectives, blocks, keys) in enumerate(made):
        taught = {b.heading for b in blocks}  # a lesson does not assume the terms it teaches
        bring = sorted((w.an.terms[k] for k in uses[n] - listed - taught_anywhere if _to_bring(w, w.an.terms[k])
                        and w.an.terms[k].label not in taught),
                       key=lambda t: (-len(t.mentions), t.mentions[0]))[:3]
        listed |= {t.key for t in bring}
        head = [b for b in [w.assumes(bring)] if b]
        if o.kind in ("vocabulary", "notation"):  # each term account ends on the lessons that read it in context
            labels = {t.label: t for t in w.an.terms.values()}
            blocks = [_pointed(w, b, labels.get(b.heading), read, made) for b in blocks]
        tail = []
        if o.kind == "part":  # what the part rests on, and what it leads to: the other parts that share its terms
            for heading, template, others in ((W.H_RESTS, W.S_FROM, range(n - 1, -1, -1)),
                                              (W.H_LEADS, W.S_ONWARD, range(n + 1, len(made)))):
                said = _shared(w, made, read, n, [m for m in others if made[m][0].kind == "part"], template)
                if said:
                    tail.append(Block(heading=heading, statements=said, prose=True))
        out.append((o, objectives, head + blocks + tail, keys))
    return out


def _named_as(t: TermInfo, start: bool = False) -> str:
    """A term as a sentence names it: "the mean-field limit" (a concept), "w*" and "μP" as written."""
    if t.kind != "concept":
        return t.label
    return ("The " if start else "the ") + t.label


def _to_bring(w: LessonWriter, t: TermInfo) -> bool:
    """A term worth naming as what the learner brings: a concept of several words (or a hyphenated
    one) that the paper comes back to, in two sentences or more, and that no sentence defines,
    glosses or exemplifies."""
    return t.kind == "concept" and (len(t.label.split()) >= 2 or "-" in t.label) and not _VAGUE.match(t.label) \
        and len({w.an.sentence_at(m[0]) for m in t.mentions}) >= 2 and w.meaning_open(t) and bool(label_mention(w.src, t)) \
        and not _built_on_introduced(w, t) \
        and not (is_whole_paper(w.an) and (_spoken_of(w, t) or _CUT_NAME.match(t.label)))


def _built_on_introduced(w: LessonWriter, t: TermInfo) -> bool:
    """"SaXS implementations" where the paper introduces SaXS with its long form and says what it does:
    the phrase is that thing's, in plain words, not a term the paper leaves unstated."""
    introduced = {x.label for x in w.an.terms.values() if x.kind == "acronym" and not w.meaning_open(x)}
    return any(word in introduced for word in t.label.split())


# a noun chunk a long text cuts badly: "that PBDEs", "g carcass" (of "μg/g carcass"), "Lema SC" (an author)
_CUT_NAME = re.compile(r"^(?:(?:that|which|these|those|this|such|both|each|its|their)\b|\w\b)|^[A-Z][a-z]+ [A-Z]{1,3}$")


def _spoken_of(w: LessonWriter, t: TermInfo) -> bool:
    """A whole paper explains in prose what no pattern reads as a definition ("Pawula's theorem shows that
    …"): a term that opens the subject of some clause is not claimed as left unstated."""
    if w.subjects is None:
        w.subjects = set()
        for p in w.an.propositions:
            for q in p.of("subject"):
                a, b = q.span
                lead = re.match(r"(?i)(?:the|a|an|this|these|that|those|our|its|their)\s+", w.src[a:b])
                w.subjects.add(a + (lead.end() if lead else 0))
    return any(a in w.subjects for a, _ in t.mentions)


def _pointed(w: LessonWriter, b: Block, t: TermInfo | None, read: list, made: list) -> Block:
    if t is None or not label_mention(w.src, t):
        return b
    uses = {w.an.sentence_at(x[0]) for x in t.mentions} | _uses_inside_longer_terms(w.an, t)
    where = [m + 1 for m, (o, *_) in enumerate(made) if o.kind == "part" and uses & read[m]]
    if not where:
        return b
    template = W.S_READ_IN if len(where) == 1 else W.S_READ_IN_MANY
    return Block(heading=b.heading, prose=b.prose,
                 statements=b.statements + [scaffold(template.format(n=number_list(where), term=_named_as(t)), w.named([t]))])


def _shared(w: LessonWriter, made: list, read: list, n: int, others: list[int], template: str) -> list[Statement]:
    """Up to two links from lesson ``n`` to the nearest other parts: for a term both read, a line
    naming the lesson, the term and the sentence there that uses it."""
    out, linked = [], set()
    for m in others:
        for t in sorted(w.an.terms.values(), key=lambda t: t.mentions[0]):
            if len(out) == 2 or m in linked or t.kind != "concept" or not t.label[:1].islower() \
                    or not label_mention(w.src, t):
                continue  # a concept, not a name or a symbol ("the AAVGen", "the G")
            here = next((x for x in t.mentions if w.an.sentence_at(x[0]) in read[n]), None)
            there = next((x for x in t.mentions if w.an.sentence_at(x[0]) in read[m]), None)
            if here and there:  # a pointer, not the sentence again: that lesson reads it
                i = w.an.sentence_at(there[0])
                out.append(scaffold(template.format(n=m + 1, term=t.label, s=w.an.sentence_ref(i)),
                                    w.named([t]) + [w.an.sentences[i].span]))
                linked.add(m)
    return out


# a sentence that opens on what the one before it said ("It builds on …", "This lack of awareness …")
_POINTS_BACK = re.compile(r"(?:It|They|This|These|Those|Such|Its|Their|Both)\b")


def _split_one(outlines: list[LessonOutline], an: Analysis) -> list[LessonOutline] | None:
    """The outlines with one lesson taught in two sittings: the part with the most sentences, else
    the term lesson with the most terms; None when no lesson can be split."""
    parts = [k for k, o in enumerate(outlines) if o.kind == "part" and len(o.sentences) >= 2]
    if parts:
        i = max(parts, key=lambda k: (len(outlines[k].sentences), -k))
        o = outlines[i]
        # the second sitting opens on a sentence that stands alone, not on "It builds on …"
        cuts = sorted(range(1, len(o.sentences)), key=lambda k: (bool(_POINTS_BACK.match(an.sentences[o.sentences[k]].text)),
                                                                 abs(k - len(o.sentences) / 2), k))
        half = cuts[0]
        return outlines[:i] + [LessonOutline(o.kind, o.level, f"{o.title} ({k})", o.section_ids, sents)
                               for k, sents in ((1, o.sentences[:half]), (2, o.sentences[half:]))] + outlines[i + 1:]
    terms = [k for k, o in enumerate(outlines) if o.kind == "vocabulary" and len(o.term_keys) >= 4]
    if not terms:
        return None
    i = max(terms, key=lambda k: (len(outlines[k].term_keys), -k))
    o, half = outlines[i], len(outlines[i].term_keys) // 2
    out = outlines[:i] + [LessonOutline(o.kind, o.level, o.title, o.section_ids, term_keys=keys)
                          for keys in (o.term_keys[:half], o.term_keys[half:])] + outlines[i + 1:]
    n = sum(x.kind == "vocabulary" for x in out)  # the term lessons numbered in turn: (1), (2), (3)
    seq = iter(range(1, n + 1))
    return [LessonOutline(x.kind, x.level, f"{W.T_VOCABULARY} ({next(seq)})", x.section_ids, x.sentences, x.term_keys)
            if x.kind == "vocabulary" else x for x in out]


_SITTING = re.compile(r"(?: \(\d+\))+$")


def _numbered(made: list) -> list:
    """Lessons that share a title after splits and drops are numbered in turn, (1), (2), (3): never
    "Findings (1) (2)", nor a lone "Background (2)" whose other half had nothing of its own."""
    bases = [_SITTING.sub("", o.title) for o, *_ in made]
    seen: dict[str, int] = {}
    out = []
    for base, (o, *rest) in zip(bases, made):
        if bases.count(base) > 1:
            seen[base] = seen.get(base, 0) + 1
            o = replace(o, title=f"{base} ({seen[base]})")
        elif o.title != base:
            o = replace(o, title=base)
        out.append((o, *rest))
    return out


def _written(w: LessonWriter, outlines: list[LessonOutline]) -> list:
    made: list[tuple[LessonOutline, list, list, list]] = []
    for o in outlines:
        res = getattr(w, o.kind)(o)
        if res is None:
            continue
        objectives, blocks, keys = res
        blocks = _once(blocks)
        if _own_words(blocks):
            made.append((o, objectives, blocks, keys))
    return made


def _own_words(blocks: list[Block]) -> bool:
    return any(st.kind != "scaffold" for b in blocks for st in b.statements)


def sentences_read(an: Analysis, lesson: LessonOut) -> list[int]:
    """The source sentences a lesson reads (its reading, not the term accounts that cite them)."""
    return sorted({an.sentence_at(st.spans[0][0]) for b in lesson.blocks if b.heading == W.H_READING
                   for st in b.statements if st.spans})


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


def _taught_once(made: list, fill: int = 0) -> list:
    """Source words are read once in the pack. Each sentence is read in the one lesson whose reading
    takes it; definitions are taught where the terms are (the beginner lessons) and not again in a
    part; no other block of any lesson (term accounts, links between parts, synthesis, scope, open
    questions) repeats a clause a reading reads, nor most of a sentence one reads. A lesson left with
    no source words of its own is dropped, unless the pack needs it to have ``fill`` lessons and an
    advanced one: a short abstract cannot be read in eight lessons without some words twice."""
    def readings():
        return [st for _, _, blocks, _ in made for b in blocks if b.heading == W.H_READING for st in b.statements
                if st.kind != "scaffold"]
    in_readings = {_key(st.text) for st in readings()}
    sentences = sorted({sp for st in readings() for sp in st.spans})
    seen: set[str] = set()
    gaps_said: set[str] = set()
    out, spare = [], []
    for o, objectives, blocks, keys in made:
        part = o.kind in ("overview", "part")

        def repeats(st: Statement, b: Block) -> bool:
            if st.kind == "scaffold":  # teaching text, except a stated absence: said once in the pack
                return st.text.startswith(W.S_OPEN_PREFIX) and _key(st.text) in gaps_said
            key = _key(st.text)
            if b.heading == W.H_READING:
                return key in seen and not part
            if part and st.kind == "rephrase" and key not in in_readings:
                return key in seen  # a part's own definitions and conditions
            return key in seen or key in in_readings or _covers(st.spans, sentences)
        kept = _once([Block(heading=b.heading, statements=[st for st in b.statements if not repeats(st, b)], prose=b.prose)
                      for b in blocks])
        if not part and not _own_words(kept):
            # no source words of its own: dropped, or where the pack needs it (too few lessons, no
            # advanced one) kept with the shortest of its source words, once, so it is still grounded
            one = min((st for b in blocks for st in b.statements if st.kind != "scaffold"),
                      key=lambda st: len(st.text), default=None)
            if one is not None:
                spare.append((len(out), o, objectives, _once([Block(heading=b.heading, prose=b.prose, statements=[
                    st for st in b.statements if st.kind == "scaffold" and not repeats(st, b) or st is one])
                    for b in blocks]), keys))
            continue
        seen |= {_key(st.text) for b in kept for st in b.statements if st.kind != "scaffold"}
        gaps_said |= {_key(st.text) for b in kept for st in b.statements if st.text.startswith(W.S_OPEN_PREFIX)}
        out.append((o, objectives, kept, keys))
    at = list(range(len(out)))
    # the advanced lessons first, then the others in order, until the pack has its lessons and levels
    for n, o, objectives, blocks, keys in sorted(spare, key=lambda x: (x[1].kind != "open", x[1].level != "advanced", x[0])):
        # what the abstract leaves open, and how the parts connect, are kept whenever they name a gap
        # or a link: no reading says those
        says = {"open": (W.H_OPEN,), "synthesis": (W.H_RECUR, W.H_CHECK)}.get(o.kind, ())
        gaps = any(st.kind == "scaffold" and st.spans and b.heading in says for b in blocks for st in b.statements)
        if not gaps and (not fill or len(out) >= fill and any(x[0].level == "advanced" for x in out)):
            continue
        k = bisect_left(at, n)
        out.insert(k, (o, objectives, blocks, keys))
        at.insert(k, n - 0.5)
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
    if o.kind == "notation":
        taught = [t for t in taught if t.definitions]
        if not taught:
            return objectives
    template = W.O_TERMS if o.kind == "vocabulary" else W.O_NOTATION
    names = taught[:3] if o.kind == "vocabulary" else taught[:4]
    labels = [_named_as(t) if o.kind == "vocabulary" else t.label for t in names]  # "what the paper says of the X"
    return [scaffold(template.format(terms=_join(labels), mean=_mean(names)), w.named(names))] + objectives[1:]


def _covers(spans, sentences: list[Span]) -> bool:
    """Whether these spans show most of one of the sentences (four fifths of its words)."""
    for a, b in sentences:
        inside = sum(max(0, min(b, y) - max(a, x)) for x, y in spans)
        if inside >= 0.8 * (b - a):
            return True
    return False


def _present(sts: list) -> list[Statement]:
    return [s for s in sts if s is not None]





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
        if any(st.kind != "scaffold" or st.spans and _USED_IN not in st.text for st in kept):
            # source words, or a cited absence or question (not a term's bare "It comes up in …")
            out.append(Block(heading=b.heading, statements=kept, prose=b.prose))
    return out


def _unique(sts: list[Statement]) -> list[Statement]:
    seen, out = set(), []
    for s in sts:
        if s.text not in seen:
            seen.add(s.text)
            out.append(s)
    return out


def _mean(terms: list) -> str:
    return W.O_MEAN_ONE if len(terms) == 1 else W.O_MEAN_MANY


def _join(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _which(an: Analysis, sentences) -> str:
    return f"sentence{'s' if len(set(sentences)) > 1 else ''} {an.sentence_refs(sentences)}"



MAX_USES_LISTED = 8  # a whole paper names a term in hundreds of sentences: the first few show where it works


def _first_uses(an: Analysis, t: TermInfo) -> list[int]:
    # a use pointed to as "paragraph 163 of section B.3" is left out: a number past 99 in teaching
    # text would read as a claim of the paper's
    out = []
    for i in sorted({an.sentence_at(m[0]) for m in t.mentions} | _uses_inside_longer_terms(an, t)):
        if len(out) == MAX_USES_LISTED:
            break
        if not re.search(r"\d{3}", an.sentence_ref(i)):
            out.append(i)
    return out


def _uses_inside_longer_terms(an: Analysis, t: TermInfo) -> set[int]:
    """The sentences of an abstract that use a term inside a longer one ("Yohkoh/SXT EMDs", "the EMD
    sample"): a mention belongs to the longest term, but "EMDs comes up in sentences 3 and 4" must not
    leave those out. A whole paper's lists name a few first uses only, so they are not searched."""
    if t.kind not in ("concept", "acronym") or is_whole_paper(an):
        return set()
    stem = re.escape(t.label[:-1] if t.label.endswith("s") and len(t.label) > 3 else t.label)
    word = re.compile(rf"(?<![\w-]){stem}(?:s|es)?(?![\w-])", 0 if t.kind == "acronym" else re.I)
    return {s.index for s in an.sentences if word.search(s.text)}

"""The quiz: multiple choice, true/false, fill in the blank, matching and ordering.

Distractors come from the same paper and are of the key's kind (symbols against
symbols, quantities against quantities, non-members against a member). Every
item's answer key and explanation are cited; false statements exist only as
questions, made by one swap of same-kind terms. Option order is a hash of the
content, so it is deterministic but does not give the key away.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from ..analyse.propositions import minus
from ..analyse.sentences import reads_whole
from ..ids import content_id
from ..models import LessonOut, QuizItem, Span, Statement, TermInfo
from ..plan import _named_part
from .. import wording as W
from .cards import named
from .facts import Facts
from .flaws import find_flaws
from .lessons import _find, indefinite
from .statements import extract, label_mention, occurs, quote, rephrase, scaffold, trim
from .units import opened

OPTIONS = 4


def _shuffle(items: list[str], salt: str) -> list[str]:
    return sorted(items, key=lambda x: hashlib.sha256(f"{salt}\x1f{x}".encode()).hexdigest())


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _starts_with_word(text: str, word: str) -> bool:
    """re's ``^word\b`` as a plain string test: paper text never becomes a regex."""
    def is_word(c: str) -> bool:
        return c.isalnum() or c == "_"
    return bool(word) and text.startswith(word) and is_word(word[-1]) != is_word(text[len(word):len(word) + 1] or " ")


class QuizWriter:
    def __init__(self, f: Facts):
        self.f, self.src = f, f.src
        self.items: list[QuizItem] = []
        self.prompts: set[str] = set()  # one item per prompt
        self.asked: set[tuple] = set()  # and one per (answer, cited words)
        self.dropped = []

    def add(self, kind: str, prompt: Statement, choices: list[str], answer, explanation: Statement,
            lesson: LessonOut, sentence: int | None, left: list[str] | None = None, kinds: dict[str, str] | None = None):
        item = QuizItem(id=f"quiz-{content_id('quiz', kind + prompt.text + '|'.join(choices))}", kind=kind,
                        prompt=prompt, choices=choices, answer=answer, explanation=explanation, lesson_id=lesson.id,
                        difficulty=lesson.level, section_id=self.f.section_of.get(sentence) if sentence is not None else None,
                        left=left or [])
        flaws = find_flaws(item, self.src, kinds or {})
        if flaws:
            self.dropped.append((item, flaws[0]))
        elif item.prompt.text not in self.prompts and (asked := _asked(item)) not in self.asked:
            self.prompts.add(item.prompt.text)
            if asked[0] is not None:
                self.asked.add(asked)
            self.items.append(item)

    def mcq(self, prompt: Statement, key: str, pool: list[str], explanation: Statement, lesson: LessonOut,
            sentence: int | None, kind_of: str, avoid: str = "") -> None:
        """Four options: the key and three same-kind distractors the cited text does not support."""
        cited = " ".join(self.src[a:b] for a, b in explanation.spans).lower() + " " + avoid.lower()
        # look-alikes first: the same number (plural or not), then the nearest length; the first three the
        # cited text does not support (a whole paper's pool has thousands: each is checked only as needed)
        ranked = sorted(dict.fromkeys(pool), key=lambda p: (_plural(p) != _plural(key), abs(len(p) - len(key)), p))
        distractors = []
        for p in ranked:
            if len(distractors) == OPTIONS - 1:
                break
            if p.lower() != key.lower() and not _overlaps(p, key) and not _same_head(p, key) \
                    and p.lower() != self.f.name.lower() and not occurs(p, cited):
                distractors.append(p)
        if len(distractors) < OPTIONS - 1:
            return
        choices = _shuffle([key] + distractors, prompt.text)
        self.add("mcq", prompt, choices, choices.index(key), explanation, lesson, sentence,
                 kinds={c: kind_of for c in choices})

    # -- item families ------------------------------------------------------------------
    def symbol_for_meaning(self) -> None:
        paired = {d.term.key for d in self.matched()}  # the matching item asks these pairs already
        for d in self.f.definitions:
            t = d.term
            if t.key in paired:
                continue
            if t.kind not in ("symbol", "acronym") or d.pattern not in ("appositive", "tuple", "acronym") \
                    or indefinite(self.src, d):
                continue  # "a finite group G": H and K may be finite groups too
            pool = [o.label for o in self.f.terms_of_kind(t.kind)
                    if o is not t and o.label.startswith("(") == t.label.startswith("(")
                    and not any(x.meaning.lower() == d.meaning.lower() for x in self.f.definitions if x.term is o)]
            template = W.Q_SYMBOL_FOR if t.kind == "symbol" else W.Q_ACRONYM_FOR
            prompt = scaffold(template.format(meaning=d.meaning), [d.meaning_span])
            self.mcq(prompt, t.label, pool, d.statement, self.f.lesson_for_term(t, d.sentence), d.sentence, t.kind)

    def argument_roles(self) -> None:
        """Which sentence states the paper's aim, or reports a result. The options are the paper's own
        sentences, so every distractor is a true statement of the paper in another role: its starting
        point, its method or a limit, never a role a reader could also defend (an aim is not offered
        against a result). Asked only where each sentence's own words say its role."""
        an = self.f.an
        firsts: dict[str, int] = {}
        for c in an.claims:
            if c.cued and c.role in W.ROLE_QUESTIONS and c.role not in firsts and self._opening(c.sentence):
                firsts[c.role] = c.sentence
        # the distractors: the opening sentence of each other role, then further ones, three in all
        pool = [c.sentence for c in an.claims if c.cued and c.role in ("background", "method", "scope")
                and self._opening(c.sentence)]
        others = sorted(pool, key=lambda i: (i not in firsts.values(), i))[:OPTIONS - 1]
        if len(others) < OPTIONS - 1:
            return
        for role in ("aim", "result"):
            if role not in firsts:
                continue
            i = firsts[role]
            key = self._opening(i).text
            choices = _shuffle([key] + [self._opening(j).text for j in others], role + key)
            self.add("mcq", scaffold(W.Q_ROLE.format(does=W.ROLE_QUESTIONS[role])), choices, choices.index(key),
                     quote(self.src, an.sentences[i].span), self.f.lesson_for_sentence(i), i,
                     kinds={c: "statement" for c in choices})

    def _opening(self, i: int) -> Statement | None:
        """A sentence's main clause as the source writes it, short enough to be an option."""
        main = next(iter(self.f.an.propositions_in(i)), None)
        if main is None or len(main.spans) != 1:
            return None
        a, b = trim(self.src, opened(self.src, main.spans[0], connective=True))
        text = self.src[a:b]
        if not 5 <= len(text.split()) <= 30 or not reads_whole(self.src, [(a, b)]):
            return None
        return rephrase(text[:1].upper() + text[1:], [(a, b)])  # an option opens as a sentence does

    def members(self) -> None:
        for m in self.f.members:
            if not m.head:
                continue
            labels = {x.label.lower() for x in m.members} | {m.whole.label.lower()}
            key = _shuffle([x.label for x in m.members], m.whole.label)[0]
            pool = [t.label for t in self.f.terms_of_kind("concept")
                    if t.label.lower() not in labels and len(t.label.split()) <= 2]
            prompt = scaffold(W.Q_MEMBER.format(head=m.head, whole=m.whole.label), m.statement.spans)
            self.mcq(prompt, key, pool, m.statement, self.f.lesson_for_sentence(m.sentence), m.sentence, "member",
                     avoid=self.src[m.statement.spans[0][0]:m.statement.spans[0][1]])

    def where_introduced(self) -> None:
        parts = [s for s in self.f.plan.sections if s.kind == "part" and ": " in s.title]
        if len(parts) < OPTIONS:
            return
        topics = {s.id: s.title.split(": ", 1)[1] for s in parts}
        for t in self.f.terms_of_kind("symbol"):
            if t.label.startswith("(") or not t.definitions:
                continue
            first = self.f.an.sentence_at(t.mentions[0][0])
            sec = next((s for s in parts if first in s.sentences), None)
            if sec is None:
                continue
            head = self.f.an.sentences[sec.sentences[0]]
            k = self.src.find(topics[sec.id], head.span[0], head.span[1])
            if k < 0:
                continue
            ctx = self.f.an.sentences[first].span
            explanation = extract(self.src, _merge([(k, k + len(topics[sec.id])), ctx]))
            prompt = scaffold(W.Q_WHERE.format(term=t.label), [named(self.src, t)])
            self.mcq(prompt, topics[sec.id], list(topics.values()), explanation,
                     self.f.lesson_for_sentence(sec.sentences[0]), sec.sentences[0], "part")

    def clozes(self) -> None:
        """Each blanked claim becomes one item, in turn: choose the term, fill it in, or judge a swap."""
        swapped = set()
        for n, z in enumerate(self.f.clozes):
            sent = self.f.an.sentences[z.sentence]
            lesson = self.f.lesson_for_sentence(z.sentence)
            key = self.src[z.gap[0]:z.gap[1]]
            pool = [t.label for t in self.f.terms_of_kind(z.term.kind) if t is not z.term and not t.label.startswith("(")]
            explanation = quote(self.src, sent.span)
            # each blank is a flashcard to recall, and here a choice to recognise among its look-alikes;
            # one with no look-alikes is asked to fill in, and is then no flashcard (one item per
            # claim and answer in the pack)
            self.mcq(z.front(self.src), key, pool, explanation, lesson, z.sentence, z.term.kind)
            if z.front(self.src).text not in self.prompts:
                self.add("fill_blank", z.front(self.src), [], key, explanation, lesson, z.sentence)
            if z.statement_like and z.span not in swapped:  # one judged statement per clause
                swapped.add(z.span)
                self.swap(z, pool, explanation, lesson, false=n % 2 == 0)

    def swap(self, z, pool: list[str], explanation: Statement, lesson: LessonOut, false: bool) -> None:
        """A statement from the source with one term swapped for another of its kind, judged false.
        Never a concept: another concept of the paper makes the sentence absurd ("we conduct discrete
        distributions") or still true ("testing procedures remain feasible"), not false."""
        if not false or z.term.kind == "concept":
            return  # (and the source's own sentence, asked as true, is read off: no item)
        a, b = z.span
        cited = self.src[a:b].lower()
        original = self.src[z.gap[0]:z.gap[1]]
        before, after = self.src[z.gap[0] - 1:z.gap[0]], self.src[z.gap[1]:z.gap[1] + 1]
        other = next((p for p in _shuffle(pool, self.src[a:b]) if not occurs(p, cited) and not _overlaps(p, original)
                      # a swap that would run into the next word ("O(N-1)this" -> "10560this") is not made
                      and not (p[:1].isalnum() and before.isalnum() or p[-1:].isalnum() and after.isalnum())
                      and _plural(p) == _plural(original) and abs(len(p.split()) - len(original.split())) <= 1
                      and _article_fits(self.src[max(0, z.gap[0] - 3):z.gap[0]], p)
                      and label_mention(self.src, self.f.an.terms[_key_of(self.f, p)])), None)
        if other is None:
            return
        text = self.src[a:z.gap[0]] + other + self.src[z.gap[1]:b]
        spans = _merge([z.span, named(self.src, self.f.an.terms[_key_of(self.f, other)])])
        self.add("true_false", scaffold(W.Q_STATED.format(statement=text.rstrip(".") + "."), spans),
                 [W.CHOICE_TRUE, W.CHOICE_FALSE], W.CHOICE_FALSE, explanation, lesson, z.sentence)

    def true_false(self) -> None:
        n = 0
        matched = {d.term.key for d in self.matched()}  # the matching item asks these already
        for d in self.f.definitions:
            t = d.term
            if d.statement.kind != "rephrase" or t.kind not in ("symbol", "acronym", "concept") or t.key in matched:
                continue
            swap = next((o for o in _shuffle_terms(self.f.terms_of_kind(t.kind), t.label)
                         if o is not t and o.label.startswith("(") == t.label.startswith("(")
                         # "P_2" for "P", or a symbol a phrase names ("Sylow p-subgroups P_1,P_2"): it may well be one too
                         and not o.named and o.label[:1] != t.label[:1]
                         # a swapped symbol makes a false statement only when both have meanings of their own
                         # and the meaning singles one out ("the orbit depth", not "a p-subgroup")
                         and (t.kind != "symbol" or o.definitions and not indefinite(self.src, d))
                         # "AlphaFold3 stands for …": only a short form the paper expands is swapped in
                         and (t.kind != "acronym" or any(x.pattern == "acronym" for x in o.definitions))
                         and not any(x.term is o and x.meaning.lower() == d.meaning.lower() for x in self.f.definitions)
                         and o.label not in d.statement.text and label_mention(self.src, o)), None)
            lesson = self.f.lesson_for_term(t, d.sentence)
            if n % 2 == 0 and swap is not None:  # a false statement: one swap of same-kind terms
                text = swap.label + d.statement.text[len(t.label):] if _starts_with_word(d.statement.text, t.label) else None
                if text is None or text == d.statement.text:
                    continue
                prompt = scaffold(W.Q_STATED.format(statement=text), _merge(d.statement.spans + [named(self.src, swap)]))
                self.add("true_false", prompt, [W.CHOICE_TRUE, W.CHOICE_FALSE], W.CHOICE_FALSE, d.statement, lesson, d.sentence)
            elif any(q.explanation.text == d.statement.text for q in self.items):
                continue  # already asked (which symbol is …): one item per fact
            elif t.kind == "acronym":
                continue  # "EB stands for Empirical Bayes. True or false?": its letters answer it
            else:
                prompt = scaffold(W.Q_STATED.format(statement=d.statement.text), d.statement.spans)
                self.add("true_false", prompt, [W.CHOICE_TRUE, W.CHOICE_FALSE], W.CHOICE_TRUE, d.statement, lesson, d.sentence)
            n += 1

    def matched(self) -> list:
        """The definitions the matching item pairs (symbols and short forms with their meanings)."""
        defs, seen = [], set()
        for d in self.f.definitions:
            if d.term.kind in ("symbol", "acronym") and d.term.key not in seen and \
                    d.pattern in ("appositive", "tuple", "acronym"):
                seen.add(d.term.key)
                defs.append(d)
        defs = defs[:6]
        return defs if len(defs) >= 3 and len({d.meaning.lower() for d in defs}) == len(defs) else []

    def matching(self) -> None:
        defs = self.matched()
        if not defs:
            return
        left = [d.term.label for d in defs]
        choices = _shuffle([d.meaning for d in defs], "|".join(left))
        answer = [choices.index(d.meaning) for d in defs]
        explanation = extract(self.src, _merge([sp for d in defs for sp in d.statement.spans]))
        lesson = max((self.f.lesson_for_term(d.term, d.sentence) for d in defs), key=lambda l: l.number)
        self.add("matching", scaffold(W.Q_MATCH), choices, answer, explanation, lesson, defs[0].sentence, left=left)

    def ordering(self) -> None:
        enum = next((e for e in self.f.an.enumerations if e.kind == "sentences" and len(e.items) >= 3), None)
        if enum is None:
            return self.ordering_of_sections()
        parts = [s for s in self.f.plan.sections if s.kind == "part" and s.sentences[0] in enum.sentences]
        topics, spans = [], []
        for sec in parts:
            head = self.f.an.sentences[sec.sentences[0]]
            topic = sec.title.split(": ", 1)[-1]
            k = self.src.find(topic, head.span[0], head.span[1])
            if k < 0:
                return
            topics.append(topic)
            spans.append((head.span[0], k + len(topic)))
        if len(topics) < 3 or len(set(topics)) < len(topics):
            return
        choices = _shuffle(topics, "order")
        if choices == topics:
            choices = topics[1:] + topics[:1]
        answer = [choices.index(t) for t in topics]
        lesson = self.f.lessons[0]
        self.add("ordering", scaffold(W.Q_ORDER.format(n=len(topics))), choices, answer, extract(self.src, spans),
                 lesson, parts[0].sentences[0])


    def ordering_of_topics(self) -> None:
        secs = [s for s in self.f.plan.sections if s.kind in ("overview", "part") and ": " in s.title]
        topics = [s.title.split(": ", 1)[1] for s in secs]
        spans = [_find(self.src, t, self.f.an.sentences[s.sentences[0]].span) for s, t in zip(secs, topics)]
        if len(topics) < 3 or len(set(topics)) < len(topics) or None in spans:
            return
        choices = _shuffle(topics, "order")
        if choices == topics:
            choices = topics[1:] + topics[:1]
        self.add("ordering", scaffold(W.Q_ORDER.format(n=len(topics))), choices, [choices.index(t) for t in topics],
                 extract(self.src, [self.f.an.sentences[s.sentences[0]].span for s in secs]), self.f.lessons[0],
                 secs[0].sentences[0])

    def ordering_of_sections(self) -> None:
        """No numbered results: put the paper's moves (background, approach, findings …) in order,
        each shown by the opening words of its first sentence."""
        firsts = sorted(s.sentences[0] for s in self.f.plan.sections if s.kind != "scope")
        n = len(self.f.an.sentences)
        if len(firsts) < 3:  # few sections: four sentences spread over the abstract instead
            firsts = sorted({round(k * (n - 1) / 3) for k in range(4)})
        if len(firsts) < 3:
            return
        openings, spans = [], []
        for i in firsts:
            # each move by its main claim, whole, without the words that give its place away
            # ("Lastly, …", "Further, …"); a claim too long to be an option drops the item
            main = next(iter(self.f.an.propositions_in(i)), None)
            if main is None:
                return
            asides = [q.span for q in main.parts if q.kind in ("elaboration", "means", "qualifier", "purpose")]
            text = next((_PLACE_WORDS.sub("", " … ".join(self.src[a:b] for a, b in spans))
                         for spans in (main.core, minus(self.src, list(main.core), asides))
                         if len(spans) == 1 and reads_whole(self.src, spans) and len(self.src[spans[0][0]:spans[0][1]].split()) <= 18),
                        None)
            text = text or _named_part(self.f.an, i)  # a claim too long to be an option: what it is about
            if not text:
                return self.ordering_of_topics()
            openings.append(text)
            spans.append(self.f.an.sentences[i].span)
        if len(set(openings)) < len(openings):
            return
        choices = _shuffle(openings, "order")
        if choices == openings:
            choices = openings[1:] + openings[:1]
        self.add("ordering", scaffold(W.Q_ORDER_OPENINGS.format(n=len(openings))), choices,
                 [choices.index(o) for o in openings], extract(self.src, spans), self.f.lessons[0], firsts[0])


def write_quiz(f: Facts) -> tuple[list[QuizItem], list]:
    w = QuizWriter(f)
    for family in (w.argument_roles, w.symbol_for_meaning, w.members, w.where_introduced, w.matching,
                   w.ordering, w.true_false, w.clozes):
        family()
    order = {l.id: l.number for l in f.lessons}
    w.items.sort(key=lambda q: (order[q.lesson_id], q.kind, q.id))
    return w.items, w.dropped


_PLACE_WORDS = re.compile(r"(?i)^(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|further(?:more)?|moreover|lastly|finally|"
                          r"next|then|in addition|additionally|also)\b,?\s*")


def _asked(item: QuizItem) -> tuple:
    """What an item asks for, to ask it once: its key and the words it cites (no key for judged,
    matched or ordered items, which are told apart by their prompts)."""
    if item.kind in ("true_false", "matching", "ordering"):
        return None, ()
    key = item.choices[item.answer] if isinstance(item.answer, int) else str(item.answer)
    return " ".join(key.casefold().split()), tuple(map(tuple, item.explanation.spans))


@lru_cache(maxsize=65536)
def _plural(phrase: str) -> bool:
    last = phrase.split()[-1] if phrase.split() else ""
    return last.endswith("s") and not last.endswith("ss") and last[:1].islower()


def _overlaps(a: str, b: str) -> bool:
    """One phrase inside the other ("models" / "generative models"): a swap would not be false."""
    a, b = a.lower(), b.lower()
    return a in b or b in a


def _same_head(a: str, b: str) -> bool:
    """"reflective markers" beside the key "individual markers": two kinds of one thing, and readers
    defended the distractor. Short noun phrases (two or three words) that end on the same noun; not the
    parts of a paper ("identifiability of the mean-field limit"), which are told apart by all their words."""
    wa, wb = a.lower().split(), b.lower().split()
    return 1 < len(wa) <= 3 and 1 < len(wb) <= 3 and wa[-1].rstrip("s") == wb[-1].rstrip("s")


def _key_of(f: Facts, label: str) -> str:
    return next(t.key for t in f.an.terms.values() if t.label == label)




def _shuffle_terms(terms: list[TermInfo], salt: str) -> list[TermInfo]:
    return sorted(terms, key=lambda t: hashlib.sha256(f"{salt}\x1f{t.label}".encode()).hexdigest())


def _article_fits(before: str, word: str) -> bool:
    """"a interactivity", "an test": a swapped term must take the article in front of the blank."""
    if re.search(r"(?i)(?:^|\s)a\s$", before):
        return not re.match(r"(?i)[aeiou]", word)
    if re.search(r"(?i)(?:^|\s)an\s$", before):
        return bool(re.match(r"(?i)[aeiou]", word))
    return True


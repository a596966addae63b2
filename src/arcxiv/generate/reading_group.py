"""A reading-group hour: a suggested 60-minute path for a teacher through the lessons and exercises,
and three discussion questions drawn from what the paper leaves open, the conditions its claims
hold under and the qualifiers it puts on them. Teaching text only: each question cites the words it
is about and asserts nothing of its own."""
from __future__ import annotations

import re

from ..models import Analysis, Exercise, LessonOut, ReadingGroup, ReadingStep, Statement
from .. import wording as W
from .gaps import Gaps
from ..models import number_list
from .lessons import _QUALIFIER_RX
from ..plan_paper import is_whole_paper
from .lessons import sentences_read
from .statements import label_mention, scaffold

QUESTIONS = 3


def reading_group(an: Analysis, lessons: list[LessonOut], exercises: list[Exercise]) -> ReadingGroup | None:
    by_level = {lv: [l for l in lessons if l.level == lv] for lv in ("beginner", "intermediate", "advanced")}
    if not by_level["beginner"] or not by_level["intermediate"]:
        return None
    chosen = _exercises(exercises)
    number = {e.id: k for k, e in enumerate(exercises, 1)}  # as the course numbers them: E1, E2, …
    last = _step(W.RG_EXERCISES if len(chosen) > 1 else W.RG_EXERCISE, 10, [], sorted(number[e.id] for e in chosen),
                 [e.id for e in chosen]) if chosen else \
        _step(W.RG_ADVANCED, 10, by_level["advanced"][:1])
    steps = [_step(W.RG_BEGIN, 10, by_level["beginner"]), _step(W.RG_PARTS, 25, by_level["intermediate"]), last,
             ReadingStep(minutes=15, what=scaffold(W.RG_DISCUSS), lesson_ids=[], exercise_ids=[])]
    read = {i for l in lessons for i in sentences_read(an, l)} if is_whole_paper(an) else None
    return ReadingGroup(minutes=sum(s.minutes for s in steps), steps=steps, questions=questions(an, read))


def _step(template: str, minutes: int, lessons: list[LessonOut], numbers: list[int] = (),
          exercise_ids: list[str] = ()) -> ReadingStep:
    if len(lessons) == 1:  # "Read lesson 1 together", not "lessons 1"
        template = template.replace("lessons {lessons}", "lesson {lessons}")
    text = template.format(lessons=number_list([l.number for l in lessons]), exercises=number_list(list(numbers)))
    return ReadingStep(minutes=minutes, what=scaffold(text), lesson_ids=[l.id for l in lessons],
                       exercise_ids=list(exercise_ids))


def _exercises(exercises: list[Exercise]) -> list[Exercise]:
    """Two exercises that ask for understanding: the argument retold, a claim taken apart."""
    picked = [next((e for e in exercises if e.kind == k), None) for k in ("argument", "unpack", "compare")]
    return [e for e in picked if e is not None][:2]


def questions(an: Analysis, read: set[int] | None = None) -> list[Statement]:
    """Discussion questions from the paper's own words: a gap, a condition, a qualifier; in a whole paper,
    from the sentences its lessons read (not a detail of its methods)."""
    src, out = an.paper.text, []
    for template, t in Gaps(an).found()[:1]:
        span = label_mention(src, t) or t.mentions[0]
        out.append(scaffold(W.RG_Q_GAP.format(absence=template.format(term=t.label)), [span]))
    for c in [c for c in an.conditions if read is None or c.sentence in read][:1]:
        cond = src[c.span[0]:c.span[1]]
        out.append(scaffold(W.RG_Q_CONDITION.format(n=an.sentence_ref(c.sentence), condition=cond[:1].lower() + cond[1:]), [c.span]))
    for s in (s for s in an.sentences if read is None or s.index in read):
        m = _QUALIFIER_RX.search(s.text)
        if m and len(out) < QUESTIONS and not s.text.rstrip().endswith("?"):  # a question the paper asks qualifies no claim
            # the qualifier with the words it qualifies: "up to logarithmic factors"
            said = re.match(r"(?:[^,.;:]|(?<=\d)[,.](?=\d))*", s.text[m.start():]).group(0).strip()  # "15,000" whole
            if len(said.split()) > 10 or said.count("(") != said.count(")"):
                continue  # the qualifier with the whole phrase it qualifies, or no question from it
            a = s.span[0] + m.start()
            out.append(scaffold(W.RG_Q_QUALIFIER.format(n=an.sentence_ref(s.index), words=" ".join(said.split())),
                                [(a, a + len(said))]))
            break
    for generic in (W.RG_Q_RESULT, W.RG_Q_NEXT):
        if len(out) < QUESTIONS:
            out.append(scaffold(generic))
    return out[:QUESTIONS]

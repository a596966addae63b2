"""schedule: what a learner's review queue holds and what they are told about it, as pure functions
over card states (the store reads and writes them).

Anki's rules, with FSRS as the scheduler: cards in learning come back within the session (an Again
is shown again a minute later, and when nothing else is left a learning card due within
LEARN_AHEAD is shown early); reviews and new cards are capped per day (the learner's own limits,
counted from midnight in their time zone); suspended, deleted and buried cards wait. FSRS runs
without fuzzing, so the interval a grade button promises is the one the grade gives.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LEARN_AHEAD = timedelta(minutes=20)
MATURE = timedelta(days=21)  # Anki's word for a card whose interval is three weeks or more
NEW_PER_DAY, REVIEWS_PER_DAY = 20, 200
GRADES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
LEARNING, REVIEW, RELEARNING = 1, 2, 3  # fsrs.State


def scheduler():
    from fsrs import Scheduler

    return Scheduler(enable_fuzzing=False)


def fresh_card(card_id: str, now: datetime):
    """A new FSRS card with an id of our own (without one, fsrs makes one from the clock and sleeps 1 ms)."""
    import hashlib

    from fsrs import Card

    return Card(card_id=int(hashlib.sha256(card_id.encode()).hexdigest()[:12], 16), due=now)


def reviewed(fsrs_json: str | None, card_id: str, rating: int, now: datetime):
    """The FSRS card after one grade (from its stored JSON, or new)."""
    from fsrs import Card, Rating

    card = Card.from_dict(json.loads(fsrs_json)) if fsrs_json else fresh_card(card_id, now)
    return scheduler().review_card(card, Rating(rating), now)[0]


def previews(fsrs_json: str | None, card_id: str, now: datetime) -> dict[int, str]:
    """Grade -> the interval it gives, in words ("1 min", "10 min", "3 d"): the labels of the grade buttons."""
    return {g: interval_label(reviewed(fsrs_json, card_id, g, now).due - now) for g in GRADES}


def interval_label(span: timedelta) -> str:
    seconds = max(span.total_seconds(), 60)
    for unit, size in (("y", 365 * 86400), ("mo", 30 * 86400), ("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            amount = seconds / size
            if unit in ("y", "mo") and amount < 10:
                return f"{amount:.1f} {unit}"
            return f"{round(amount)} {unit}"
    return "1 min"


@dataclass(frozen=True)
class CardState:
    """One card of one learner, as stored."""
    paper_key: str
    card_id: str
    fsrs: str
    due: datetime
    reps: int
    suspended: bool = False
    deleted: bool = False
    buried_until: datetime | None = None

    @property
    def state(self) -> int:
        return json.loads(self.fsrs).get("state", LEARNING)

    @property
    def interval(self) -> timedelta:
        last = json.loads(self.fsrs).get("last_review")
        return self.due - datetime.fromisoformat(last) if last else timedelta(0)

    def waiting(self, now: datetime) -> bool:
        """Kept out of the queue: suspended, deleted, or buried until a later day."""
        return self.suspended or self.deleted or (self.buried_until is not None and self.buried_until > now)


@dataclass(frozen=True)
class Limits:
    new_per_day: int = NEW_PER_DAY
    reviews_per_day: int = REVIEWS_PER_DAY


@dataclass(frozen=True)
class Today:
    """What the learner has already done today: new cards seen, review cards reviewed, and which."""
    new: int = 0
    reviews: int = 0
    cards: frozenset = frozenset()  # (paper key, card id) of every card reviewed today


@dataclass
class Queue:
    cards: list[tuple[str, str]] = field(default_factory=list)  # (paper key, card id), in the order shown
    new: int = 0
    learning: int = 0
    review: int = 0
    next_due: datetime | None = None  # when the next card not in the queue falls due
    soon: int = 0  # learning cards due within LEARN_AHEAD, behind the others: counted in learning and size
    held: int = 0  # new cards the day's limit had room for, waiting for another day beside a sibling

    @property
    def size(self) -> int:
        return len(self.cards) + self.soon


def build_queue(deck: list[tuple[str, str]], states: dict[tuple[str, str], CardState], now: datetime,
                limits: Limits = Limits(), today: Today = Today(), siblings: dict | None = None) -> Queue:
    """Learning cards due now, then reviews due (earliest first, up to the day's limit), then new cards
    in deck order (up to the day's limit); when none is left, a learning card due within LEARN_AHEAD.

    ``siblings``: each card's sentence of the paper. As Anki buries a note's sibling cards, a new card
    waits for another day when a card of its sentence was reviewed today or is already in the queue:
    two gaps cut from one sentence would each show the other's answer."""
    learning, due, unseen, later = [], [], [], []
    for key in deck:
        st = states.get(key)
        if st is not None and st.waiting(now):
            continue
        if st is None or st.reps == 0:
            unseen.append(key)
        elif st.due <= now:
            (learning if st.state in (LEARNING, RELEARNING) else due).append(key)
        else:
            later.append(key)
    by_due = lambda k: states[k].due  # noqa: E731 (stable: deck order among equals)
    learning.sort(key=by_due)
    due = sorted(due, key=by_due)[:max(0, limits.reviews_per_day - today.reviews)]
    siblings = siblings or {}
    taken = {siblings.get(k) for k in (*today.cards, *learning, *due)} - {None}
    new, held = [], 0
    for key in unseen:
        group = siblings.get(key)
        if group is None or group not in taken:
            new.append(key)
            taken.add(group)
        else:
            held += 1
    room = max(0, limits.new_per_day - today.new)
    new, held = new[:room], min(held, max(0, room - len(new)))
    later.sort(key=by_due)
    # a card just graded Again comes back within minutes: it is counted in learning from the start
    soon = [k for k in later if states[k].state in (LEARNING, RELEARNING) and states[k].due <= now + LEARN_AHEAD]
    if not (learning or due or new):
        learning, later, soon = soon, [k for k in later if k not in soon], []
    return Queue(cards=learning + due + new, new=len(new), learning=len(learning) + len(soon), review=len(due),
                 next_due=states[later[0]].due if later else None, soon=len(soon), held=held)


def spread(items: list, group_of: dict, apart: int = 3) -> list:
    """``items`` reordered so that two of one group (a sentence of the paper) stand at least ``apart``
    places apart where they can, and never side by side where that can be avoided: a quiz does not ask two
    gaps of one sentence in a row, each showing the other's answer. At each place, the item whose group
    was asked longest ago goes first, then the one whose group has most items left (else the tail is one
    group), then the earlier one."""
    left, out = list(items), []
    while left:
        remaining = Counter(group_of.get(i) for i in left)
        recent = [group_of.get(i) for i in out[-apart:]]

        def rank(i):
            g = group_of.get(i)
            since = apart if g is None or g not in recent else recent[::-1].index(g)  # 0: the last one placed
            return -since, -(remaining[g] if g is not None else 0), left.index(i)
        pick = min(left, key=rank)
        out.append(pick)
        left.remove(pick)
    return out


# -- days in the learner's time zone ---------------------------------------------------------------
def zone(name: str | None) -> ZoneInfo | timezone:
    try:
        return ZoneInfo(name) if name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False


def local_day(at: datetime, tz) -> date:
    return at.astimezone(tz).date()


def day_start(now: datetime, tz) -> datetime:
    """Midnight of the learner's today, as a UTC time."""
    return datetime.combine(local_day(now, tz), time(0), tzinfo=tz).astimezone(timezone.utc)


def next_day_start(now: datetime, tz) -> datetime:
    return datetime.combine(local_day(now, tz) + timedelta(days=1), time(0), tzinfo=tz).astimezone(timezone.utc)


def local_time(at: datetime, tz) -> str:
    """"2026-12-03 21:05" in the learner's time zone."""
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def streak(studied, now: datetime, tz, longest: int = 3650) -> int:
    """Days in a row with any study, up to today (or up to yesterday, when nothing is done yet today).
    ``studied(start, end)``: whether anything was done in that span (one day, as UTC times)."""
    today = local_day(now, tz)

    def on(day: date) -> bool:
        start = datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)
        return studied(start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(timezone.utc))
    day = today if on(today) else today - timedelta(days=1)
    count = 0
    while count < longest and on(day):
        count, day = count + 1, day - timedelta(days=1)
    return count


def per_day(times: list[datetime], tz) -> dict[date, int]:
    counts: dict[date, int] = {}
    for at in times:
        d = local_day(at, tz)
        counts[d] = counts.get(d, 0) + 1
    return counts


def forecast(states: list[CardState], now: datetime, tz, days: int = 14) -> list[tuple[date, int]]:
    """Cards falling due on each of the next ``days`` days (today counts what is due already)."""
    today = local_day(now, tz)
    counts = {today + timedelta(days=i): 0 for i in range(days)}
    for st in states:
        if st.suspended or st.deleted:
            continue
        d = max(local_day(st.due, tz), today)
        if d in counts:
            counts[d] += 1
    return sorted(counts.items())


def retention(ratings: list[int]) -> float | None:
    """The share of reviews of cards already learned that were not graded Again (Anki's "true retention")."""
    return sum(r > 1 for r in ratings) / len(ratings) if ratings else None

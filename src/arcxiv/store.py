"""store: what the web app remembers — compiled papers, learners, card schedules, answers.

SQLite in the user's data folder by default; any SQLAlchemy URL otherwise
(``postgresql://…`` is tested). A compiled paper is shared by content hash; who may open it is
each learner's library. Every review and answer is one transaction,
committed before the request is acknowledged; a review carries a client-made
id, so a retried request is applied once; a card's schedule is read with a
write lock (``BEGIN IMMEDIATE`` on SQLite, ``SELECT … FOR UPDATE`` on
PostgreSQL), so concurrent reviews of the same card queue instead of
overwriting each other.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import uuid
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta, timezone
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING

from sqlalchemy import (Boolean, Column, DateTime, Index, Integer, MetaData, String, Table, Text, UniqueConstraint,
                        case, create_engine, event, func, inspect, select, true, tuple_, union)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from .errors import ArcxivError

if TYPE_CHECKING:
    from .schedule import CardState, Today

meta = MetaData()
papers = Table("papers", meta,
               Column("key", String(128), primary_key=True),  # sha256 of the text : compiler version
               Column("title", Text, nullable=False),
               Column("curriculum", Text, nullable=False),
               Column("created_at", DateTime(timezone=True), nullable=False))
deep_dives = Table("deep_dives", meta,
                   Column("paper_key", String(128), primary_key=True),
                   Column("section_id", String(128), primary_key=True),
                   Column("body", Text, nullable=False))
learners = Table("learners", meta,
                 Column("id", Integer, primary_key=True, autoincrement=True),
                 Column("username", String(64), nullable=False, unique=True),
                 Column("password_hash", Text))
sessions = Table("sessions", meta,
                 Column("token", String(64), primary_key=True),
                 Column("learner_id", Integer, nullable=False),
                 Column("csrf", String(64), nullable=False),
                 Column("created_at", DateTime(timezone=True), nullable=False))
# who may open a paper: a compiled paper is shared by content hash, access to it is not
library = Table("library", meta,
                Column("learner_id", Integer, primary_key=True),
                Column("paper_key", String(128), primary_key=True),
                Column("added_at", DateTime(timezone=True), nullable=False),
                Column("title", Text),  # the learner's own name for the paper, if they renamed it
                Column("tags", Text))  # the learner's tags, space separated
settings = Table("settings", meta,  # server-wide values, e.g. the key that signs visitors' tokens
                 Column("name", String(64), primary_key=True),
                 Column("value", Text, nullable=False))
card_states = Table("card_states", meta,
                    Column("learner_id", Integer, primary_key=True),
                    Column("paper_key", String(128), primary_key=True),
                    Column("card_id", String(64), primary_key=True),
                    Column("fsrs", Text, nullable=False),
                    Column("due", DateTime(timezone=True), nullable=False),
                    Column("reps", Integer, nullable=False),
                    Column("suspended", Boolean),  # columns added later are nullable: NULL reads as false
                    Column("deleted", Boolean),
                    Column("buried_until", DateTime(timezone=True)))
reviews = Table("reviews", meta,
                Column("id", String(64), primary_key=True),
                Column("learner_id", Integer, nullable=False),
                Column("paper_key", String(128), nullable=False),
                Column("card_id", String(64), nullable=False),
                Column("rating", Integer, nullable=False),
                Column("reviewed_at", DateTime(timezone=True), nullable=False),
                Column("before", Text),  # the card's FSRS state before this review (NULL: it was new), for undo
                Column("due_before", DateTime(timezone=True)),
                Column("state_before", Integer))  # its FSRS state before (NULL: new): statistics read it
answers = Table("answers", meta,
                Column("id", String(64), primary_key=True),
                Column("learner_id", Integer, nullable=False),
                Column("paper_key", String(128), nullable=False),
                Column("item_id", String(64), nullable=False),
                Column("correct", Boolean, nullable=False),
                Column("answer", Text, nullable=False),
                Column("answered_at", DateTime(timezone=True), nullable=False),
                UniqueConstraint("id"))
# the latest answer to each quiz item, kept beside the answers (updated in the same transaction), so
# the quiz and progress pages read one row per item however many answers a learner has given
quiz_states = Table("quiz_states", meta,
                    Column("learner_id", Integer, primary_key=True),
                    Column("paper_key", String(128), primary_key=True),
                    Column("item_id", String(64), primary_key=True),
                    Column("answer_id", String(64), nullable=False),
                    Column("correct", Boolean, nullable=False),
                    Column("answered_at", DateTime(timezone=True), nullable=False))
own_cards = Table("own_cards", meta,  # cards a learner wrote for a paper
                  Column("id", String(64), primary_key=True),
                  Column("learner_id", Integer, nullable=False),
                  Column("paper_key", String(128), nullable=False),
                  Column("front", Text, nullable=False),
                  Column("back", Text, nullable=False),
                  Column("created_at", DateTime(timezone=True), nullable=False))
lesson_reads = Table("lesson_reads", meta,
                     Column("learner_id", Integer, primary_key=True),
                     Column("paper_key", String(128), primary_key=True),
                     Column("lesson_id", String(64), primary_key=True),
                     Column("read_at", DateTime(timezone=True), nullable=False))
learner_settings = Table("learner_settings", meta,  # time zone, daily limits
                         Column("learner_id", Integer, primary_key=True),
                         Column("name", String(64), primary_key=True),
                         Column("value", Text, nullable=False))
# a quiz taken one item at a time: the items still to come (missed ones come back once, at the end)
study_sessions = Table("study_sessions", meta,
                       Column("id", String(64), primary_key=True),
                       Column("learner_id", Integer, nullable=False),
                       Column("paper_key", String(128), nullable=False),
                       Column("items", Text, nullable=False),  # JSON: item ids in the order asked, retries appended
                       Column("position", Integer, nullable=False),
                       Column("results", Text, nullable=False),  # JSON: [item id, answer id, correct] per answer
                       Column("started_at", DateTime(timezone=True), nullable=False))
# a learner's progress is read on every quiz and progress page: these keep it from scanning all rows
INDEXES = (Index("reviews_by_learner", reviews.c.learner_id, reviews.c.paper_key),
           Index("answers_by_learner", answers.c.learner_id, answers.c.paper_key, answers.c.answered_at),
           Index("sessions_by_age", sessions.c.created_at),
           Index("reviews_by_time", reviews.c.learner_id, reviews.c.reviewed_at),
           Index("own_cards_by_learner", own_cards.c.learner_id, own_cards.c.paper_key))
SESSION_LIFETIME = timedelta(days=30)  # a login lasts this long (its cookie's Max-Age too), then ends
HISTORY = 50  # answers shown in a progress view, the most recent
# SQLite: with readers always active (a busy server) the write-ahead log is never started over and
# grows without end (26 MB in 10 minutes of load); every so many writes it is checkpointed and
# restarted, and kept to WAL_LIMIT bytes on disk
RESTART_EVERY = 500
WAL_LIMIT = 4 * 1024 * 1024

SINGLE_LEARNER = "me"


class StoreError(ArcxivError):
    """The database cannot be opened or used."""


class StaleReview(StoreError):
    """A grade given to a card as it was before a later review (a page kept open, or reached by Back)."""


class ReviewConflict(StoreError):
    """A review_id that was already used by a review of another card or learner."""


class AnswerConflict(StoreError):
    """An answer_id that was already used by an answer to another item or of another learner."""


def default_url() -> str:
    """SQLite in the user's data folder ($ARCXIV_DATA, else XDG_DATA_HOME or ~/.local/share)."""
    base = Path(os.environ.get("ARCXIV_DATA") or os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    folder = base if os.environ.get("ARCXIV_DATA") else base / "arcxiv"
    return f"sqlite:///{folder / 'arcxiv.db'}"


def _utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


class Store:
    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        self.engine = _engine(self.url)
        # reads need no write lock: on SQLite (WAL) they run beside a writer instead of queueing behind it
        self.reader = _engine(self.url, write=False) if self.url.startswith("sqlite") else self.engine
        self._dialect = self.engine.dialect.name
        try:
            had_quiz_states = inspect(self.engine).has_table(quiz_states.name)
            had_library = inspect(self.engine).has_table(library.name)
            meta.create_all(self.engine)
            _add_missing_columns(self.engine)
            for index in INDEXES:  # also on a database made before the index existed
                index.create(self.engine, checkfirst=True)
            if not had_quiz_states:  # a database made before the table existed: fill it from the answers
                with self.engine.begin() as c:  # (another process opening it at once may fill it too)
                    c.execute(self._insert(quiz_states).from_select(
                        ["learner_id", "paper_key", "item_id", "answer_id", "correct", "answered_at"],
                        _latest_answers()).on_conflict_do_nothing())
            if not had_library:  # a database made before libraries existed: see _first_libraries
                with self.engine.begin() as c:
                    c.execute(self._insert(library).from_select(["learner_id", "paper_key", "added_at"],
                                                                _first_libraries()).on_conflict_do_nothing())
        except Exception as e:  # a bad URL or an unreachable server: say which
            raise StoreError(f"cannot open the database {self.url.split('@')[-1]}: {e.__class__.__name__}: {e}") from None
        # SQLite has one writer at a time: threads queue here, in order, rather than in SQLite's busy
        # handler, which sleeps in growing steps (seconds of tail latency under load)
        self._write_lock = Lock() if self._dialect == "sqlite" else nullcontext()
        self._writes = 0

    @contextmanager
    def _writing(self):
        """One write transaction, committed (on disk) when the block ends."""
        with self._write_lock:
            with self.engine.begin() as c:
                yield c
            self._writes += 1
            if self._dialect == "sqlite" and self._writes % RESTART_EVERY == 0:
                self._restart_wal()

    def _restart_wal(self) -> None:
        """Checkpoint the log and wait (briefly) for readers to leave it, so the next write starts it over."""
        import sqlite3

        raw = self.engine.raw_connection()
        cur = raw.cursor()
        try:
            cur.execute("PRAGMA busy_timeout=2000")  # readers take milliseconds; never hold writers long
            cur.execute("PRAGMA wal_checkpoint(RESTART)")
        except sqlite3.Error:
            pass  # upkeep only: the next restart tries again
        finally:
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            raw.close()

    def _insert(self, table):
        return (postgresql.insert if self._dialect == "postgresql" else sqlite.insert)(table)

    # -- papers ----------------------------------------------------------------------------
    def get_paper(self, key: str) -> dict | None:
        with self.reader.connect() as c:
            row = c.execute(select(papers).where(papers.c.key == key)).mappings().first()
        return dict(row) if row else None

    def put_paper(self, key: str, title: str, curriculum_json: str) -> None:
        with self._writing() as c:
            c.execute(self._insert(papers).values(key=key, title=title, curriculum=curriculum_json,
                                                  created_at=datetime.now(timezone.utc)).on_conflict_do_nothing())

    def list_papers(self) -> list[dict]:
        """Every compiled paper, whoever added it (the compile cache, not a learner's library)."""
        with self.reader.connect() as c:
            rows = c.execute(select(papers.c.key, papers.c.title, papers.c.created_at)
                             .order_by(papers.c.created_at.desc(), papers.c.key)).mappings().all()
        return [dict(r) for r in rows]

    # -- libraries: the papers each learner added, the only ones they may open ------------------
    def add_to_library(self, learner_id: int, paper_key: str) -> None:
        with self._writing() as c:
            c.execute(self._insert(library).values(learner_id=learner_id, paper_key=paper_key,
                                                   added_at=datetime.now(timezone.utc)).on_conflict_do_nothing())

    def in_library(self, learner_id: int, paper_key: str) -> bool:
        with self.reader.connect() as c:
            return c.execute(select(library.c.paper_key).where(library.c.learner_id == learner_id,
                                                               library.c.paper_key == paper_key)).first() is not None

    def library(self, learner_id: int) -> list[dict]:
        """The learner's papers, the latest added first: key, title (theirs, if they renamed it), the
        compiled title, tags (a list) and when it was added."""
        with self.reader.connect() as c:
            rows = c.execute(select(papers.c.key, papers.c.title.label("compiled_title"), library.c.title,
                                    library.c.tags, library.c.added_at)
                             .join(library, library.c.paper_key == papers.c.key)
                             .where(library.c.learner_id == learner_id)
                             .order_by(library.c.added_at.desc(), papers.c.key)).mappings().all()
        return [{**r, "title": r["title"] or r["compiled_title"], "tags": (r["tags"] or "").split()} for r in rows]

    def set_library_entry(self, learner_id: int, paper_key: str, title: str | None, tags: list[str]) -> None:
        """The learner's own title (None: the paper's) and tags for a paper in their library."""
        with self._writing() as c:
            c.execute(library.update().where(library.c.learner_id == learner_id, library.c.paper_key == paper_key)
                      .values(title=title or None, tags=" ".join(tags) or None))

    def remove_from_library(self, learner_id: int, paper_key: str) -> bool:
        """Take a paper out of one learner's library with their schedule, reviews and answers for it,
        in one transaction; the compiled paper stays for everyone else who added it. False: not there."""
        with self._writing() as c:
            result = c.execute(library.delete().where(library.c.learner_id == learner_id,
                                                      library.c.paper_key == paper_key)
                               .execution_options(preserve_rowcount=True))
            if result.rowcount == 0:
                return False
            for table in (card_states, reviews, answers, quiz_states, own_cards, lesson_reads, study_sessions):
                c.execute(table.delete().where(table.c.learner_id == learner_id, table.c.paper_key == paper_key))
        return True

    def get_deep_dive(self, paper_key: str, section_id: str) -> str | None:
        with self.reader.connect() as c:
            return c.execute(select(deep_dives.c.body).where(deep_dives.c.paper_key == paper_key,
                                                             deep_dives.c.section_id == section_id)).scalar()

    def put_deep_dive(self, paper_key: str, section_id: str, body: str) -> None:
        with self._writing() as c:
            c.execute(self._insert(deep_dives).values(paper_key=paper_key, section_id=section_id, body=body)
                      .on_conflict_do_nothing())

    # -- learners and sessions ----------------------------------------------------------------
    def learner_id(self, username: str) -> int | None:
        with self.reader.connect() as c:
            return c.execute(select(learners.c.id).where(learners.c.username == username)).scalar()

    def username(self, learner_id: int) -> str | None:
        with self.reader.connect() as c:
            return c.execute(select(learners.c.username).where(learners.c.id == learner_id)).scalar()

    def single_learner(self) -> int:
        """The one learner of single-learner mode, made on first use."""
        with self._writing() as c:
            c.execute(self._insert(learners).values(username=SINGLE_LEARNER, password_hash=None).on_conflict_do_nothing())
        return self.learner_id(SINGLE_LEARNER)

    def create_learner(self, username: str, password: str) -> int:
        from argon2 import PasswordHasher

        with self._writing() as c:
            # preserve_rowcount: SQLAlchemy 2.1 on psycopg reports -1 for an INSERT otherwise, and a taken
            # name would then "sign up" into the existing account.
            result = c.execute(self._insert(learners).values(username=username, password_hash=PasswordHasher().hash(password))
                               .on_conflict_do_nothing().execution_options(preserve_rowcount=True))
            if result.rowcount == 0:
                raise ValueError("that user name is taken")
        return self.learner_id(username)

    def authenticate(self, username: str, password: str) -> int | None:
        from argon2 import PasswordHasher
        from argon2.exceptions import Argon2Error

        with self.reader.connect() as c:
            row = c.execute(select(learners.c.id, learners.c.password_hash).where(learners.c.username == username)).first()
        if row is None or not row.password_hash:
            PasswordHasher().hash(password)  # same work either way: no timing hint that a name exists
            return None
        try:
            PasswordHasher().verify(row.password_hash, password)
        except Argon2Error:
            return None
        return row.id

    def new_session(self, learner_id: int) -> tuple[str, str]:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = datetime.now(timezone.utc)
        with self._writing() as c:
            c.execute(sessions.delete().where(sessions.c.created_at < now - SESSION_LIFETIME))  # expired logins
            c.execute(sessions.insert().values(token=token, learner_id=learner_id, csrf=csrf, created_at=now))
        return token, csrf

    def secret(self, name: str) -> bytes:
        """A random key made on first use and kept in the database, so it outlives a restart."""
        with self._writing() as c:
            c.execute(self._insert(settings).values(name=name, value=secrets.token_hex(32)).on_conflict_do_nothing())
            return bytes.fromhex(c.execute(select(settings.c.value).where(settings.c.name == name)).scalar())

    def session(self, token: str) -> tuple[int, str] | None:
        """(learner, csrf) of a login that has not expired."""
        found = self.session_until(token)
        return found[:2] if found else None

    def session_until(self, token: str) -> tuple[int, str, datetime] | None:
        """(learner, csrf, when it expires) of a login that has not expired."""
        with self.reader.connect() as c:
            row = c.execute(select(sessions.c.learner_id, sessions.c.csrf, sessions.c.created_at)
                            .where(sessions.c.token == token)).first()
        if row is None or _utc(row.created_at) + SESSION_LIFETIME <= datetime.now(timezone.utc):
            return None
        return row.learner_id, row.csrf, _utc(row.created_at) + SESSION_LIFETIME

    def end_session(self, token: str) -> None:
        with self._writing() as c:
            c.execute(sessions.delete().where(sessions.c.token == token))

    # -- flashcard review (FSRS) --------------------------------------------------------------
    def due_cards(self, learner_id: int, paper_key: str, card_ids: list[str], now: datetime) -> list[str]:
        """Cards never reviewed, then those due by ``now`` (earliest first), in deck order among equals."""
        with self.reader.connect() as c:
            rows = c.execute(select(card_states.c.card_id, card_states.c.due)
                             .where(card_states.c.learner_id == learner_id, card_states.c.paper_key == paper_key)).all()
        due = {r.card_id: _utc(r.due) for r in rows}
        order = {cid: i for i, cid in enumerate(card_ids)}
        new = [cid for cid in card_ids if cid not in due]
        ready = sorted((cid for cid, d in due.items() if d <= now and cid in order), key=lambda cid: (due[cid], order[cid]))
        return new + ready

    def review(self, learner_id: int, paper_key: str, card_id: str, rating: int, now: datetime,
               review_id: str | None = None, seen_reps: int | None = None) -> dict:
        """Apply one review in one transaction; a repeated ``review_id`` is applied once. The state
        before it is kept with the review, so that it can be undone. With ``seen_reps`` (the card's
        review count on the page that graded it), a card reviewed since is left alone: StaleReview."""
        from .schedule import fresh_card, reviewed

        if rating not in (1, 2, 3, 4):
            raise ValueError("a grade is 1 (again), 2 (hard), 3 (good) or 4 (easy)")
        review_id = review_id or uuid.uuid4().hex
        with self._writing() as c:
            key = dict(learner_id=learner_id, paper_key=paper_key, card_id=card_id)
            c.execute(self._insert(card_states).values(**key, fsrs=json.dumps(fresh_card(card_id, now).to_dict()),
                                                       due=now, reps=0).on_conflict_do_nothing())
            row = c.execute(select(card_states.c.fsrs, card_states.c.due, card_states.c.reps).where(
                *(getattr(card_states.c, k) == v for k, v in key.items())).with_for_update()).first()
            # Only now, holding the card's lock, is "was this review applied?" a safe question: a retry
            # racing its original waits above, then sees the original's committed row.
            done = c.execute(select(reviews.c.learner_id, reviews.c.paper_key, reviews.c.card_id)
                             .where(reviews.c.id == review_id)).first()
            if done:
                if tuple(done) != (learner_id, paper_key, card_id):
                    raise ReviewConflict("that review_id was already used for another review; send a new one")
                return {"review_id": review_id, "due": _utc(row.due).isoformat(), "reps": row.reps, "repeated": True}
            if seen_reps is not None and seen_reps != row.reps:
                raise StaleReview(f"that card was reviewed since (it has {row.reps} reviews now, the page showed "
                                  f"{seen_reps}); nothing was changed")
            card = reviewed(row.fsrs, card_id, rating, now)
            c.execute(card_states.update().where(*(getattr(card_states.c, k) == v for k, v in key.items()))
                      .values(fsrs=json.dumps(card.to_dict()), due=card.due, reps=row.reps + 1))
            c.execute(reviews.insert().values(id=review_id, rating=rating, reviewed_at=now, **key,
                                              before=row.fsrs if row.reps else None, due_before=row.due,
                                              state_before=json.loads(row.fsrs)["state"] if row.reps else None))
        return {"review_id": review_id, "due": _utc(card.due).isoformat(), "reps": row.reps + 1, "repeated": False}

    def last_review(self, learner_id: int) -> dict | None:
        """The learner's latest review (the one Undo takes back), or None."""
        with self.reader.connect() as c:
            row = c.execute(select(reviews.c.id, reviews.c.paper_key, reviews.c.card_id, reviews.c.rating,
                                   reviews.c.reviewed_at).where(reviews.c.learner_id == learner_id)
                            .order_by(reviews.c.reviewed_at.desc(), reviews.c.id.desc()).limit(1)).mappings().first()
        return dict(row) if row else None

    def undo_review(self, learner_id: int, review_id: str) -> dict | None:
        """Take back one review: the card's state as it was before, the review gone. None when there is no
        such review of this learner (already undone)."""
        from .schedule import fresh_card

        with self._writing() as c:
            row = c.execute(select(reviews).where(reviews.c.id == review_id, reviews.c.learner_id == learner_id)
                            ).mappings().first()
            if row is None:
                return None
            where = (card_states.c.learner_id == learner_id, card_states.c.paper_key == row["paper_key"],
                     card_states.c.card_id == row["card_id"])
            # a card that was new is new again (its row stays: it may be suspended or buried)
            before = row["before"] or json.dumps(fresh_card(row["card_id"], _utc(row["due_before"])).to_dict())
            c.execute(card_states.update().where(*where).values(fsrs=before, due=row["due_before"],
                                                                reps=card_states.c.reps - 1))
            c.execute(reviews.delete().where(reviews.c.id == review_id))
        return {"paper_key": row["paper_key"], "card_id": row["card_id"]}

    def card_states(self, learner_id: int, paper_keys: list[str] | None = None) -> dict[tuple[str, str], CardState]:
        """(paper, card) -> its stored state, for the learner's papers (or the ones named)."""
        from .schedule import CardState

        query = select(card_states).where(card_states.c.learner_id == learner_id)
        if paper_keys is not None:
            query = query.where(card_states.c.paper_key.in_(paper_keys))
        with self.reader.connect() as c:
            rows = c.execute(query).mappings().all()
        return {(r["paper_key"], r["card_id"]): CardState(
            r["paper_key"], r["card_id"], r["fsrs"], _utc(r["due"]), r["reps"], bool(r["suspended"]),
            bool(r["deleted"]), _utc(r["buried_until"]) if r["buried_until"] else None) for r in rows}

    def done_since(self, learner_id: int, since: datetime) -> Today:
        """New cards first seen and review cards reviewed since ``since`` (the learner's midnight)."""
        from .schedule import Today

        with self.reader.connect() as c:
            rows = c.execute(select(reviews.c.paper_key, reviews.c.card_id,
                                    func.max(case((reviews.c.before.is_(None), 1), else_=0)).label("first"))
                             .where(reviews.c.learner_id == learner_id, reviews.c.reviewed_at >= since)
                             .group_by(reviews.c.paper_key, reviews.c.card_id)).all()
        new = sum(1 for r in rows if r.first)
        return Today(new=new, reviews=len(rows) - new, cards=frozenset((r.paper_key, r.card_id) for r in rows))

    def flag_card(self, learner_id: int, paper_key: str, card_id: str, now: datetime, **flags) -> None:
        """Suspend, delete or bury a card (or undo that): ``suspended``, ``deleted``, ``buried_until``."""
        from .schedule import fresh_card

        with self._writing() as c:
            key = dict(learner_id=learner_id, paper_key=paper_key, card_id=card_id)
            c.execute(self._insert(card_states).values(**key, fsrs=json.dumps(fresh_card(card_id, now).to_dict()),
                                                       due=now, reps=0).on_conflict_do_nothing())
            c.execute(card_states.update().where(*(getattr(card_states.c, k) == v for k, v in key.items()))
                      .values(**flags))

    def review_log(self, learner_id: int, since: datetime) -> list[dict]:
        """Every review since ``since``: when, the grade, and whether the card was already learned."""
        from .schedule import REVIEW

        with self.reader.connect() as c:
            rows = c.execute(select(reviews.c.reviewed_at, reviews.c.rating, reviews.c.state_before).where(
                reviews.c.learner_id == learner_id, reviews.c.reviewed_at >= since)).all()
        return [{"at": _utc(r.reviewed_at), "rating": r.rating, "learned": r.state_before == REVIEW} for r in rows]

    # -- cards a learner writes ----------------------------------------------------------------
    def add_own_card(self, learner_id: int, paper_key: str, front: str, back: str, now: datetime) -> str:
        card_id = "own-" + hashlib.sha256(f"{learner_id}\x1f{paper_key}\x1f{front}\x1f{back}".encode()).hexdigest()[:16]
        with self._writing() as c:
            c.execute(self._insert(own_cards).values(id=card_id, learner_id=learner_id, paper_key=paper_key, front=front,
                                                     back=back, created_at=now).on_conflict_do_nothing())
        return card_id

    def edit_own_card(self, learner_id: int, paper_key: str, card_id: str, front: str, back: str) -> bool:
        """A card of the learner's own, reworded; its schedule stays (as Anki keeps a note's when it is edited)."""
        with self._writing() as c:
            done = c.execute(own_cards.update().where(own_cards.c.id == card_id, own_cards.c.learner_id == learner_id,
                                                     own_cards.c.paper_key == paper_key).values(front=front, back=back))
        return done.rowcount == 1

    def own_cards(self, learner_id: int, paper_keys: list[str] | None = None) -> list[dict]:
        query = select(own_cards).where(own_cards.c.learner_id == learner_id)
        if paper_keys is not None:
            query = query.where(own_cards.c.paper_key.in_(paper_keys))
        with self.reader.connect() as c:
            return [dict(r) for r in c.execute(query.order_by(own_cards.c.created_at, own_cards.c.id)).mappings()]

    # -- lessons read, settings ------------------------------------------------------------------
    def mark_read(self, learner_id: int, paper_key: str, lesson_id: str, now: datetime) -> None:
        with self._writing() as c:
            c.execute(self._insert(lesson_reads).values(learner_id=learner_id, paper_key=paper_key, lesson_id=lesson_id,
                                                        read_at=now).on_conflict_do_nothing())

    def lessons_read(self, learner_id: int, paper_keys: list[str] | None = None) -> dict[tuple[str, str], datetime]:
        query = select(lesson_reads).where(lesson_reads.c.learner_id == learner_id)
        if paper_keys is not None:
            query = query.where(lesson_reads.c.paper_key.in_(paper_keys))
        with self.reader.connect() as c:
            return {(r.paper_key, r.lesson_id): _utc(r.read_at) for r in c.execute(query)}

    def settings(self, learner_id: int) -> dict[str, str]:
        with self.reader.connect() as c:
            return dict(c.execute(select(learner_settings.c.name, learner_settings.c.value)
                                  .where(learner_settings.c.learner_id == learner_id)).all())

    def set_settings(self, learner_id: int, values: dict[str, str]) -> None:
        with self._writing() as c:
            for name, value in values.items():
                row = self._insert(learner_settings).values(learner_id=learner_id, name=name, value=value)
                c.execute(row.on_conflict_do_update(index_elements=[learner_settings.c.learner_id,
                                                                    learner_settings.c.name],
                                                    set_={"value": row.excluded.value}))

    def studied_between(self, learner_id: int, start: datetime, end: datetime) -> bool:
        """Whether the learner reviewed, answered or read anything in [start, end): one day of a streak."""
        def any_in(table, column):
            return select(table.c.learner_id).where(table.c.learner_id == learner_id, column >= start,
                                                    column < end).limit(1).exists()
        with self.reader.connect() as c:
            return bool(c.execute(select(any_in(reviews, reviews.c.reviewed_at) | any_in(answers, answers.c.answered_at)
                                         | any_in(lesson_reads, lesson_reads.c.read_at))).scalar())

    # -- a quiz taken one item at a time -----------------------------------------------------------
    def new_study(self, learner_id: int, paper_key: str, item_ids: list[str], now: datetime) -> str:
        study_id = uuid.uuid4().hex
        with self._writing() as c:
            c.execute(study_sessions.insert().values(id=study_id, learner_id=learner_id, paper_key=paper_key,
                                                     items=json.dumps(item_ids), position=0, results="[]",
                                                     started_at=now))
        return study_id

    def study(self, learner_id: int, study_id: str) -> dict | None:
        with self.reader.connect() as c:
            row = c.execute(select(study_sessions).where(study_sessions.c.id == study_id,
                                                         study_sessions.c.learner_id == learner_id)).mappings().first()
        return _study(row) if row else None

    def study_answered(self, learner_id: int, study_id: str, item_id: str, answer_id: str, correct: bool) -> dict | None:
        """Move a session on past its current item, answered: a miss asked again at the end, once. An answer
        to another item than the current one (a form sent twice) moves nothing."""
        with self._writing() as c:
            row = c.execute(select(study_sessions).where(study_sessions.c.id == study_id,
                                                         study_sessions.c.learner_id == learner_id)
                            .with_for_update()).mappings().first()
            if row is None:
                return None
            s = _study(row)
            if s["position"] < len(s["items"]) and s["items"][s["position"]] == item_id \
                    and all(r[1] != answer_id for r in s["results"]):
                s["results"].append([item_id, answer_id, correct])
                if not correct and s["items"].count(item_id) == 1:
                    s["items"].append(item_id)
                s["position"] += 1
                c.execute(study_sessions.update().where(study_sessions.c.id == study_id).values(
                    items=json.dumps(s["items"]), position=s["position"], results=json.dumps(s["results"])))
        return s

    # -- quiz -------------------------------------------------------------------------------
    def record_answer(self, learner_id: int, paper_key: str, item_id: str, correct: bool, answer: str,
                      now: datetime, answer_id: str | None = None) -> bool:
        """Store one answer; False when ``answer_id`` was already stored (a retried request)."""
        answer_id = answer_id or uuid.uuid4().hex
        with self._writing() as c:
            result = c.execute(self._insert(answers).values(
                id=answer_id, learner_id=learner_id, paper_key=paper_key, item_id=item_id,
                correct=correct, answer=answer[:2000], answered_at=now).on_conflict_do_nothing()
                .execution_options(preserve_rowcount=True))
            if result.rowcount != 1:
                done = c.execute(select(answers.c.learner_id, answers.c.paper_key, answers.c.item_id)
                                 .where(answers.c.id == answer_id)).first()
                if done is not None and tuple(done) != (learner_id, paper_key, item_id):
                    raise AnswerConflict("that answer_id was already used for another answer; send a new one")
                return False
            latest = self._insert(quiz_states).values(learner_id=learner_id, paper_key=paper_key, item_id=item_id,
                                                      answer_id=answer_id, correct=correct, answered_at=now)
            # the same order as _latest_answers: the latest time, then the greatest id
            c.execute(latest.on_conflict_do_update(
                index_elements=[quiz_states.c.learner_id, quiz_states.c.paper_key, quiz_states.c.item_id],
                set_={"answer_id": latest.excluded.answer_id, "correct": latest.excluded.correct,
                      "answered_at": latest.excluded.answered_at},
                where=tuple_(latest.excluded.answered_at, latest.excluded.answer_id)
                > tuple_(quiz_states.c.answered_at, quiz_states.c.answer_id)))
        return True

    def answer(self, answer_id: str) -> dict | None:
        """One stored answer: whether it was right and what was given (as JSON)."""
        with self.reader.connect() as c:
            row = c.execute(select(answers.c.item_id, answers.c.correct, answers.c.answer, answers.c.learner_id,
                                   answers.c.paper_key)
                            .where(answers.c.id == answer_id)).mappings().first()
        return {**row, "correct": bool(row["correct"])} if row else None

    def latest_answer(self, learner_id: int, paper_key: str, item_id: str) -> dict | None:
        """The learner's latest answer to one quiz item, or None."""
        with self.reader.connect() as c:
            answer_id = c.execute(select(quiz_states.c.answer_id).where(
                quiz_states.c.learner_id == learner_id, quiz_states.c.paper_key == paper_key,
                quiz_states.c.item_id == item_id)).scalar()
        return self.answer(answer_id) if answer_id else None

    # -- progress ---------------------------------------------------------------------------
    def progress(self, learner_id: int, paper_key: str, now: datetime) -> dict:
        """Card states, the number of reviews, the latest answer's correctness per quiz item and
        the HISTORY most recent answers (oldest first)."""
        mine = (answers.c.learner_id == learner_id, answers.c.paper_key == paper_key)
        with self.reader.connect() as c:
            states = c.execute(select(card_states.c.card_id, card_states.c.due, card_states.c.reps).where(
                card_states.c.learner_id == learner_id, card_states.c.paper_key == paper_key)).all()
            review_count = c.execute(select(func.count()).select_from(reviews).where(
                reviews.c.learner_id == learner_id, reviews.c.paper_key == paper_key)).scalar()
            recent = c.execute(select(answers.c.item_id, answers.c.correct, answers.c.answered_at).where(*mine)
                               .order_by(answers.c.answered_at.desc(), answers.c.id.desc()).limit(HISTORY)).all()
        return {"cards": {r.card_id: {"due": _utc(r.due).isoformat(), "reps": r.reps, "is_due": _utc(r.due) <= now}
                          for r in states},
                "reviews": review_count,
                "latest": self.latest_answers(learner_id, paper_key),
                "answers": [{"item_id": h.item_id, "correct": bool(h.correct), "at": _utc(h.answered_at).isoformat()}
                            for h in reversed(recent)]}

    def latest_answers(self, learner_id: int, paper_key: str) -> dict[str, bool]:
        """Whether each quiz item's most recent answer was right."""
        with self.reader.connect() as c:
            rows = c.execute(select(quiz_states.c.item_id, quiz_states.c.correct).where(
                quiz_states.c.learner_id == learner_id, quiz_states.c.paper_key == paper_key)).all()
        return {r.item_id: bool(r.correct) for r in rows}

    def counts(self) -> dict[str, int]:
        """Rows per table (for tests and the load benchmark)."""
        with self.reader.connect() as c:
            return {t.name: c.execute(select(func.count()).select_from(t)).scalar() for t in (reviews, answers, papers)}


def _study(row) -> dict:
    return {"id": row["id"], "paper_key": row["paper_key"], "items": json.loads(row["items"]), "position": row["position"],
            "results": json.loads(row["results"]), "started_at": _utc(row["started_at"])}


def _latest_answers():
    """The latest answer to each item of each learner, from the answers table (to fill quiz_states)."""
    rank = func.row_number().over(partition_by=(answers.c.learner_id, answers.c.paper_key, answers.c.item_id),
                                  order_by=(answers.c.answered_at.desc(), answers.c.id.desc())).label("rank")
    ranked = select(answers.c.learner_id, answers.c.paper_key, answers.c.item_id, answers.c.id, answers.c.correct,
                    answers.c.answered_at, rank).subquery()
    return select(ranked.c.learner_id, ranked.c.paper_key, ranked.c.item_id, ranked.c.id, ranked.c.correct,
                  ranked.c.answered_at).where(ranked.c.rank == 1)


def _first_libraries():
    """Who gets which paper when libraries are new: each learner the papers they reviewed or answered,
    and the one learner of single-learner mode every paper (they could open all of them before)."""
    used = union(select(card_states.c.learner_id, card_states.c.paper_key),
                 select(answers.c.learner_id, answers.c.paper_key)).subquery()
    by_use = select(used.c.learner_id, papers.c.key, papers.c.created_at).join(used, used.c.paper_key == papers.c.key)
    single = select(learners.c.id, papers.c.key, papers.c.created_at).join(papers, true()) \
        .where(learners.c.username == SINGLE_LEARNER)
    return union(by_use, single)


def _add_missing_columns(engine: Engine) -> None:
    """Columns added to a table after a database was made (all nullable), added to that database."""
    tables = inspect(engine)
    for table in meta.sorted_tables:
        have = {c["name"] for c in tables.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have:
                kind = column.type.compile(engine.dialect)
                try:
                    with engine.begin() as c:
                        c.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
                except Exception:  # another process opening the database added it first
                    if column.name not in {c["name"] for c in inspect(engine).get_columns(table.name)}:
                        raise


def _engine(url: str, write: bool = True) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"cannot create the folder for {path}: {e.strerror}") from None
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")  # a commit is on disk before we answer
            cur.execute("PRAGMA busy_timeout=30000")
            # each pooled connection keeps its own page cache (2 MB by default): with a dozen of them
            # the server grew by tens of MB as the database grew; the OS caches the file anyway
            cur.execute("PRAGMA cache_size=-512")
            cur.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # writers take the write lock before reading a schedule; readers read a snapshot
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    try:
        return create_engine(url, pool_pre_ping=True)
    except Exception as e:
        raise StoreError(f"cannot use the database URL: {e}") from None

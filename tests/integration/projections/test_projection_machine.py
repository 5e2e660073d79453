"""The read models under a random run of the yearly cycle, on each backend: a state machine.

Each example starts from an empty database (an SQLite file, or a PostgreSQL schema of its
own) holding the small province of tests/world.py, plus a second index (SIPAS_UNIT, led
by STTTT), a 2025 cycle and a rule set v2 that counts both indices; the 2024 cycle is
under way (PAR_UNIT published, every head computed, some decided), served by one process
or by two that take the commands in turn. Then hypothesis runs steps: units file
documents and staff rules, lead departments publish, correct and send index results, SNV
computes heads' ratings from the current results (`gather_inputs`, `evaluate`), the
committee decides (sometimes differing, with a reason), units appeal, appeals are upheld
or revised, heads publish individual ratings, an envelope is sent again, time passes,
the views are rebuilt in place, a process restarts (its Ledger and views closed, new
ones opened on the same database), a second one starts or stops. After every append the
acting process catches its views up, as the web does.

The model predicts, from the domain rules, whether each command is accepted or refused
and with which error; many commands are built to be refused. A refused command must
change nothing: the same head, nothing to catch up, the same dump.

After every step:

- the views stand at the ledger's head, and rebuilding from zero (a replay at the head,
  into a throwaway store) dumps the very bytes the incrementally kept views dump;
- every rating is there with the level and status the model expects; a head's names its
  rule set version (issued in the ledger) and the inputs and missing indices of its
  current computation, and SNV's compilation calls it consistent exactly when
  `gather_inputs` on the ledger today gives those same inputs;
- nothing superseded disappears: every level ever given to a rating is in its chain, in
  order, with its rule set or reason; every version of a submission (the filing and each
  correction) is counted and in its history; and every entry appended so far is in the
  history of its subject and of the unit that signed it, and nothing else is.
"""

from __future__ import annotations

import functools
import itertools
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from backends import LOG_SIGNER
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from world import PDF, World

from ledger.application import Ledger
from ledger.domain.handlers import Lookup, gather_inputs
from ledger.domain.local_time import LOCAL_TIME
from ledger.domain.ratings import RuleSet
from ledger.domain.records import Record
from ledger.domain.registry import AUTHORITY_UNIT
from ledger.domain.rules import ILLUSTRATIVE_PARAMETERS, LEVELS, NOT_EVALUATED, evaluate
from ledger.errors import (
    DuplicateError,
    LedgerError,
    NotAuthorizedError,
    NotFoundError,
    PayloadError,
    ReplayError,
    RuleError,
)
from ledger.signing.envelope import Author, Envelope
from ledger.storage.config import persistence_env
from ledger.storage.documents import DocumentStore
from projections import Views, catch_up, open_views, rebuild, replay

#: Examples per backend and steps per example: the whole file runs in a minute or two.
MACHINE_SETTINGS = settings(
    max_examples=20,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

#: The units of tests/world.py with their heads, and the officers who are not heads.
HEADS = {
    "UBND-TINH": "ubnd.chu-tich",
    "SNV": "snv.giam-doc",
    "STTTT": "stttt.giam-doc",
    "STC": "stc.giam-doc",
    "323": "hy.chu-tich",
    "325": "vl.chu-tich",
}
STAFF = {"SNV": "snv.chuyen-vien", "323": "hy.chuyen-vien"}
UNITS = tuple(HEADS)
#: The rated units: departments and districts, which both indices measure.
CLASSES = {"SNV": "department", "STTTT": "department", "STC": "department", "323": "district", "325": "district"}
RATED = tuple(CLASSES)
LEADS = {"PAR_UNIT": "SNV", "SIPAS_UNIT": "STTTT"}
YEARS = (2024, 2025)  # the cycles opened
RULESETS = ("v1", "v2")
#: Published scores: no two are equal as decimals, so a replacement differs when its text does.
SCORES = ("66.5", "72.25", "79.5", "84.0", "88.0", "91.5", "95.0")
PEOPLE = ("nguyen.van.a", "tran.thi.b")
RESOLUTION = "QĐ 3120/QĐ-UBND"  # the decision of every appeal's resolution

#: The registry is recorded on 2 January 2024; the machine's clock starts a week before
#: the 2024 deadlines (results before 01/11, sent by 05/11, ratings before 15/11).
FOUNDED = datetime(2024, 1, 2, 1, 0, tzinfo=UTC)
CYCLE_CLOCK = datetime(2024, 10, 25, 9, 0, tzinfo=LOCAL_TIME).astimezone(UTC)
STEP = timedelta(hours=5)


def actor_of(unit: str) -> str:
    """The history subject of the acting unit: ``unit/<code>``, or ``authority`` for the root key."""
    return AUTHORITY_UNIT if unit == AUTHORITY_UNIT else f"unit/{unit}"


@functools.cache
def founding() -> tuple[tuple[Envelope, ...], dict[str, Author]]:
    """The signed registry every example starts from (signed once, appended to each new database)."""
    scratch = Ledger()
    world = World.build(scratch)
    world.append(
        "root",
        "index.define",
        "index/SIPAS_UNIT",
        {
            "name": "Chỉ số hài lòng về sự phục vụ hành chính",
            "lead": "STTTT",
            "classes": ["department", "district"],
            "level": "unit",
            "scale": {"maximum": "100", "unit": "percent"},
            "legal_basis": "Art.4(1)(a)",
        },
    )
    world.append(
        "snv.giam-doc",
        "cycle.open",
        "cycle/2025",
        {
            "deadlines": {
                "results_published": "2025-11-01",
                "results_transmitted": "2025-11-05",
                "ratings_published": "2025-11-15",
            }
        },
    )
    world.append(
        "ubnd.chu-tich",
        "ruleset.issue",
        "ruleset/v2",
        {
            "legal_basis": "QĐ 01/2023/QĐ-UBND, Điều 5 (minh hoạ, sửa đổi)",
            "illustrative": True,
            "description": "Quy tắc minh hoạ B3, hai chỉ số",
            "parameters": {**ILLUSTRATIVE_PARAMETERS, "top_share_percent": 40, "htt_min_percent": "75"},
            "indices": {"department": ["PAR_UNIT", "SIPAS_UNIT"], "district": ["PAR_UNIT", "SIPAS_UNIT"]},
        },
    )
    envelopes = tuple(entry.envelope for entry in scratch.entries())
    scratch.close()
    return envelopes, dict(world.authors)


def results(scores: dict[str, str]) -> list[dict[str, Any]]:
    """Result rows in the units' order, with competition ranks within each unit class."""
    from decimal import Decimal

    rows = []
    for unit in RATED:
        if unit in scores:
            peers = [Decimal(s) for u, s in scores.items() if CLASSES[u] == CLASSES[unit]]
            rank = 1 + sum(1 for other in peers if other > Decimal(scores[unit]))
            rows.append({"unit": unit, "score": scores[unit], "rank": rank})
    return rows


class _Get(Lookup):
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def get(self, subject: str) -> Record | None:
        return self.ledger.get(subject)


# The model ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Logged:
    """An accepted entry: where the history must file it."""

    seq: int
    subject: str
    statement_type: str
    actor: str


@dataclass(frozen=True)
class Level:
    """One level given to a rating, as its chain must keep it."""

    seq: int
    level: str
    how: str
    ruleset: str | None = None
    reason: str | None = None


@dataclass
class RatingModel:
    kind: str  # head or individual
    year: int
    unit: str
    levels: list[Level] = field(default_factory=list)  # every level ever given
    computed: str | None = None
    decided: str | None = None
    ruleset: str | None = None
    inputs: list[dict[str, Any]] | None = None
    missing: list[str] | None = None
    rule: str | None = None
    appeals: int = 0
    appeal_open: bool = False
    revision: str | None = None  # the level an appeal's revision set, in force until a decision overrides it
    in_force: Level | None = None

    def give(self, given: Level) -> None:
        """A level joins the chain; a computation does not displace an appeal's revision."""
        self.levels.append(given)
        if given.how != "computed" or self.revision is None:
            self.in_force = given

    @property
    def level(self) -> str:
        assert self.in_force is not None
        return self.in_force.level

    @property
    def status(self) -> str:
        return "under_appeal" if self.appeal_open else self.levels[-1].how


@dataclass
class SubmissionModel:
    kind: str
    unit: str  # who filed it: the lead department for results, the unit itself otherwise
    year: int
    index: str | None
    body: dict[str, Any]  # the version in force
    versions: list[int]  # the filing's seq, then each correction's
    transmitted: int | None = None


@dataclass
class Model:
    entries: list[Logged] = field(default_factory=list)
    ratings: dict[str, RatingModel] = field(default_factory=dict)
    submissions: dict[str, SubmissionModel] = field(default_factory=dict)
    envelopes: list[Envelope] = field(default_factory=list)


# The databases and the processes -----------------------------------------------------------


class Database:
    """An empty database of its own for one example: an SQLite file or a PostgreSQL schema."""

    def __init__(self, database_url: str, folder: Path) -> None:
        name = uuid.uuid4().hex[:12]
        self.base = database_url.partition("?")[0]
        self.schema: str | None = None
        self.path: Path | None = None
        if database_url.startswith("sqlite"):
            self.path = folder / f"machine-{name}.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            self.schema = f"m_{name}"
            with psycopg.connect(self.base, autocommit=True) as connection:
                connection.execute(f'CREATE SCHEMA "{self.schema}"')
            self.url = f"{self.base}?schema={self.schema}"

    def drop(self) -> None:
        if self.schema is not None:
            with psycopg.connect(self.base, autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA "{self.schema}" CASCADE')
        elif self.path is not None:
            for path in self.path.parent.glob(self.path.name + "*"):
                path.unlink()


@dataclass
class Process:
    """One process of the app: its Ledger and its views, on the shared database."""

    ledger: Ledger
    views: Views

    @classmethod
    def start(cls, url: str, documents: DocumentStore) -> Process:
        ledger = Ledger(env=persistence_env(url), documents=documents, log_signer=LOG_SIGNER)
        return cls(ledger, open_views(ledger))

    def close(self) -> None:
        self.views.close()
        self.ledger.close()


# The machine -------------------------------------------------------------------------------


class ProjectionMachine(RuleBasedStateMachine):
    """Commands in, views checked against a rebuild, the model and the ledger after every step."""

    def __init__(self, database_url: str, folder: Path, documents: DocumentStore) -> None:
        super().__init__()
        self.database = Database(database_url, folder)
        self.documents = documents
        self.processes = [Process.start(self.database.url, documents)]
        self.active = 0
        self.nonces = itertools.count(1)
        self.decisions = itertools.count(100)
        self.model = Model()
        envelopes, self.authors = founding()
        for n, envelope in enumerate(envelopes):
            self.ledger.append(envelope, recorded_at=FOUNDED + timedelta(minutes=n))
        catch_up(self.ledger, self.views)
        for entry in self.ledger.entries():
            statement = entry.envelope.statement
            self.model.entries.append(Logged(entry.seq, statement.subject, statement.type, actor_of(statement.unit)))
        self.clock = CYCLE_CLOCK
        self.touched: set[str] = set()  # subjects and units whose history changed since the last check
        self.sweep_all = True
        self.checks = 0
        self.step = 0  # counts the commands and app events, so the invariants share one dump per step
        self.dumped: tuple[int, bytes] | None = None

    def teardown(self) -> None:
        for process in self.processes:
            process.close()
        self.database.drop()

    @property
    def ledger(self) -> Ledger:
        return self.processes[self.active].ledger

    @property
    def views(self) -> Views:
        return self.processes[self.active].views

    # Appending ----------------------------------------------------------------------------

    def sign(self, signer: str, statement_type: str, subject: str, body: dict[str, Any]) -> Envelope:
        self.clock += STEP
        nonce = f"{next(self.nonces):032x}"
        return self.authors[signer].sign(statement_type, subject, body, client_time=self.clock, nonce=nonce)

    def append(self, envelope: Envelope, refusal: type[LedgerError] | None) -> int | None:
        """Append; check the model's verdict; a refusal changes nothing; catch the views up.

        Returns the accepted entry's sequence number (None if refused, as the model said).
        """
        self.step += 1
        if len(self.processes) == 2:  # two processes behind a load balancer: they take commands in turn
            self.active = 1 - self.active
        statement = envelope.statement
        what = f"{statement.type} {statement.subject} by {statement.officer}"
        head = self.ledger.ledger_recorder.max_seq()
        before = self.views.dump() if refusal is not None else None  # (if accepted instead, it fails anyway)
        refused: LedgerError | None = None
        try:
            receipt = self.ledger.append(envelope, recorded_at=self.clock)
        except LedgerError as exc:
            refused = exc
        if refused is not None:
            expected = refusal.__name__ if refusal else "acceptance"
            reason = f"{what} was refused ({type(refused).__name__}: {refused}); expected {expected}"
            assert refusal is not None, reason
            assert isinstance(refused, refusal), reason
            assert self.ledger.ledger_recorder.max_seq() == head
            assert catch_up(self.ledger, self.views) == 0
            assert self.views.dump() == before
            return None
        assert refusal is None, f"{what} was accepted as entry {receipt.seq}; expected {refusal.__name__}"
        assert receipt.seq == head + 1
        logged = Logged(receipt.seq, statement.subject, statement.type, actor_of(statement.unit))
        self.model.entries.append(logged)
        self.model.envelopes.append(envelope)
        self.touched.update((logged.subject, logged.actor))
        assert catch_up(self.ledger, self.views) == 1
        return receipt.seq

    def dump(self) -> bytes:
        """The views' dump after this step (taken once, shared by the invariants)."""
        if self.dumped is None or self.dumped[0] != self.step:
            self.dumped = (self.step, self.views.dump())
        return self.dumped[1]

    def document(self, name: str) -> dict[str, Any]:
        """A stored PDF (different bytes each time) and its reference."""
        data = PDF + f"% {uuid.uuid4().hex}\n".encode()
        return self.documents.put(data, name).to_json()

    def other_unit(self, unit: str) -> str:
        return next(u for u in UNITS if u != unit)

    def pick(self, data: st.DataObject, preferred: list[str], label: str) -> str:
        """A rating the command applies to (three times in four, if there is one), or any rating."""
        if preferred and data.draw(st.integers(0, 3), label=f"{label} it applies to"):
            return data.draw(st.sampled_from(sorted(preferred)), label=label)
        return data.draw(st.sampled_from(sorted(self.model.ratings)), label=label)

    # A cycle under way --------------------------------------------------------------------

    @initialize(
        scores=st.dictionaries(st.sampled_from(RATED), st.sampled_from(SCORES), min_size=2),
        decided=st.sets(st.sampled_from(RATED), min_size=1),
        processes=st.sampled_from((1, 1, 2)),
    )
    def a_cycle_under_way(self, scores: dict[str, str], decided: set[str], processes: int) -> None:
        """PAR_UNIT 2024 is published, every head computed under v1, some decided; one or two processes."""
        if processes == 2:
            self.processes.append(Process.start(self.database.url, self.documents))
        self.publish("PAR_UNIT", 2024, scores, "ok")
        for unit in RATED:
            self.compute(unit, 2024, "v1", "ok")
        for unit in sorted(decided):
            computed = self.model.ratings[f"rating/2024/{unit}"].computed
            if computed in LEVELS:
                self.decide_as(f"rating/2024/{unit}", computed, "same")
            else:
                self.decide_as(f"rating/2024/{unit}", "HT", "differ")

    # Submissions --------------------------------------------------------------------------

    @rule(
        kind=st.sampled_from(("document", "staff-rule")),
        unit=st.sampled_from(UNITS),
        year=st.sampled_from((*YEARS, *YEARS, 2026)),
        ref=st.sampled_from(("bao-cao", "ke-hoach")),
        by_other=st.sampled_from((False, False, False, True)),
    )
    def submit(self, kind: str, unit: str, year: int, ref: str, by_other: bool) -> None:
        """A unit files a document or its staff rule for a year (another unit cannot file for it)."""
        if kind == "document":
            subject = f"submission/document/{unit}/{year}/{ref}"
            body = {"title": f"Báo cáo {ref} năm {year}", "issued_on": f"{year}-03-01"}
        else:
            subject = f"submission/staff-rule/{unit}/{year}"
            body = {"title": "Quy định đánh giá cá nhân", "decision": "QĐ 7/QĐ-UBND", "issued_on": f"{year}-03-01"}
        body["document"] = self.document(f"{ref}.pdf")
        signer = HEADS[self.other_unit(unit) if by_other else unit]
        refusal: type[LedgerError] | None = None
        if year not in YEARS:
            refusal = RuleError  # no cycle was opened for that year
        elif by_other:
            refusal = NotAuthorizedError
        elif subject in self.model.submissions:
            refusal = DuplicateError
        seq = self.append(self.sign(signer, f"submission.{kind}", subject, body), refusal)
        if seq is not None:
            self.model.submissions[subject] = SubmissionModel(kind, unit, year, None, body, [seq])

    @rule(
        index=st.sampled_from(tuple(LEADS)),
        year=st.sampled_from(YEARS),
        scores=st.dictionaries(st.sampled_from(RATED), st.sampled_from(SCORES), min_size=1),
        variant=st.sampled_from(("ok", "ok", "ok", "wrong_rank", "not_lead")),
    )
    def publish(self, index: str, year: int, scores: dict[str, str], variant: str) -> None:
        """The lead department publishes an index's results for a year (once; then it corrects them)."""
        subject = f"submission/index-results/{index}/{year}"
        rows = results(scores)
        if variant == "wrong_rank":
            rows[0]["rank"] += 1
        body = {
            "measured_year": year,
            "decision": f"QĐ {next(self.decisions)}/QĐ-UBND",
            "published_on": f"{year}-10-01",
            "results": rows,
        }
        signer = HEADS["STC" if variant == "not_lead" else LEADS[index]]
        refusal: type[LedgerError] | None = None
        if variant == "not_lead":
            refusal = NotAuthorizedError
        elif variant == "wrong_rank":
            refusal = PayloadError
        elif subject in self.model.submissions:
            refusal = DuplicateError
        seq = self.append(self.sign(signer, "submission.index-results", subject, body), refusal)
        if seq is not None:
            self.model.submissions[subject] = SubmissionModel("index-results", LEADS[index], year, index, body, [seq])

    @precondition(lambda self: self.model.submissions)
    @rule(
        data=st.data(),
        signer=st.sampled_from(("owner", "owner", "root", "other")),
        change=st.sampled_from(("new", "new", "new", "same", "no_decision")),
    )
    def correct(self, data: st.DataObject, signer: str, change: str) -> None:
        """The filing unit (or the authority) supersedes a submission, with a reason and a decision."""
        subject = data.draw(st.sampled_from(sorted(self.model.submissions)), label="submission")
        submission = self.model.submissions[subject]
        results_ = submission.kind == "index-results"
        replacement = dict(submission.body)
        if change != "same":
            if results_:
                scores = data.draw(st.dictionaries(st.sampled_from(RATED), st.sampled_from(SCORES), min_size=1))
                replacement["results"] = results(scores)
                replacement["decision"] = f"QĐ {next(self.decisions)}/QĐ-UBND"
            else:
                replacement["title"] = f"{submission.body['title']} (sửa đổi {next(self.decisions)})"
                replacement["document"] = self.document("sua-doi.pdf")
        body: dict[str, Any] = {"reason": "Sai sót khi tổng hợp", "replacement": replacement}
        if change != "no_decision":
            body["decision"] = f"QĐ {next(self.decisions)}/QĐ-UBND"
        who = {"owner": HEADS[submission.unit], "root": "root", "other": HEADS[self.other_unit(submission.unit)]}
        refusal: type[LedgerError] | None = None
        if signer == "other":
            refusal = NotAuthorizedError
        elif change == "no_decision" and results_:
            refusal = PayloadError  # published results are corrected only on a decision's authority
        elif change == "same":
            refusal = RuleError  # identical to the version in force
        seq = self.append(self.sign(who[signer], "submission.correct", subject, body), refusal)
        if seq is not None:
            submission.body = replacement
            submission.versions.append(seq)

    @precondition(lambda self: self.model.submissions)
    @rule(data=st.data())
    def transmit(self, data: st.DataObject) -> None:
        """The lead department sends its published results to SNV (once; nothing else is sent)."""
        subject = data.draw(st.sampled_from(sorted(self.model.submissions)), label="submission")
        submission = self.model.submissions[subject]
        refusal = None if submission.kind == "index-results" and submission.transmitted is None else RuleError
        seq = self.append(self.sign(HEADS[submission.unit], "submission.transmit", subject, {}), refusal)
        if seq is not None:
            submission.transmitted = seq

    # Ratings ------------------------------------------------------------------------------

    @rule(
        unit=st.sampled_from((*RATED, *RATED, "UBND-TINH")),
        year=st.sampled_from(YEARS),
        ruleset=st.sampled_from(RULESETS),
        variant=st.sampled_from(("ok", "ok", "ok", "ok", "wrong_level", "not_snv")),
    )
    def compute(self, unit: str, year: int, ruleset: str, variant: str) -> None:
        """SNV computes (or recomputes) a head's rating from the results in the ledger now."""
        subject = f"rating/{year}/{unit}"
        rules = self.ledger.get(f"ruleset/{ruleset}")
        assert isinstance(rules, RuleSet)
        inputs, missing = gather_inputs(_Get(self.ledger), year, unit, rules)
        level = evaluate(rules.parameters, inputs, missing).level
        if variant == "wrong_level":
            choices = (*LEVELS, NOT_EVALUATED)
            level = choices[(choices.index(level) + 1) % len(choices)]
        body = {
            "officer": HEADS[unit],
            "ruleset": ruleset,
            "inputs": [i.to_json() for i in inputs],
            "missing": list(missing),
            "level": level,
        }
        current = self.model.ratings.get(subject)
        refusal: type[LedgerError] | None = None
        if variant == "not_snv":
            refusal = NotAuthorizedError
        elif unit not in RATED:
            refusal = RuleError  # the province is not a rated unit
        elif variant == "wrong_level":
            refusal = PayloadError
        elif current is not None and current.status == "under_appeal":
            refusal = RuleError
        signer = HEADS["STC"] if variant == "not_snv" else STAFF["SNV"]
        seq = self.append(self.sign(signer, "rating.compute", subject, body), refusal)
        if seq is None:
            return
        if current is None:
            current = self.model.ratings[subject] = RatingModel("head", year, unit)
        current.give(Level(seq, level, "computed", ruleset=ruleset))
        current.computed, current.decided, current.ruleset = level, None, ruleset
        current.inputs, current.missing = body["inputs"], body["missing"]

    @precondition(lambda self: self.model.ratings)
    @rule(
        data=st.data(),
        variant=st.sampled_from(("same", "same", "differ", "differ_without_reason", "not_committee")),
    )
    def decide(self, data: st.DataObject, variant: str) -> None:
        """The committee decides a computed head's rating; a level that differs needs a reason."""
        heads = [s for s, r in self.model.ratings.items() if r.kind == "head" and r.status != "under_appeal"]
        subject = self.pick(data, heads, "rating")
        rating = self.model.ratings[subject]
        computed = rating.computed if rating.kind == "head" else rating.level
        if variant in ("same", "not_committee"):
            level = computed
        else:
            level = data.draw(st.sampled_from([lv for lv in LEVELS if lv != computed]), label="level")
        self.decide_as(subject, level, variant)

    def decide_as(self, subject: str, level: str | None, variant: str) -> None:
        rating = self.model.ratings[subject]
        computed = rating.computed if rating.kind == "head" else rating.level
        body: dict[str, Any] = {"level": level, "decision": f"QĐ {next(self.decisions)}/QĐ-UBND"}
        overrides = rating.revision is not None and level != rating.revision
        if variant == "differ":
            body["reason"] = "Kết luận thanh tra: chậm giải quyết hồ sơ"
            if overrides:  # says so: it changes the level an appeal's resolution set
                body.update(overrides_appeal=True, overridden_resolution=RESOLUTION)
        refusal: type[LedgerError] | None = None
        if rating.kind != "head":
            refusal = PayloadError  # the subject names a person: not a head's rating
        elif variant == "not_committee":
            refusal = NotAuthorizedError
        elif level not in LEVELS:
            refusal = PayloadError  # "not evaluated" is no decision: the committee gives a level
        elif rating.status == "under_appeal":
            refusal = RuleError
        elif overrides and "overrides_appeal" not in body:
            refusal = PayloadError  # changes an appeal's outcome without saying so
        elif level != computed and "reason" not in body and level != rating.revision:
            refusal = PayloadError
        signer = HEADS["SNV" if variant == "not_committee" else "UBND-TINH"]
        seq = self.append(self.sign(signer, "rating.decide", subject, body), refusal)
        if seq is not None:
            assert level is not None
            rating.decided = level
            if overrides:
                rating.revision = None
            rating.give(Level(seq, level, "decided", reason=body.get("reason")))

    @precondition(lambda self: self.model.ratings)
    @rule(data=st.data(), from_other=st.sampled_from((False, False, False, True)))
    def appeal(self, data: st.DataObject, from_other: bool) -> None:
        """The rated unit appeals a decided or published rating (one appeal open at a time)."""
        settled = [s for s, r in self.model.ratings.items() if r.status in ("decided", "published", "revised")]
        subject = self.pick(data, settled, "rating")
        unit = self.model.ratings[subject].unit
        if from_other:
            unit = self.other_unit(unit)
        signer = data.draw(st.sampled_from(sorted({HEADS[unit], STAFF.get(unit, HEADS[unit])})), label="signer")
        self.appeal_as(subject, signer, from_other)

    def appeal_as(self, subject: str, signer: str, from_other: bool = False) -> None:
        rating = self.model.ratings[subject]
        refusal: type[LedgerError] | None = None
        if from_other:
            refusal = NotAuthorizedError
        elif rating.status in ("under_appeal", "computed"):
            refusal = RuleError
        seq = self.append(self.sign(signer, "rating.appeal", subject, {"grounds": "Điểm chưa tính đủ"}), refusal)
        if seq is not None:
            rating.appeals += 1
            rating.appeal_open = True

    @precondition(lambda self: self.model.ratings)
    @rule(
        data=st.data(),
        outcome=st.sampled_from(("upheld", "revised", "revised", "revised_same")),
        wrong_signer=st.sampled_from((False, False, False, True)),
    )
    def resolve(self, data: st.DataObject, outcome: str, wrong_signer: bool) -> None:
        """The committee (a head's rating) or the unit's head (staff) upholds or revises an appeal."""
        subject = self.pick(data, [s for s, r in self.model.ratings.items() if r.status == "under_appeal"], "rating")
        current = self.model.ratings[subject].level
        level: str | None = None
        if outcome == "revised_same":
            level = current
        elif outcome == "revised":
            level = data.draw(st.sampled_from([lv for lv in LEVELS if lv != current]), label="level")
        self.resolve_as(subject, level, wrong_signer=wrong_signer)

    def resolve_as(self, subject: str, level: str | None, *, wrong_signer: bool = False) -> None:
        """Upheld (`level` None) or revised to `level`."""
        rating = self.model.ratings[subject]
        body: dict[str, Any] = {"outcome": "upheld", "reason": "Thẩm định lại", "decision": RESOLUTION}
        if level is not None:
            body.update(outcome="revised", level=level)
        resolver = "UBND-TINH" if rating.kind == "head" else rating.unit
        signer = HEADS[("SNV" if resolver != "SNV" else "STC") if wrong_signer else resolver]
        refusal: type[LedgerError] | None = None
        if wrong_signer:
            refusal = NotAuthorizedError
        elif level is not None and level not in LEVELS:
            refusal = PayloadError  # a revision gives a level ("not evaluated" is none)
        elif rating.status != "under_appeal":
            refusal = RuleError
        elif level == rating.level:
            refusal = PayloadError  # a revision must change the level
        seq = self.append(self.sign(signer, "rating.resolve-appeal", subject, body), refusal)
        if seq is not None:
            rating.appeal_open = False
            if level is not None:
                rating.revision = level
                rating.give(Level(seq, level, "revised", reason=body["reason"]))

    @precondition(lambda self: self.model.ratings)
    @rule(data=st.data())
    def follow_a_case(self, data: st.DataObject) -> None:
        """A rating's case moves on: computed, it is decided; decided, appealed; appealed, resolved."""
        subject = self.pick(data, sorted(self.model.ratings), "rating")
        rating = self.model.ratings[subject]
        if rating.status == "under_appeal":
            level = data.draw(st.sampled_from([None, *(lv for lv in LEVELS if lv != rating.level)]), label="level")
            self.resolve_as(subject, level)
        elif rating.status == "computed":
            computed = rating.computed
            if computed in LEVELS and data.draw(st.booleans(), label="as computed"):
                self.decide_as(subject, computed, "same")
            else:
                level = data.draw(st.sampled_from([lv for lv in LEVELS if lv != computed]), label="level")
                self.decide_as(subject, level, "differ")
        else:
            self.appeal_as(subject, HEADS[rating.unit])

    @rule(
        unit=st.sampled_from(UNITS),
        year=st.sampled_from(YEARS),
        person=st.sampled_from(PEOPLE),
        level=st.sampled_from(LEVELS),
    )
    def individual(self, unit: str, year: int, person: str, level: str) -> None:
        """A head publishes a staff member's rating under the unit's own rule for the year."""
        subject = f"rating/{year}/{unit}/{person}"
        rule_ = f"submission/staff-rule/{unit}/{year}"
        body = {"name": person.replace(".", " ").title(), "position": "Chuyên viên", "level": level, "rule": rule_}
        refusal: type[LedgerError] | None = None
        if rule_ not in self.model.submissions:
            refusal = NotFoundError
        elif subject in self.model.ratings:
            refusal = DuplicateError
        seq = self.append(self.sign(HEADS[unit], "rating.individual", subject, body), refusal)
        if seq is not None:
            rating = self.model.ratings[subject] = RatingModel("individual", year, unit, rule=rule_)
            rating.give(Level(seq, level, "published"))

    # The app ------------------------------------------------------------------------------

    @precondition(lambda self: self.model.envelopes)
    @rule(data=st.data())
    def send_again(self, data: st.DataObject) -> None:
        """An envelope already appended is sent again: refused as a replay."""
        envelope = data.draw(st.sampled_from(self.model.envelopes), label="envelope")
        self.append(envelope, ReplayError)

    @rule(
        action=st.sampled_from(("restart", "restart", "other process", "rebuild")),
        days=st.integers(0, 12),
        batch=st.sampled_from((1, 3, 500)),
    )
    def the_app(self, action: str, days: int, batch: int) -> None:
        """Time passes (deadlines come and go), and the app restarts, scales out or rebuilds its views.

        - restart: the active process stops; a new one opens the Ledger and the views on the
          same database (nothing to catch up, the same dump);
        - other process: a second process starts beside the first, and from then on they take
          the commands in turn (each one's Ledger and views object is behind the other's
          appends); or, if there are two, the one that is not active stops;
        - rebuild: the views are dropped and rebuilt from the first entry, in place, in
          batches of `batch` (the same dump).
        """
        self.step += 1
        self.clock += timedelta(days=days)
        before = self.views.dump()
        if action == "restart":
            self.processes[self.active].close()
            self.processes[self.active] = Process.start(self.database.url, self.documents)
            assert self.views.head_position() == self.ledger.head
            assert catch_up(self.ledger, self.views) == 0
        elif action == "rebuild":
            assert rebuild(self.ledger, self.views, batch=batch) == self.ledger.ledger_recorder.max_seq()
        elif len(self.processes) == 1:
            self.processes.append(Process.start(self.database.url, self.documents))
        else:
            self.processes.pop(1 - self.active).close()
            self.active = 0
        assert self.views.dump() == before
        self.sweep_all = True  # every history is asked for after this step

    # Invariants ---------------------------------------------------------------------------

    @invariant()
    def the_views_stand_at_the_head_and_a_rebuild_dumps_the_same_bytes(self) -> None:
        head = self.ledger.ledger_recorder.max_seq()
        assert head == len(self.model.entries)
        assert self.views.head_position() == head
        with replay(self.ledger) as rebuilt:
            assert rebuilt.head_position() == head
            assert rebuilt.dump() == self.dump()

    @invariant()
    def every_rating_names_its_rule_version_and_inputs(self) -> None:
        issued = {version for version in RULESETS if self.views.history(f"ruleset/{version}")}
        for year in YEARS:
            listed = {r["subject"]: r for r in self.views.ratings(year)}
            expected = {s: r for s, r in self.model.ratings.items() if r.year == year}
            assert sorted(listed) == sorted(expected)
            compilation = {c["subject"]: c for c in self.views.compilation(year)}
            assert sorted(compilation) == sorted(s for s, r in expected.items() if r.kind == "head")
            for subject, model in expected.items():
                rating = self.views.rating(subject)
                assert rating is not None
                assert rating == {**listed[subject], "levels": rating["levels"]}
                assert (rating["kind"], rating["level"], rating["status"]) == (model.kind, model.level, model.status)
                assert (len(rating["appeals"]), rating["appeal_open"]) == (model.appeals, model.appeal_open)
                if model.kind == "individual":
                    assert (rating["rule"], rating["ruleset"], rating["inputs"]) == (model.rule, None, None)
                    continue
                assert rating["ruleset"] in issued
                assert (rating["ruleset"], rating["inputs"], rating["missing"]) == (
                    model.ruleset,
                    model.inputs,
                    model.missing,
                )
                assert (rating["computed_level"], rating["decided_level"]) == (model.computed, model.decided)
                assert rating["officer"] == HEADS[model.unit]
                # SNV's table: consistent exactly when the ledger's results still give these inputs.
                rules = self.ledger.get(f"ruleset/{model.ruleset}")
                assert isinstance(rules, RuleSet)
                inputs, missing = gather_inputs(_Get(self.ledger), year, model.unit, rules)
                still = [i.to_json() for i in inputs] == model.inputs and list(missing) == model.missing
                entry = compilation[subject]
                assert (entry["ruleset"], entry["consistent"]) == (model.ruleset, still)
                assert entry["level"] == evaluate(rules.parameters, inputs, missing).level

    @invariant()
    def nothing_superseded_disappears(self) -> None:
        # Every level ever given, in order, with the rule set it was computed under or the reason.
        for subject, model in self.model.ratings.items():
            rating = self.views.rating(subject)
            assert rating is not None
            chain = [
                Level(g["seq"], g["level"], g["how"], ruleset=g["ruleset"], reason=g["reason"])
                for g in rating["levels"]
            ]
            assert chain == model.levels
        # Every version of every submission: counted, the last in force, each in the history.
        for year in YEARS:
            filed = {s["subject"]: s for s in self.views.submissions(year)}
            expected = {s: m for s, m in self.model.submissions.items() if m.year == year}
            assert sorted(filed) == sorted(expected)
            for subject, model in expected.items():
                row = filed[subject]
                assert (row["filed_seq"], row["version_seq"], row["corrections"], row["transmitted_seq"]) == (
                    model.versions[0],
                    model.versions[-1],
                    len(model.versions) - 1,
                    model.transmitted,
                )
                assert set(model.versions) <= {h["seq"] for h in self.views.history(subject)}
                if model.index is not None:
                    in_force = self.views.index_results(model.index, year)
                    assert sorted((r["unit"], r["score"], r["rank"]) for r in in_force) == sorted(
                        (r["unit"], r["score"], r["rank"]) for r in model.body["results"]
                    )
                    assert {(r["version_seq"], r["corrections"]) for r in in_force} == {
                        (model.versions[-1], len(model.versions) - 1)
                    }
        # Every entry appended so far: in the history table under its subject and the unit
        # that signed it (all of them, every step, from the dump), and in what `history`
        # answers for the subjects and units touched since the last full sweep (every subject
        # on every fourth step, and after a restart or a rebuild).
        history = {row["seq"]: row for row in tables_of(self.dump())["view_history"]}
        assert sorted(history) == [entry.seq for entry in self.model.entries]
        for entry in self.model.entries:
            row = history[entry.seq]
            assert (row["subject"], row["actor"], row["statement_type"]) == (
                entry.subject,
                entry.actor,
                entry.statement_type,
            )
        self.checks += 1
        about: dict[str, list[tuple[int, str]]] = defaultdict(list)
        involving: dict[str, set[int]] = defaultdict(set)
        for entry in self.model.entries:
            about[entry.subject].append((entry.seq, entry.statement_type))
            involving[entry.subject].add(entry.seq)
            involving[entry.actor].add(entry.seq)
        sweep = sorted(involving) if self.sweep_all or self.checks % 4 == 0 else sorted(self.touched)
        for subject in sweep:
            answer = self.views.history(subject)
            assert [(h["seq"], h["statement_type"]) for h in answer if h["relation"] == "subject"] == about[subject]
            assert [h["seq"] for h in answer] == sorted(involving[subject])
        self.touched.clear()
        self.sweep_all = False


def tables_of(dump: bytes) -> dict[str, list[dict[str, Any]]]:
    """The rows of each table in a `Views.dump()`, as dicts."""
    tables: dict[str, list[dict[str, Any]]] = {}
    columns: list[str] = []
    for line in dump.decode().splitlines():
        item = json.loads(line)
        if item[:1] == ["table"]:
            columns = item[2]
            rows = tables[item[1]] = []
        elif item[:1] != ["position"]:
            rows.append(dict(zip(columns, item, strict=True)))
    return tables


def test_the_views_follow_a_random_cycle_and_always_equal_a_rebuild(database_url: str, tmp_path: Path) -> None:
    documents = DocumentStore(tmp_path / "documents")
    run_state_machine_as_test(
        lambda: ProjectionMachine(database_url, tmp_path, documents),
        settings=MACHINE_SETTINGS,
    )


def test_a_process_behind_the_ledger_decides_a_refusal_on_the_ledger_as_it_stands(open_ledger: Any) -> None:
    """Two processes take turns: one whose cache is behind must not refuse on what it remembers.

    (What the machine's second process is for.) The second process renamed unit 325 and
    remembers it; the first renames it back; the second's rename to the first name again
    is refused only if the ledger, as it stands, already has that name.
    """
    first, second = open_ledger(), open_ledger()
    root = World.build(first)["root"]
    renamed = {"name": "Huyện Văn Lâm mới", "decision": "QĐ 1/QĐ-UBND"}
    second.append(root.sign("unit.rename", "unit/325", renamed))
    first.append(root.sign("unit.rename", "unit/325", {"name": "Huyện Văn Lâm", "decision": "QĐ 2/QĐ-UBND"}))

    receipt = second.append(root.sign("unit.rename", "unit/325", {**renamed, "decision": "QĐ 3/QĐ-UBND"}))

    assert receipt.seq == first.refresh() == second.head
    head = second.head
    with pytest.raises(RuleError, match="already named"):  # and a refusal that stands is still refused
        first.append(root.sign("unit.rename", "unit/325", {**renamed, "decision": "QĐ 4/QĐ-UBND"}))
    assert first.ledger_recorder.max_seq() == head

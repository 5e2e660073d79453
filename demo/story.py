"""The demo's story: every statement it appends, in ledger order, read from demo/data/story-*.toml.

A story file is a list of ``[[step]]`` tables, each appending one or more statements:

- ``at``: the local time in Hưng Yên when the step starts (never earlier than the step before);
  each statement is recorded 20 s after the one before it, so a step without ``at`` goes on
  from the last statement.
- ``by``: who signs: ``root``, ``head:<unit>``, or a staff signer of structure.toml.
- A step with a ``type`` is one statement of that type, on ``subject``, whose ``body`` is signed
  as written, except that a ``document`` table (``file``, ``title``, ``lines``) becomes the
  reference of the demo PDF it describes, stored in the document store.
- A step with ``do`` is one of the actions of `ACTIONS` below: they build their statements
  from the data (the structure, the indices, the results) or, for ratings, from the ledger
  as it stands when the statement is signed.
- ``case``: the name of a `DemoCases` field; the subjects the step appends are that case.

A file may also hold ``[cases]``: notable cases that are no statement (results never filed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from demo import province
from demo.pdf import demo_pdf
from ledger.domain.handlers import Lookup, computation_body
from ledger.domain.local_time import LOCAL_TIME
from ledger.domain.ratings import Rating, RuleSet
from ledger.domain.registry import ROOT_OFFICER, Unit
from ledger.domain.rules import ILLUSTRATIVE_PARAMETERS

if TYPE_CHECKING:
    from ledger.application import Ledger
    from ledger.domain.records import Record
    from ledger.storage.documents import DocumentStore

#: The story files, in ledger order.
CHAPTERS = ("story-2023", "story-2024")
#: Spacing between statements recorded in one sitting.
STEP = timedelta(seconds=20)

#: The clock before the first step (which says when it starts).
_DAWN = datetime.min.replace(tzinfo=LOCAL_TIME)

Body = Mapping[str, Any] | Callable[["Ledger"], Mapping[str, Any]]


@dataclass(frozen=True)
class Statement:
    """One statement of the story, signed when the loader reaches it."""

    signer: str
    statement_type: str
    subject: str
    body: Body  # or how to compute it from the ledger as it stands
    at: datetime  # local time in Hưng Yên


class _LedgerLookup(Lookup):
    """`Lookup` over the ledger's current state, for one computation.

    `gather_inputs` asks for the same units many times; nothing is appended while one
    body is computed, so each subject is read through `Ledger.get` once and remembered.
    """

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._seen: dict[str, Record | None] = {}

    def get(self, subject: str) -> Record | None:
        if subject not in self._seen:
            self._seen[subject] = self._ledger.get(subject)
        return self._seen[subject]


@dataclass
class Script:
    """The story as statements in ledger order, with strictly increasing times."""

    documents: DocumentStore
    statements: list[Statement] = field(default_factory=list)
    now: datetime = _DAWN
    cases: dict[str, list[str]] = field(default_factory=dict)
    #: The units whose rows a correction changed, by (index, cycle).
    corrected: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)

    def at(self, moment: datetime) -> None:
        """Move the clock to `moment` (never backwards)."""
        if moment < self.now:
            msg = f"the demo story goes back in time: {moment} < {self.now}"
            raise ValueError(msg)
        self.now = moment

    def add(self, signer: str, statement_type: str, subject: str, body: Body) -> None:
        self.statements.append(Statement(signer, statement_type, subject, body, self.now))
        self.now += STEP

    def pdf(self, name: str, title: str, *lines: str) -> dict[str, Any]:
        """Store a demo PDF and return its reference for a body."""
        return self.documents.put(demo_pdf(title, lines), name).to_json()

    def case(self, name: str, subjects: list[str]) -> None:
        """Name `subjects` (each once, in order) a notable case."""
        named = self.cases.setdefault(name, [])
        named += [subject for subject in dict.fromkeys(subjects) if subject not in named]

    def body_of(self, subject: str) -> Mapping[str, Any]:
        """The body of the last statement on `subject` so far (one written in the data)."""
        body = next(s.body for s in reversed(self.statements) if s.subject == subject)
        assert not callable(body)
        return body

    def play(self, step: Mapping[str, Any]) -> None:
        """Append the statements of one step."""
        if "at" in step:
            self.at(step["at"].replace(tzinfo=LOCAL_TIME))
        first = len(self.statements)
        if "type" in step:
            signer = province.officer_of(step["by"])
            self.add(signer, step["type"], step["subject"], self.with_documents(step.get("body", {})))
        else:
            ACTIONS[step["do"]](self, step)
        if "case" in step:
            self.case(step["case"], [s.subject for s in self.statements[first:]])

    def with_documents(self, value: Any) -> Any:
        """`value` with each ``document`` table replaced by the reference of the PDF it describes."""
        if not isinstance(value, Mapping):
            return [self.with_documents(item) for item in value] if isinstance(value, list) else value
        return {
            key: self.pdf(item["file"], item["title"], *item.get("lines", ()))
            if key == "document" and isinstance(item, Mapping)
            else self.with_documents(item)
            for key, item in value.items()
        }


def script(documents: DocumentStore) -> Script:
    """The whole story, its PDFs stored in `documents`."""
    s = Script(documents)
    for chapter in CHAPTERS:
        data = province.read_data(chapter)
        for step in data["step"]:
            s.play(step)
        for name, subject in data.get("cases", {}).items():
            s.case(name, [subject])
    return s


def _lead_officer(index: str) -> str:
    return province.LEAD_OFFICER[province.INDEX[index].lead]


def _results_subject(index: str, cycle: int) -> str:
    return f"submission/index-results/{index}/{cycle}"


# The setup -------------------------------------------------------------------------------


def register_structure(s: Script, step: Mapping[str, Any]) -> None:
    """The authority, every unit, every officer with their key, and each unit's head."""
    root = ROOT_OFFICER
    s.add(root, "ledger.initialise", "authority", {
        "name": province.AUTHORITY_NAME,
        "root_public_key": province.demo_key(root).verifying_key.base64,
    })  # fmt: skip
    for unit in province.UNITS:
        body: dict[str, Any] = {"name": unit.name, "class": unit.unit_class}
        if unit.parent is not None:
            body["parent"] = unit.parent
        if unit.functions:
            body["functions"] = list(unit.functions)
        s.add(root, "unit.register", f"unit/{unit.code}", body)
    appointed_by = {unit.code: unit.appointed_by for unit in province.UNITS}
    for officer in province.OFFICERS:
        s.add(root, "officer.register", f"officer/{officer.officer_id}",
              {"name": officer.name, "unit": officer.unit, "roles": list(officer.roles)})  # fmt: skip
        key = province.demo_key(officer.officer_id).verifying_key
        s.add(root, "key.register", f"key/{key.key_id}", {"public_key": key.base64, "officer": officer.officer_id})
        if province.HEADS.get(officer.unit) == officer:
            s.add(root, "unit.appoint-head", f"unit/{officer.unit}",
                  {"officer": officer.officer_id, "decision": appointed_by[officer.unit]})  # fmt: skip


def define_indices(s: Script, step: Mapping[str, Any]) -> None:
    """The indices of Art. 4(1)(a)."""
    for index in province.INDICES:
        s.add(ROOT_OFFICER, "index.define", f"index/{index.code}", {**index.body(), "legal_basis": "Art.4(1)(a)"})


def issue_ruleset(s: Script, step: Mapping[str, Any]) -> None:
    """The rule set of the step's body, with the illustrative parameters, counting the unit-level indices."""
    body = {
        **step["body"],
        "parameters": dict(ILLUSTRATIVE_PARAMETERS),
        "indices": {unit_class: list(codes) for unit_class, codes in province.RULESET_INDICES.items()},
    }
    s.add(province.officer_of(step["by"]), "ruleset.issue", step["subject"], body)


def propose_index(s: Script, step: Mapping[str, Any]) -> None:
    """A lead department proposes one of indices.toml's proposed indices."""
    index = province.INDEX[step["index"]]
    s.add(_lead_officer(index.code), "index.propose", f"index/{index.code}",
          {**index.body(), "rationale": step["rationale"]})  # fmt: skip


# Submissions -----------------------------------------------------------------------------


def governing_decisions(s: Script, step: Mapping[str, Any]) -> None:
    """A lead department's list of the committee's decisions on its indices (with a PDF listing them)."""
    body: dict[str, Any] = {"decisions": step["decisions"]}
    if "document" in step:
        lines = (f"- {d['number']}: {d['title']}" for d in step["decisions"])
        body["document"] = s.pdf(step["document"]["file"], step["document"]["title"], *lines)
    s.add(province.officer_of(step["by"]), "submission.governing-decisions", step["subject"], body)


def amend_governing_decisions(s: Script, step: Mapping[str, Any]) -> None:
    """A correction of a list of decisions that adds the decisions of `add` (no decision needed)."""
    earlier = s.body_of(step["subject"])["decisions"]
    body = {"reason": step["reason"], "replacement": {"decisions": [*earlier, *step["add"]]}}
    s.add(province.officer_of(step["by"]), "submission.correct", step["subject"], body)


def staff_rule(s: Script, step: Mapping[str, Any]) -> None:
    """A unit's head files the rule that rates the unit's other staff."""
    unit, cycle, issued_on = step["unit"], step["cycle"], step["issued_on"]
    title = f"Quy định đánh giá, xếp loại cá nhân không phải người đứng đầu năm {cycle}"
    name = province.NAME_OF[unit]
    s.add(province.HEADS[unit].officer_id, "submission.staff-rule", f"submission/staff-rule/{unit}/{cycle}", {
        "title": title,
        "decision": step["decision"],
        "issued_on": issued_on.isoformat(),
        "document": s.pdf(f"{title} - {name}.pdf", title, name, step["decision"]),
    })  # fmt: skip


def file_document(s: Script, step: Mapping[str, Any]) -> None:
    """A unit files a document (a report, an appeal's evidence): its PDF names the unit and the day."""
    unit, issued_on = step["unit"], step["issued_on"]
    s.add(province.officer_of(step["by"]), "submission.document",
          f"submission/document/{unit}/{step['cycle']}/{step['ref']}", {
        "title": step["title"],
        "issued_on": issued_on.isoformat(),
        "document": s.pdf(step["file"], step["title"], province.NAME_OF[unit], f"Ngay {issued_on:%d/%m/%Y}"),
    })  # fmt: skip


# Results ---------------------------------------------------------------------------------


def national_results(s: Script, step: Mapping[str, Any]) -> None:
    """Each index's national result for the province, published in the cycle (measured the year before)."""
    cycle = step["cycle"]
    for index in step["indices"]:
        score, rank, published_on = province.NATIONAL[(index, cycle)]
        s.add(_lead_officer(index), "submission.index-results", _results_subject(index, cycle), {
            "measured_year": cycle - 1,
            "decision": f"Công bố của {province.INDEX[index].publisher} ngày {published_on:%d/%m/%Y}",
            "published_on": published_on.isoformat(),
            "results": [{"unit": province.COMMITTEE, "score": score, "rank": rank}],
        })  # fmt: skip


def unit_results(s: Script, step: Mapping[str, Any]) -> None:
    """A unit-level index's results of results.toml, published by the committee's `decision`."""
    index, cycle = step["index"], step["cycle"]
    body: dict[str, Any] = {
        "measured_year": cycle,
        "decision": step["decision"],
        "published_on": step["published_on"].isoformat(),
        "results": province.result_rows(index, cycle),
    }
    if step.get("document", False):
        title = f"Quyết định công bố {province.INDEX[index].name} năm {cycle}"
        body["document"] = s.pdf(f"{title}.pdf", title, step["decision"])
    s.add(_lead_officer(index), "submission.index-results", _results_subject(index, cycle), body)


def correct_results(s: Script, step: Mapping[str, Any]) -> None:
    """Published results replaced, the `scores` of some units corrected (their peers re-ranked)."""
    index, cycle = step["index"], step["cycle"]
    corrected = province.result_rows(index, cycle, step["scores"])
    s.add(_lead_officer(index), "submission.correct", _results_subject(index, cycle), {
        "reason": step["reason"],
        "decision": step["decision"],
        "replacement": s.with_documents({
            "measured_year": cycle,
            "decision": step["decision"],
            "published_on": step["published_on"].isoformat(),
            "results": corrected,
            "document": step["document"],
        }),
    })  # fmt: skip
    original = {row["unit"]: row for row in province.result_rows(index, cycle)}
    s.corrected[(index, cycle)] = tuple(row["unit"] for row in corrected if row != original[row["unit"]])


def transmit(s: Script, step: Mapping[str, Any]) -> None:
    """Each index's results of the cycle sent to SNV by its lead department (with a `note`, if any)."""
    body = {"note": step["note"]} if "note" in step else {}
    for index in step["indices"]:
        s.add(_lead_officer(index), "submission.transmit", _results_subject(index, step["cycle"]), body)


# Ratings ---------------------------------------------------------------------------------


def compute_ratings(s: Script, step: Mapping[str, Any]) -> None:
    """SNV computes every rated head's rating (or, after a correction, those of the units it changed)."""
    cycle = step["cycle"]
    units = province.RATED_UNITS
    if "after_correction_of" in step:
        units = s.corrected[(step["after_correction_of"], cycle)]
    for unit in units:
        s.add(province.SNV_OFFICER, "rating.compute", f"rating/{cycle}/{unit}", _computation(cycle, unit))


def _computation(cycle: int, unit: str) -> Callable[[Ledger], Mapping[str, Any]]:
    def body(ledger: Ledger) -> Mapping[str, Any]:
        ruleset = ledger.get("ruleset/v1")
        record = ledger.get(f"unit/{unit}")
        assert isinstance(ruleset, RuleSet)
        assert isinstance(record, Unit)
        return computation_body(_LedgerLookup(ledger), cycle, record, ruleset)

    return body


def decide_ratings(s: Script, step: Mapping[str, Any]) -> None:
    """The committee decides every evaluated head's rating at the computed level, except `differing`'s unit."""
    cycle, differing = step["cycle"], step.get("differing")
    committee = province.HEADS[province.COMMITTEE].officer_id
    for unit in province.RATED_UNITS:
        if not province.evaluated(cycle, unit):
            continue
        subject = f"rating/{cycle}/{unit}"
        override = differing if differing is not None and differing["unit"] == unit else None
        s.add(committee, "rating.decide", subject, _decision(subject, step["decision"], override))
        if override is not None:
            s.case(override["case"], [subject])


def _decision(subject: str, decision: str, override: Mapping[str, str] | None) -> Callable[[Ledger], Mapping[str, Any]]:
    def body(ledger: Ledger) -> Mapping[str, Any]:
        rating = ledger.get(subject)
        assert isinstance(rating, Rating)
        assert rating.computation is not None
        computed = rating.computation.level
        if override is None:
            return {"level": computed, "decision": decision}
        if override["level"] == computed:
            msg = f"the demo's differing decision on {subject} no longer differs ({computed})"
            raise RuntimeError(msg)
        return {"level": override["level"], "decision": decision, "reason": override["reason"]}

    return body


def rate_individuals(s: Script, step: Mapping[str, Any]) -> None:
    """A unit's head rates staff who head nothing, under the unit's staff rule of the cycle."""
    unit, cycle = step["unit"], step["cycle"]
    for person in step["people"]:
        subject = f"rating/{cycle}/{unit}/{province.slug(person['name'])}"
        s.add(province.HEADS[unit].officer_id, "rating.individual", subject, {
            "name": person["name"], "position": person["position"], "level": person["level"],
            "rule": f"submission/staff-rule/{unit}/{cycle}",
        })  # fmt: skip


def resolve_appeal(s: Script, step: Mapping[str, Any]) -> None:
    """The committee resolves an appeal against a rating it expects at `expects` (else the data is stale)."""
    subject, expected, resolution = step["subject"], step["expects"], dict(step["body"])

    def body(ledger: Ledger) -> Mapping[str, Any]:
        rating = ledger.get(subject)
        assert isinstance(rating, Rating)
        if rating.level != expected:
            msg = f"the demo appeal expects {subject} at {expected}, not {rating.level}"
            raise RuntimeError(msg)
        return resolution

    s.add(province.officer_of(step["by"]), "rating.resolve-appeal", subject, body)


ACTIONS: dict[str, Callable[[Script, Mapping[str, Any]], None]] = {
    "register-structure": register_structure,
    "define-indices": define_indices,
    "issue-ruleset": issue_ruleset,
    "propose-index": propose_index,
    "governing-decisions": governing_decisions,
    "amend-governing-decisions": amend_governing_decisions,
    "staff-rule": staff_rule,
    "file-document": file_document,
    "national-results": national_results,
    "unit-results": unit_results,
    "correct-results": correct_results,
    "transmit": transmit,
    "compute-ratings": compute_ratings,
    "decide-ratings": decide_ratings,
    "rate-individuals": rate_individuals,
    "resolve-appeal": resolve_appeal,
}

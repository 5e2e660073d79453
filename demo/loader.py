"""Demo data for Hưng Yên: the 2023 structure, the 2023 and 2024 cycles, and their notable cases.

`load_demo` appends about four hundred signed statements to an empty ledger, each one
through `Ledger.append`, so the demo passes every check a real filing passes. What it
appends is data (demo/data/: the province in `demo.province`, the story in `demo.story`);
this module signs it. It is deterministic: every key comes from a seed derived from the
officer's id, every nonce from a counter, and every statement carries a fixed recording
time (the same moment as its client time), so two loads produce byte-identical ledgers and
document stores. `load_demo_instance` also makes an instance folder a demo instance.

What is real and what is invented (domain-notes.md labels in brackets):

- Units: names and GSO codes of domain-notes B1. Four communes have no code in B1; they
  get the synthetic codes ``DEMO-<district>-<n>`` (structure.toml).
- People: every name is fictional, and so is every appointment decision.
- Decision numbers: invented, except Decision 01/2023/QĐ-UBND (11/01/2023), Decision
  808/QĐ-UBND (04/04/2023, the provincial PAPI) and Directive 06/CT-CTUBND (17/05/2019).
- Scores: the unit-level results are invented. The 2023 cycle's national results reuse
  Hưng Yên's published 2021 results (PAR INDEX 88.34 %, rank 12; SIPAS 92.07 %, rank 3;
  PAPI 45.366, rank 5) as the values measured in 2022: an illustration, not the 2022
  results. PCI, DTI and PGI values, and every 2024 value, are invented.
- The rule set is the illustrative reconstruction of Article 5 (domain-notes B3), and it
  says so in its legal basis. Its indices measure departments, districts and communes
  only, so the heads of the office and of the public service units are computed as not
  evaluated every year, and the committee leaves them undecided.

The keys are derived from public seeds and `DEMO_PASSPHRASE` is printed in the README:
both are for the demo only. Never load the demo into a ledger that holds real data.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

from demo.pdf import demo_pdf
from demo.province import (
    ACCOUNTS,
    COMMITTEE,
    COMMUNE_OFFICER,
    HEADS,
    INDICES,
    MEASURED_UNITS,
    OFFICERS,
    RATED_UNITS,
    RULESET_INDICES,
    SCORES,
    SKHDT_OFFICER,
    SNV_OFFICER,
    UNITS,
    demo_author,
    demo_key,
    evaluated,
    result_rows,
)
from demo.story import Script, script
from keys import save_signing_key
from ledger.domain.indices import cycle_year
from ledger.domain.registry import ROOT_OFFICER
from ledger.errors import LedgerError

if TYPE_CHECKING:
    from ledger.application import Ledger
    from ledger.storage.documents import DocumentStore
    from web.accounts import AccountStore
    from web.instance import Instance

#: The passphrase of the demo key files. Demo only: anyone who reads the README knows it.
DEMO_PASSPHRASE = "demo"
#: The password of every demo officer's web login (the login is the officer id).
DEMO_PASSWORD = "demo-cchc"


def demo_nonce(counter: int) -> str:
    """The nonce of the demo's `counter`-th statement: 32 hex digits, deterministic."""
    return hashlib.sha256(f"par-ledger demo nonce:{counter}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class DemoAccount:
    """A demo officer whose key `load_demo` can write to a file."""

    officer: str
    unit: str
    name: str
    description: str
    key_id: str
    key_file: Path | None


@dataclass(frozen=True)
class DemoCases:
    """The notable cases of the demo, by subject."""

    late_governing_decisions: str
    late_publication: str
    late_transmission: str
    missing_results: str  # never filed: this subject is absent from the ledger
    not_evaluated: tuple[str, ...]  # heads left not evaluated by the missing results
    outside_rule_set: tuple[str, ...]  # heads of classes no index counts for: not evaluated
    differing_decision: str
    corrected_results: str
    recomputed_ratings: tuple[str, ...]
    amended_list: str
    appeal: str
    adjusted_deadline: str
    proposed_index: str
    staff_rules: tuple[str, ...]
    individual_ratings: tuple[str, ...]
    documents: tuple[str, ...]


@dataclass(frozen=True)
class DemoSummary:
    """What `load_demo` appended."""

    entries: int
    root_key_id: str
    accounts: tuple[DemoAccount, ...]
    cases: DemoCases


def _cases(story: Script) -> DemoCases:
    """The cases the story names, and those that follow from the data: heads not evaluated."""
    cycles = [cycle_year(s.subject) for s in story.statements if s.statement_type == "cycle.open"]
    named = {
        **story.cases,
        "not_evaluated": [f"rating/{y}/{u}" for y in cycles for u in MEASURED_UNITS if not evaluated(y, u)],
        "outside_rule_set": [f"rating/{y}/{u}" for y in cycles for u in RATED_UNITS if u not in MEASURED_UNITS],
    }
    values: dict[str, str | tuple[str, ...]] = {}
    for item in dataclasses.fields(DemoCases):
        subjects = named[item.name]
        if item.type == "str":
            if len(subjects) != 1:
                msg = f"the demo names {len(subjects)} subjects for the case {item.name}, not one"
                raise ValueError(msg)
            values[item.name] = subjects[0]
        else:
            values[item.name] = tuple(subjects)
    return DemoCases(**values)  # type: ignore[arg-type]


def load_demo(
    ledger: Ledger,
    documents: DocumentStore,
    *,
    keys_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Append the Hưng Yên demo to an empty ledger; write the demo accounts' key files.

    Raises ValueError if the ledger already holds entries, FileExistsError if a key file
    to be written exists already (both before anything is appended), and RuntimeError
    naming the statement if the ledger refuses one (a bug in the demo data).
    """
    held = ledger.refresh()
    if held:
        msg = f"the ledger is not empty ({held} entries); the demo loads only into an empty ledger"
        raise ValueError(msg)
    key_files = {officer: keys_dir / f"{officer}.key" for officer, _ in ACCOUNTS} if keys_dir else {}
    existing = sorted(str(path) for path in key_files.values() if path.exists())
    if existing:
        msg = f"demo key file {existing[0]} exists already; remove the old key files first"
        raise FileExistsError(msg)

    story = script(documents)
    total = len(story.statements)
    for counter, step in enumerate(story.statements, 1):
        body = step.body(ledger) if callable(step.body) else step.body
        envelope = demo_author(step.signer).sign(
            step.statement_type, step.subject, body, client_time=step.at, nonce=demo_nonce(counter)
        )
        try:
            ledger.append(envelope, recorded_at=step.at.astimezone(UTC))
        except LedgerError as exc:
            msg = f"demo statement {counter} ({step.statement_type} {step.subject}) was refused: {exc}"
            raise RuntimeError(msg) from exc
        if progress is not None:
            progress(counter, total)

    names = {officer.officer_id: officer.name for officer in OFFICERS}
    accounts = []
    for officer, description in ACCOUNTS:
        author = demo_author(officer)
        path = key_files.get(officer)
        if path is not None:
            save_signing_key(path, author.key, DEMO_PASSPHRASE)
        name = "Ledger authority" if officer == ROOT_OFFICER else names[officer]
        accounts.append(DemoAccount(officer, author.unit, name, description, author.key.key_id, path))
    return DemoSummary(total, demo_key(ROOT_OFFICER).key_id, tuple(accounts), _cases(story))


def load_demo_instance(
    instance: Instance, ledger: Ledger, *, progress: Callable[[int, int], None] | None = None
) -> DemoSummary:
    """Load the demo into `instance`'s empty `ledger`, and make the instance a demo instance.

    The demo accounts' key files go into the instance's key folder; the demo's root key is
    pinned; the configuration marks the instance as a demo whose authority key file (the
    root's) approves at once the keys officers make in the browser.
    """
    summary = load_demo(ledger, instance.documents(), keys_dir=instance.keys_path, progress=progress)
    instance.pin_root_key(summary.root_key_id)
    instance.mark_demo(instance.keys_path / f"{ROOT_OFFICER}.key", DEMO_PASSPHRASE)
    return summary


def add_demo_accounts(accounts: AccountStore) -> list[str]:
    """A web login for every demo officer (password `DEMO_PASSWORD`); the logins added."""
    taken = {account.officer for account in accounts.accounts()}
    added = []
    for officer in OFFICERS:
        if officer.officer_id not in taken:
            accounts.add_account(officer.officer_id, officer.officer_id, DEMO_PASSWORD)
            added.append(officer.officer_id)
    return added


__all__ = [
    "COMMITTEE",
    "COMMUNE_OFFICER",
    "DEMO_PASSPHRASE",
    "DEMO_PASSWORD",
    "HEADS",
    "INDICES",
    "OFFICERS",
    "RATED_UNITS",
    "RULESET_INDICES",
    "SCORES",
    "SKHDT_OFFICER",
    "SNV_OFFICER",
    "UNITS",
    "DemoAccount",
    "DemoCases",
    "DemoSummary",
    "add_demo_accounts",
    "demo_key",
    "demo_pdf",
    "load_demo",
    "load_demo_instance",
    "result_rows",
]

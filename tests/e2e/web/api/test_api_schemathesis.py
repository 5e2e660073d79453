"""Schemathesis against /api/v1: cases generated from the app's own OpenAPI document, every check.

The document is loaded from the Flask app (`schemathesis.openapi.from_wsgi`) on a copy of the
demo province, and each operation is called with generated valid and invalid input, without a
session and with an auditor's (who may read everything). Every built-in check runs on every
response: no server error, the status, content type, headers and body each as the document
declares, invalid input refused and valid input accepted. A case the checks flag is fixed in
the API or made precise in the document (web/api/openapi.py, web/api/schemas.py). One check
is replaced for one operation, with the reason: a schema-valid envelope is still refused when
its signature does not verify, which no JSON Schema can state, so for ``POST /envelopes``
"valid input accepted" becomes "valid input passes the API's own schema" (a refusal, if any,
is the ledger's own code, never ``invalid``). The app runs with TESTING off, so an exception
is the 500 a client would see. `MAX_EXAMPLES` bounds the run to under a minute on two cores.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from webtest import log_in

from demo.loader import OFFICERS
from web import create_app
from web.api.schemas import MAX_ENTRIES_PAGE
from web.instance import Instance
from web.security import SESSION_COOKIE

AUDITOR = next(o.officer_id for o in OFFICERS if "auditor" in o.roles)
#: Cases per operation and per way of calling it.
MAX_EXAMPLES = 25
#: The largest integer SQLite and PostgreSQL store (signed 64 bits).
MAX_INTEGER = 2**63 - 1


@pytest.fixture(scope="module")
def api_app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The web app on a copy of the demo, shared by every case (nothing generated can sign an envelope)."""
    path = tmp_path_factory.mktemp("schemathesis") / "instance"
    shutil.copytree(demo_template, path)
    app = create_app({"TESTING": False}, instance=Instance(path, f"sqlite:///{path / 'ledger.sqlite3'}"))
    yield app
    app.extensions["ledger"].close()


@pytest.fixture(scope="module")
def api_schema(api_app: Flask) -> Any:
    """The document the app serves, with the rules between parameters that it states in words."""
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    loaded.hook(map_query)
    return loaded


def map_query(ctx: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
    """Each generated query made to keep the rules between two parameters that JSON Schema cannot state,
    as the document describes them: `to` at least `from`; `end` from `start` to `start` + 999 (a page)."""
    if not query:
        return query
    first, last = query.get("from"), query.get("to")
    if isinstance(first, int) and isinstance(last, int) and first > last:
        query = {**query, "from": last, "to": first}
    start, end = query.get("start", 1), query.get("end")  # start's default is 1
    if isinstance(start, int) and isinstance(end, int) and not 0 <= end - start < MAX_ENTRIES_PAGE:
        query = {**query, "end": start + abs(end - start) % MAX_ENTRIES_PAGE}
        if query["end"] > MAX_INTEGER:
            query["end"] = start
    return query


@pytest.fixture(scope="module")
def auditor_cookie(api_app: Flask) -> dict[str, str]:
    """The Cookie header of an auditor's session, logged in through the login form."""
    client = api_app.test_client()
    log_in(client, AUDITOR)
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    return {"Cookie": f"{SESSION_COOKIE}={cookie.value}"}


#: The one operation whose schema-valid input the API may still refuse: an envelope's signature and
#: statement are checked by the ledger, which no JSON Schema can say (a signature that verifies).
SIGNED = "POST /api/v1/envelopes"


def refused_only_by_the_ledger(ctx: Any, response: Any, case: Any) -> None:
    """A schema-valid envelope passes the API's own schema: if it is refused (422), the ledger refused it."""
    if response.status_code == 422:
        code = response.json()["code"]
        assert code != "invalid", f"the API's schema refused an envelope its document calls valid: {response.text}"


def cases_of(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> Any:
    """A Hypothesis test: `MAX_EXAMPLES` cases of `mode` on `operation`, each answer put through every check."""
    checks: dict[str, Any] = {}
    if operation.label == SIGNED and mode is GenerationMode.POSITIVE:
        checks = {"excluded_checks": [positive_data_acceptance], "additional_checks": [refused_only_by_the_ledger]}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, **checks)

    return run


def failures_of(api_schema: Any, mode: GenerationMode, headers: dict[str, str]) -> list[str]:
    """Run the cases of `mode` on each operation; the failures found, by operation."""
    found = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        try:
            cases_of(operation, mode, headers)()
        except Unsatisfiable:  # nothing to make invalid: an operation without parameters or a body
            assert mode is GenerationMode.NEGATIVE, operation.label
        except Exception as failure:  # a check's failure or a server error, reported with its case
            found.append(f"{operation.label}: {failure}")
    return found


@pytest.mark.parametrize("mode", list(GenerationMode))
def test_the_api_answers_every_generated_case_as_documented_without_a_session(
    api_schema: Any, mode: GenerationMode
) -> None:
    failures = failures_of(api_schema, mode, {})
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("mode", list(GenerationMode))
def test_the_api_answers_every_generated_case_as_documented_to_an_auditor(
    api_schema: Any, auditor_cookie: dict[str, str], mode: GenerationMode
) -> None:
    failures = failures_of(api_schema, mode, auditor_cookie)
    assert not failures, "\n\n".join(failures)

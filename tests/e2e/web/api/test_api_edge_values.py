"""Edge values of the API's integers: every one is bounded in its schema, and past the bound it is 422.

Entry numbers and tree sizes above 2**63 - 1 do not fit the databases' integers: they used to
reach SQLite and end in an OverflowError (a 500). Each integer parameter of each route is
given far past its bound, as an auditor (who may call every route); the answer is a 422 that
names the parameter. The OpenAPI document says each bound.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from webtest import log_in

from demo.loader import OFFICERS
from web.api.schemas import ErrorSchema

API = "/api/v1"
AUDITOR = next(o.officer_id for o in OFFICERS if "auditor" in o.roles)
#: The largest integer SQLite and PostgreSQL store (signed 64 bits).
MAX_INTEGER = 2**63 - 1
TOO_BIG = (str(2**63), str(10**30))

#: Each integer parameter of the API: (operation, its name, the URL with {} for its value).
INTEGERS = [
    ("log_checkpoint", "size", f"{API}/log/checkpoint?size={{}}"),
    ("log_proof", "index", f"{API}/log/proof?index={{}}"),
    ("log_proof", "size", f"{API}/log/proof?index=1&size={{}}"),
    ("log_entries", "start", f"{API}/log/entries?start={{}}"),
    ("log_entries", "end", f"{API}/log/entries?start=1&end={{}}"),
    ("log_consistency", "from", f"{API}/log/consistency?from={{}}&to=2"),
    ("log_consistency", "to", f"{API}/log/consistency?from=1&to={{}}"),
    ("receipt", "seq", f"{API}/receipts/{{}}"),
    ("ratings", "year", f"{API}/ratings?year={{}}"),
    ("index_results", "year", f"{API}/index-results?index=PAR_UNIT&year={{}}"),
    ("deadlines", "year", f"{API}/deadlines?year={{}}"),
]


@pytest.fixture
def auditor(demo_client: FlaskClient) -> FlaskClient:
    log_in(demo_client, AUDITOR)
    return demo_client


def integer_parameters(client: FlaskClient) -> dict[tuple[str, str], dict]:
    """Every integer parameter of the OpenAPI document, by (operationId, name): its schema."""
    document = client.get(f"{API}/openapi.json").get_json()
    found = {}
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation["parameters"]:
                schema = parameter["schema"]
                if "integer" in (schema.get("type"), *(schema.get("type") or ())):
                    found[(operation["operationId"], parameter["name"])] = schema
    return found


def test_every_integer_parameter_of_the_document_has_a_lower_and_an_upper_bound(demo_client: FlaskClient) -> None:
    parameters = integer_parameters(demo_client)

    assert set(parameters) == {(operation, name) for operation, name, _ in INTEGERS}
    for key, schema in parameters.items():
        assert "minimum" in schema, key
        assert schema.get("maximum", MAX_INTEGER + 1) <= MAX_INTEGER, key
    assert parameters[("ratings", "year")] == {"type": "integer", "minimum": 2000, "maximum": 2100}
    assert parameters[("log_checkpoint", "size")]["maximum"] == 2**63 - 1


@pytest.mark.parametrize("value", TOO_BIG)
@pytest.mark.parametrize(("operation", "name", "url"), INTEGERS)
def test_an_integer_past_its_bound_is_422_naming_it(
    auditor: FlaskClient, operation: str, name: str, url: str, value: str
) -> None:
    response = auditor.get(url.format(value))

    assert response.status_code == 422, (operation, response.get_data(as_text=True)[:300])
    body = response.get_json()
    ErrorSchema().load(body)
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [name]
    assert name in body["message"]


@pytest.mark.parametrize("url", [f"{API}/log/checkpoint?size={MAX_INTEGER}", f"{API}/log/proof?index=1&size={2**62}"])
def test_the_largest_size_a_database_holds_is_simply_not_found(demo_client: FlaskClient, url: str) -> None:
    response = demo_client.get(url)

    assert response.status_code == 404
    assert list(response.get_json()["errors"]) == ["size"]

"""Who may sign what, and the domain rules, through `Ledger.append` on an in-memory ledger.

Every refusal is checked three ways: the error class, the field it names, a fragment of
its message — and that nothing was appended (the head and the stored log are unchanged).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from itertools import count
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from world import AT, PDF, World, key_for, results_rows

from keys import SigningKey
from ledger.application import Ledger, Receipt
from ledger.domain.handlers import gather_inputs, statement_types
from ledger.domain.indices import Lateness
from ledger.domain.ratings import Rating
from ledger.domain.rules import NOT_EVALUATED, evaluate
from ledger.domain.submissions import Submission
from ledger.errors import (
    DuplicateError,
    LedgerError,
    NotAuthorizedError,
    NotFoundError,
    PayloadError,
    ReplayError,
    RuleError,
    SignatureError,
)
from ledger.signing.envelope import PAYLOAD_TYPE, Author, Envelope, Signature, canonical_json, compose, pae

PAR = "submission/index-results/PAR_UNIT/2024"
RATING_323 = "rating/2024/323"
SCORES = {"SNV": "91.5", "STTTT": "84.0", "STC": "72.25", "323": "88.0", "325": "79.5"}
CORRECTED = {**SCORES, "323": "95.0"}
DOCUMENT = {
    "sha256": hashlib.sha256(PDF).hexdigest(),
    "size": len(PDF),
    "media_type": "application/pdf",
    "name": "Báo cáo cải cách hành chính quý III.pdf",
}


# Helpers --------------------------------------------------------------------------------


@pytest.fixture
def world() -> World:
    return World.build(Ledger())


@pytest.fixture
def published(world: World) -> World:
    world.publish_par_2024()
    return world


@pytest.fixture
def computed(published: World) -> World:
    published.ledger.append(published["snv.chuyen-vien"].sign("rating.compute", RATING_323, compute_body(published)))
    return published


@pytest.fixture
def decided(computed: World) -> World:
    computed.append("ubnd.chu-tich", "rating.decide", RATING_323, {"level": "HTT", "decision": "QĐ 200/QĐ-UBND"})
    return computed


def refused(
    world: World,
    envelope: Envelope,
    error: type[LedgerError],
    *,
    field: str | None,
    match: str,
    recorded_at: datetime = AT,
) -> LedgerError:
    """Append `envelope`, expect `error` naming `field`, and check that nothing was stored."""
    ledger = world.ledger
    head = ledger.head
    stored = ledger.ledger_recorder.max_seq()
    with pytest.raises(error, match=match) as info:
        ledger.append(envelope, recorded_at=recorded_at)
    assert info.value.field == field
    assert ledger.head == head
    assert ledger.ledger_recorder.max_seq() == stored == head
    assert ledger.ledger_recorder.select_unlogged() == []
    return info.value


def results_body(world: World, scores: dict[str, str] | None = None, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "measured_year": 2024,
        "decision": "QĐ 123/QĐ-UBND",
        "published_on": "2024-10-01",
        "results": results_rows(world.ledger, scores or SCORES),
    }
    body.update(changes)
    return body


def correction_body(world: World, scores: dict[str, str] = CORRECTED, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reason": "Sai sót khi tổng hợp điểm của Thành phố Hưng Yên",
        "decision": "QĐ 130/QĐ-UBND",
        "replacement": results_body(world, scores),
    }
    body.update(changes)
    return body


def compute_body(world: World, unit: str = "323", **changes: Any) -> dict[str, Any]:
    """A rating.compute body as SNV's tools prepare it: the ledger's inputs and level."""
    ruleset = world.ledger.get("ruleset/v1")
    inputs, missing = gather_inputs(world.ledger, 2024, unit, ruleset)  # type: ignore[arg-type]
    body: dict[str, Any] = {
        "officer": world.ledger.get(f"unit/{unit}").head,  # type: ignore[union-attr]
        "ruleset": "v1",
        "inputs": [i.to_json() for i in inputs],
        "missing": list(missing),
        "level": evaluate(ruleset.parameters, inputs, missing).level,  # type: ignore[union-attr]
    }
    body.update(changes)
    return body


def document_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"title": "Báo cáo quý III", "issued_on": "2024-09-30", "document": DOCUMENT}
    body.update(changes)
    return body


def signed_bytes(key: SigningKey, payload: bytes) -> Envelope:
    """A correctly signed envelope over payload bytes that `seal` would never produce."""
    return Envelope(PAYLOAD_TYPE, payload, (Signature(key.key_id, key.sign(pae(PAYLOAD_TYPE, payload))),))


def publication_payload(world: World) -> bytes:
    return canonical_json(
        compose(
            "submission.index-results",
            unit="SNV",
            officer="snv.giam-doc",
            subject=PAR,
            body=results_body(world),
        )
    )


def rating(world: World, subject: str = RATING_323) -> Rating:
    record = world.ledger.get(subject)
    assert isinstance(record, Rating)
    return record


def submission(world: World, subject: str = PAR) -> Submission:
    record = world.ledger.get(subject)
    assert isinstance(record, Submission)
    return record


# The world itself -----------------------------------------------------------------------


def test_the_world_is_built_from_signed_entries_only(world: World) -> None:
    assert world.ledger.head == world.ledger.ledger_recorder.max_seq() > 30
    assert [entry.seq for entry in world.ledger.entries()] == list(range(1, world.ledger.head + 1))


def test_every_statement_type_has_a_handler() -> None:
    assert "ledger.initialise" in statement_types()
    assert "rating.resolve-appeal" in statement_types()


# Envelopes and payloads ------------------------------------------------------------------


def test_malformed_envelope_json_is_refused_before_it_reaches_the_ledger(world: World) -> None:
    head = world.ledger.head
    good = world["snv.giam-doc"].sign("submission.index-results", PAR, results_body(world)).to_bytes()
    with pytest.raises(PayloadError, match="not valid JSON") as info:
        Envelope.from_bytes(good[:-1])
    assert info.value.field == "envelope"
    assert world.ledger.head == head


def test_a_correctly_signed_payload_with_a_float_is_refused(world: World) -> None:
    payload = publication_payload(world).replace(b'"score":"91.5"', b'"score":91.5')
    refused(world, signed_bytes(key_for("snv.giam-doc"), payload), PayloadError, field="payload", match="fraction")


def test_a_correctly_signed_payload_with_duplicate_keys_is_refused(world: World) -> None:
    payload = publication_payload(world).replace(b'"measured_year":2024', b'"measured_year":2024,"measured_year":2023')
    refused(world, signed_bytes(key_for("snv.giam-doc"), payload), PayloadError, field="payload", match="twice")


def test_a_correctly_signed_payload_with_nan_is_refused(world: World) -> None:
    payload = publication_payload(world).replace(b'"measured_year":2024', b'"measured_year":NaN')
    refused(
        world, signed_bytes(key_for("snv.giam-doc"), payload), PayloadError, field="payload", match="NaN is not allowed"
    )


def test_a_correctly_signed_payload_in_non_canonical_form_is_refused(world: World) -> None:
    payload = publication_payload(world).replace(b'"measured_year":2024', b'"measured_year": 2024')
    refused(
        world, signed_bytes(key_for("snv.giam-doc"), payload), PayloadError, field="payload", match="canonical form"
    )


def test_a_correctly_signed_payload_with_a_huge_integer_is_refused(world: World) -> None:
    payload = publication_payload(world).replace(b'"measured_year":2024', b'"measured_year":9007199254740993')
    refused(
        world,
        signed_bytes(key_for("snv.giam-doc"), payload),
        PayloadError,
        field="payload.body.measured_year",
        match="2\\^53",
    )


def test_an_unknown_body_field_is_refused(world: World) -> None:
    envelope = world["snv.giam-doc"].sign("submission.index-results", PAR, results_body(world, comment="đã rà soát"))
    refused(world, envelope, PayloadError, field="body", match="unknown field 'comment'")


def test_an_unknown_field_in_a_result_row_is_refused(world: World) -> None:
    body = results_body(world)
    body["results"][2]["note"] = "xem lại"
    envelope = world["snv.giam-doc"].sign("submission.index-results", PAR, body)
    refused(world, envelope, PayloadError, field="body.results[2]", match="unknown field 'note'")


@pytest.mark.parametrize("published_on", ["2023-12-31", "2025-01-01"])
def test_a_publication_date_outside_the_cycle_year_is_refused(world: World, published_on: str) -> None:
    envelope = world["snv.giam-doc"].sign(
        "submission.index-results", PAR, results_body(world, published_on=published_on)
    )
    refused(world, envelope, PayloadError, field="body.published_on", match="lies outside the cycle year 2024")


def test_a_publication_date_not_on_the_calendar_is_refused(world: World) -> None:
    envelope = world["snv.giam-doc"].sign(
        "submission.index-results", PAR, results_body(world, published_on="2024-02-30")
    )
    refused(world, envelope, PayloadError, field="body.published_on", match="not a date on the calendar")


def test_a_document_issued_outside_the_cycle_year_is_refused(world: World) -> None:
    envelope = world["hy.chu-tich"].sign(
        "submission.document", "submission/document/323/2024/bao-cao", document_body(issued_on="2023-12-31")
    )
    error = refused(
        world, envelope, PayloadError, field="body.issued_on", match="31/12/2023 lies outside the cycle year"
    )
    assert error.code == "outside_the_cycle_year"


def test_a_deadline_outside_the_cycle_year_is_refused(world: World) -> None:
    envelope = world["snv.giam-doc"].sign(
        "cycle.open",
        "cycle/2025",
        {
            "deadlines": {
                "results_published": "2024-11-01",
                "results_transmitted": "2025-11-05",
                "ratings_published": "2025-11-15",
            }
        },
    )
    refused(world, envelope, PayloadError, field="body.deadlines.results_published", match="outside the cycle year")


@pytest.mark.parametrize(
    ("score", "match"),
    [("8,5", "decimal written as a string"), ("87.123456", "decimal written as a string")],
)
def test_a_score_in_another_spelling_is_refused(world: World, score: str, match: str) -> None:
    body = results_body(world)
    body["results"][0]["score"] = score
    envelope = world["snv.giam-doc"].sign("submission.index-results", PAR, body)
    refused(world, envelope, PayloadError, field="body.results[0].score", match=match)


def test_a_score_written_as_a_json_number_is_refused(world: World) -> None:
    body = results_body(world)
    body["results"][0]["score"] = 91
    envelope = world["snv.giam-doc"].sign("submission.index-results", PAR, body)
    refused(world, envelope, PayloadError, field="body.results[0].score", match="decimal written as a string")


def test_a_rank_written_as_a_string_is_refused(world: World) -> None:
    body = results_body(world)
    body["results"][0]["rank"] = "1"
    envelope = world["snv.giam-doc"].sign("submission.index-results", PAR, body)
    refused(world, envelope, PayloadError, field="body.results[0].rank", match="whole number")


def test_a_name_with_a_bidi_override_is_refused(world: World) -> None:
    envelope = world["hy.chu-tich"].sign(
        "submission.document", "submission/document/323/2024/bao-cao", document_body(title="bao_cao\u202efdp.exe")
    )
    refused(world, envelope, PayloadError, field="body.title", match="control or invisible")


def test_an_unknown_statement_type_is_refused(world: World) -> None:
    envelope = world["root"].sign("unit.delete", "unit/325", {"decision": "QĐ 1"})
    refused(world, envelope, PayloadError, field="type", match="unknown statement type 'unit.delete'")


def test_a_subject_of_the_wrong_form_is_refused(world: World) -> None:
    envelope = world["snv.giam-doc"].sign(
        "submission.index-results", "submission/document/SNV/2024/par", results_body(world)
    )
    refused(world, envelope, PayloadError, field="subject", match="is filed under submission/index-results/")


def test_a_submission_for_a_year_without_a_cycle_is_refused(world: World) -> None:
    envelope = world["snv.giam-doc"].sign(
        "submission.index-results", "submission/index-results/PAR_UNIT/2025", results_body(world)
    )
    error = refused(world, envelope, RuleError, field=None, match="no assessment cycle was opened for 2025")
    assert (error.code, error.params) == ("no_cycle", {"year": 2025})


# Initialisation -------------------------------------------------------------------------


def test_no_statement_is_accepted_before_ledger_initialise() -> None:
    ledger = World(Ledger())
    ledger.authors["root"] = Author(key_for("root"), "authority", "root")
    envelope = ledger["root"].sign("unit.register", "unit/SNV", {"name": "Sở Nội vụ", "class": "department"})
    refused(ledger, envelope, NotFoundError, field="type", match="not initialised yet")
    assert ledger.ledger.head == 0


def test_the_ledger_cannot_be_initialised_twice(world: World) -> None:
    root = key_for("root")
    envelope = world["root"].sign(
        "ledger.initialise", "authority", {"name": "UBND tỉnh Hưng Yên", "root_public_key": root.verifying_key.base64}
    )
    refused(world, envelope, DuplicateError, field="type", match="already initialised")


def test_a_second_root_cannot_initialise_an_initialised_ledger(world: World) -> None:
    other = key_for("another root")
    envelope = Author(other, "authority", "root").sign(
        "ledger.initialise", "authority", {"name": "Kẻ mạo danh", "root_public_key": other.verifying_key.base64}
    )
    refused(world, envelope, SignatureError, field=None, match="never registered")


def test_ledger_initialise_must_be_signed_by_the_root_key_it_names() -> None:
    world = World(Ledger())
    root = key_for("root")
    envelope = Author(key_for("impostor"), "authority", "root").sign(
        "ledger.initialise", "authority", {"name": "UBND tỉnh Hưng Yên", "root_public_key": root.verifying_key.base64}
    )
    refused(world, envelope, SignatureError, field=None, match="signed by the root key it names")


def test_a_pinned_root_key_refuses_any_other_root() -> None:
    world = World(Ledger(env={"ROOT_KEY_ID": key_for("root").key_id}))
    other = key_for("another root")
    envelope = Author(other, "authority", "root").sign(
        "ledger.initialise", "authority", {"name": "UBND tỉnh Hưng Yên", "root_public_key": other.verifying_key.base64}
    )
    refused(world, envelope, SignatureError, field=None, match="is not the pinned")


def test_ledger_initialise_is_about_the_authority_only() -> None:
    world = World(Ledger())
    root = key_for("root")
    envelope = Author(root, "authority", "root").sign(
        "ledger.initialise", "unit/SNV", {"name": "UBND tỉnh Hưng Yên", "root_public_key": root.verifying_key.base64}
    )
    refused(world, envelope, PayloadError, field="subject", match="ledger.initialise is about 'authority'")


# Signers, keys and units ----------------------------------------------------------------


def test_an_officer_of_323_cannot_sign_as_unit_325(world: World) -> None:
    impostor = Author(key_for("hy.chuyen-vien"), "325", "hy.chuyen-vien")
    envelope = impostor.sign("submission.document", "submission/document/325/2024/bao-cao", document_body())
    refused(world, envelope, NotAuthorizedError, field="unit", match="belongs to 323; a unit acts only for itself")


def test_a_unit_cannot_file_a_document_for_another_unit(world: World) -> None:
    envelope = world["hy.chu-tich"].sign("submission.document", "submission/document/325/2024/bao-cao", document_body())
    refused(world, envelope, NotAuthorizedError, field=None, match="323 cannot file for 325")


def test_a_ledger_without_a_document_store_refuses_every_document(world: World) -> None:
    envelope = world["hy.chu-tich"].sign("submission.document", "submission/document/323/2024/bao-cao", document_body())
    refused(world, envelope, NotFoundError, field="body.document", match="no document store")


def test_a_key_used_by_another_officer_than_its_holder_is_refused(world: World) -> None:
    borrowed = Author(key_for("hy.chuyen-vien"), "323", "hy.chu-tich")
    envelope = borrowed.sign("rating.appeal", RATING_323, {"grounds": "Không đồng ý"})
    refused(world, envelope, NotAuthorizedError, field="officer", match="belongs to officer hy.chuyen-vien")


def test_an_unregistered_key_is_refused(world: World) -> None:
    stranger = Author(key_for("stranger"), "323", "hy.chuyen-vien")
    envelope = stranger.sign("submission.document", "submission/document/323/2024/bao-cao", document_body())
    refused(world, envelope, SignatureError, field=None, match="a key the ledger never registered")


def test_a_revoked_key_can_no_longer_sign(world: World) -> None:
    key_id = key_for("snv.chuyen-vien").key_id
    world.append("root", "key.revoke", f"key/{key_id}", {"reason": "Mất thiết bị ký số"})
    envelope = world["snv.chuyen-vien"].sign("submission.index-results", PAR, results_body(world))
    refused(world, envelope, SignatureError, field=None, match="which was revoked before this entry")


def test_an_envelope_signed_before_a_revocation_is_refused_after_it(world: World) -> None:
    envelope = world["snv.chuyen-vien"].sign("submission.index-results", PAR, results_body(world))
    world.append("snv.chuyen-vien", "key.revoke", f"key/{key_for('snv.chuyen-vien').key_id}", {"reason": "Nghỉ hưu"})
    refused(world, envelope, SignatureError, field=None, match="revoked")


def test_the_same_statement_is_accepted_from_a_key_that_is_not_revoked(world: World) -> None:
    receipt = world.append("snv.chuyen-vien", "submission.index-results", PAR, results_body(world))
    assert receipt.seq == world.ledger.head


def test_a_key_cannot_be_revoked_twice(world: World) -> None:
    subject = f"key/{key_for('hy.chuyen-vien').key_id}"
    world.append("root", "key.revoke", subject, {"reason": "Mất thiết bị ký số"})
    envelope = world["root"].sign("key.revoke", subject, {"reason": "Lần nữa"})
    refused(world, envelope, RuleError, field=None, match="already revoked")


def test_an_officer_cannot_revoke_a_colleagues_key(world: World) -> None:
    envelope = world["hy.chuyen-vien"].sign(
        "key.revoke", f"key/{key_for('vl.chu-tich').key_id}", {"reason": "Không rõ"}
    )
    refused(world, envelope, NotAuthorizedError, field=None, match="revoked by its holder")


def test_the_root_key_signs_only_as_the_authority(world: World) -> None:
    envelope = Author(key_for("root"), "SNV", "snv.giam-doc").sign("submission.index-results", PAR, results_body(world))
    refused(world, envelope, NotAuthorizedError, field=None, match="the root key signs as authority/root only")


def test_only_an_administrator_registers_a_unit(world: World) -> None:
    envelope = world["hy.chu-tich"].sign("unit.register", "unit/11950", {"name": "Phường Lam Sơn", "class": "commune"})
    refused(world, envelope, NotAuthorizedError, field=None, match="registers units")


def test_a_dissolved_unit_can_no_longer_act(world: World) -> None:
    world.append("root", "unit.dissolve", "unit/325", {"decision": "NQ 1/NQ-UBTVQH15"})
    envelope = world["vl.chu-tich"].sign("rating.appeal", "rating/2024/325", {"grounds": "Không đồng ý"})
    refused(world, envelope, RuleError, field=None, match="unit 325 was dissolved")


# Duplicates and replays -----------------------------------------------------------------


def test_the_same_subject_cannot_be_created_twice(published: World) -> None:
    envelope = published["snv.giam-doc"].sign("submission.index-results", PAR, results_body(published))
    refused(published, envelope, DuplicateError, field="subject", match=f"{PAR} already exists")


def test_an_index_cannot_be_defined_twice(world: World) -> None:
    envelope = world["root"].sign(
        "index.define",
        "index/PAR_UNIT",
        {
            "name": "Chỉ số CCHC",
            "lead": "SNV",
            "classes": ["district"],
            "level": "unit",
            "scale": {"maximum": "100", "unit": "percent"},
            "legal_basis": "Art.4(1)(a)",
        },
    )
    refused(world, envelope, DuplicateError, field="subject", match="index/PAR_UNIT already exists")


def test_the_same_envelope_twice_is_a_replay_naming_the_first_entry(world: World) -> None:
    envelope = world["snv.giam-doc"].sign("submission.index-results", PAR, results_body(world))
    first = world.ledger.append(envelope, recorded_at=AT)
    refused(world, envelope, ReplayError, field=None, match=f"already appended as entry {first.seq}$")


def test_the_same_statement_re_signed_with_the_same_nonce_is_a_replay(world: World) -> None:
    author = world["snv.giam-doc"]
    nonce = "00112233445566778899aabbccddeeff"
    first = world.ledger.append(
        author.sign("submission.index-results", PAR, results_body(world), nonce=nonce), recorded_at=AT
    )
    again = author.sign(
        "submission.index-results", PAR, results_body(world), nonce=nonce, client_time=datetime(2024, 10, 2, tzinfo=UTC)
    )
    refused(world, again, ReplayError, field=None, match=f"nonce {nonce}\\) was already appended as entry {first.seq}")


def test_a_nonce_cannot_be_reused_for_another_statement(world: World) -> None:
    nonce = "ffeeddccbbaa99887766554433221100"
    first = world.ledger.append(
        world["snv.giam-doc"].sign("submission.index-results", PAR, results_body(world), nonce=nonce), recorded_at=AT
    )
    other = world["hy.chu-tich"].sign("rating.appeal", RATING_323, {"grounds": "Không đồng ý"}, nonce=nonce)
    refused(world, other, ReplayError, field=None, match=f"already appended as entry {first.seq}")


# Index results --------------------------------------------------------------------------


def test_a_department_cannot_publish_results_of_an_index_it_does_not_lead(world: World) -> None:
    envelope = world["stttt.giam-doc"].sign("submission.index-results", PAR, results_body(world))
    refused(world, envelope, NotAuthorizedError, field=None, match="index PAR_UNIT is led by SNV; STTTT cannot")


def test_ranks_that_disagree_with_scores_are_refused(world: World) -> None:
    body = results_body(world)
    body["results"][0]["rank"], body["results"][1]["rank"] = 2, 1  # SNV 91.5 ranked below STTTT 84.0
    envelope = world["snv.giam-doc"].sign("submission.index-results", PAR, body)
    refused(world, envelope, PayloadError, field="body.results[0].rank", match="must be 1: 1 \\+ the number of units")


def test_ranks_with_gaps_are_refused(world: World) -> None:
    body = results_body(world)
    body["results"][1]["rank"] = 5  # STTTT is second of three departments, not fifth
    envelope = world["snv.giam-doc"].sign("submission.index-results", PAR, body)
    refused(world, envelope, PayloadError, field="body.results[1].rank", match="must be 2")


def test_tied_scores_must_share_a_rank(world: World) -> None:
    body = results_body(world, {**SCORES, "325": "88.0"})
    body["results"][4]["rank"] = 2
    envelope = world["snv.giam-doc"].sign("submission.index-results", PAR, body)
    refused(world, envelope, PayloadError, field="body.results[4].rank", match="ties share the better rank")


def test_ranks_are_compared_within_each_unit_class_only(world: World) -> None:
    # 323 (district, 88.0) ranks 1 among districts while SNV (department, 91.5) ranks 1 among departments.
    receipt = world.append("snv.giam-doc", "submission.index-results", PAR, results_body(world), recorded_at=AT)
    assert receipt.seq == world.ledger.head


def test_a_score_above_the_index_scale_is_refused(world: World) -> None:
    envelope = world["snv.giam-doc"].sign(
        "submission.index-results", PAR, results_body(world, {**SCORES, "STC": "100.5"})
    )
    refused(world, envelope, PayloadError, field="body.results[2].score", match="exceeds the index's maximum of 100")


def test_results_for_a_unit_the_index_does_not_measure_are_refused(world: World) -> None:
    envelope = world["snv.giam-doc"].sign(
        "submission.index-results", PAR, results_body(world, {**SCORES, "UBND-TINH": "50"})
    )
    refused(
        world, envelope, PayloadError, field="body.results[5].unit", match="UBND-TINH is a province; index PAR_UNIT"
    )


def test_results_for_an_unknown_unit_are_refused(world: World) -> None:
    body = results_body(world)
    body["results"].append({"unit": "999", "score": "50", "rank": 3})
    envelope = world["snv.giam-doc"].sign("submission.index-results", PAR, body)
    refused(world, envelope, NotFoundError, field="body.results[5].unit", match="unit/999 does not exist")


def test_results_listing_a_unit_twice_are_refused(world: World) -> None:
    body = results_body(world)
    body["results"].append(dict(body["results"][0]))
    envelope = world["snv.giam-doc"].sign("submission.index-results", PAR, body)
    refused(world, envelope, PayloadError, field="body.results", match="lists unit SNV twice")


def test_a_measured_year_before_the_previous_year_is_refused(world: World) -> None:
    envelope = world["snv.giam-doc"].sign("submission.index-results", PAR, results_body(world, measured_year=2022))
    refused(world, envelope, PayloadError, field="body.measured_year", match="between 2023 and 2024")


# Corrections ----------------------------------------------------------------------------


def test_a_department_cannot_correct_another_departments_submission(published: World) -> None:
    envelope = published["stttt.giam-doc"].sign("submission.correct", PAR, correction_body(published))
    refused(published, envelope, NotAuthorizedError, field=None, match=re.escape("from the submitting unit (SNV)"))
    assert len(submission(published).versions) == 1


def test_published_results_cannot_be_corrected_without_a_decision(published: World) -> None:
    body = correction_body(published)
    del body["decision"]
    envelope = published["snv.giam-doc"].sign("submission.correct", PAR, body)
    refused(published, envelope, PayloadError, field="body.decision", match="on the authority of a decision")
    assert len(submission(published).versions) == 1


def test_a_correction_supersedes_and_keeps_the_earlier_version(published: World) -> None:
    receipt = published.append("snv.giam-doc", "submission.correct", PAR, correction_body(published))
    assert receipt.event_type == "par:Submission.Corrected.v1"
    record = submission(published)
    assert [str(v.row_for("323").score) for v in record.versions] == ["88.0", "95.0"]
    assert record.current.row_for("323").score == 95
    assert record.corrections[0].decision == "QĐ 130/QĐ-UBND"
    assert record.corrections[0].signer.officer == "snv.giam-doc"
    assert [event.originator_version for event in published.ledger.history(PAR)] == [1, 2]


def test_a_correction_identical_to_the_version_in_force_is_refused(published: World) -> None:
    envelope = published["snv.giam-doc"].sign("submission.correct", PAR, correction_body(published, SCORES))
    refused(published, envelope, RuleError, field=None, match="identical to the version in force")


def test_a_correction_is_checked_like_the_original(published: World) -> None:
    body = correction_body(published)
    body["replacement"]["results"][0]["rank"] = 3
    envelope = published["snv.giam-doc"].sign("submission.correct", PAR, body)
    refused(published, envelope, PayloadError, field="body.replacement.results[0].rank", match="must be 1")


def test_a_correction_with_a_malformed_replacement_names_the_replacement_field(published: World) -> None:
    body = correction_body(published)
    body["replacement"]["published_on"] = "01/10/2024"
    envelope = published["snv.giam-doc"].sign("submission.correct", PAR, body)
    refused(published, envelope, PayloadError, field="body.replacement.published_on", match="YYYY-MM-DD")


def test_a_correction_of_a_submission_that_does_not_exist_is_refused(world: World) -> None:
    envelope = world["snv.giam-doc"].sign("submission.correct", PAR, correction_body(world))
    refused(world, envelope, NotFoundError, field="subject", match=f"{PAR} does not exist")


# Lateness -------------------------------------------------------------------------------


def test_a_late_publication_is_accepted_and_flagged(world: World) -> None:
    receipt = world.publish_par_2024(recorded_at=datetime(2024, 11, 3, 3, 0, tzinfo=UTC))
    assert receipt.notes == (Lateness("results_published", 3),)
    assert [str(note) for note in receipt.notes] == ["late:results_published:3"]  # as the API writes it
    assert receipt.recorded_at == datetime(2024, 11, 3, 3, 0, tzinfo=UTC)


def test_a_publication_on_the_last_day_before_the_deadline_is_on_time(world: World) -> None:
    # 31/10 23:59:59 in Hưng Yên is 16:59:59 UTC.
    receipt = world.publish_par_2024(recorded_at=datetime(2024, 10, 31, 16, 59, 59, tzinfo=UTC))
    assert receipt.notes == ()


def test_lateness_is_counted_in_hung_yen_time_not_utc(world: World) -> None:
    # 31/10 17:00 UTC is already 01/11 00:00 in Hưng Yên: one day late for "before 01/11".
    receipt = world.publish_par_2024(recorded_at=datetime(2024, 10, 31, 17, 0, tzinfo=UTC))
    assert receipt.notes == (Lateness("results_published", 1),)


@pytest.mark.parametrize(
    ("recorded_at", "notes"),
    [
        (datetime(2024, 11, 5, 16, 59, tzinfo=UTC), ()),  # 05/11 23:59 local: "by 05/11" is on time
        (datetime(2024, 11, 5, 17, 0, tzinfo=UTC), (Lateness("results_transmitted", 1),)),
    ],
)
def test_transmission_is_due_by_the_fifth_of_november(
    published: World, recorded_at: datetime, notes: tuple[Lateness, ...]
) -> None:
    receipt = published.append("snv.giam-doc", "submission.transmit", PAR, {}, recorded_at=recorded_at)
    assert receipt.notes == notes


def test_results_cannot_be_transmitted_twice(published: World) -> None:
    published.append("snv.giam-doc", "submission.transmit", PAR, {})
    envelope = published["snv.giam-doc"].sign("submission.transmit", PAR, {"note": "Gửi lại"})
    refused(published, envelope, RuleError, field=None, match="already transmitted")


# Ratings: computing ---------------------------------------------------------------------


def test_a_computed_rating_records_its_rule_set_inputs_and_level(computed: World) -> None:
    record = rating(computed)
    assert record.level == "HTT"  # 88.0: first of two districts but below 90
    assert record.computation is not None
    assert record.computation.ruleset == "v1"
    assert [(i.index, str(i.score), i.rank, i.peers) for i in record.computation.inputs] == [("PAR_UNIT", "88.0", 1, 2)]
    assert record.officer == "hy.chu-tich"
    assert record.status == "computed"


def test_a_head_without_results_is_not_evaluated(world: World) -> None:
    body = compute_body(world)
    assert body["inputs"] == []
    assert body["missing"] == ["PAR_UNIT"]
    world.append("snv.chuyen-vien", "rating.compute", RATING_323, body)
    assert rating(world).level == NOT_EVALUATED


def test_a_not_evaluated_head_cannot_be_computed_as_ht(world: World) -> None:
    envelope = world["snv.chuyen-vien"].sign("rating.compute", RATING_323, compute_body(world, level="HT"))
    refused(world, envelope, PayloadError, field="body.level", match="gives not_evaluated for these inputs, not HT")


def test_a_rating_compute_with_other_inputs_than_the_ledgers_is_refused(published: World) -> None:
    body = compute_body(published)
    body["inputs"][0]["score"] = "95.0"
    envelope = published["snv.chuyen-vien"].sign("rating.compute", RATING_323, body)
    refused(published, envelope, PayloadError, field="body.inputs", match="do not match the index results")


def test_a_rating_compute_that_hides_a_result_as_missing_is_refused(published: World) -> None:
    body = compute_body(published, inputs=[], missing=["PAR_UNIT"], level=NOT_EVALUATED)
    envelope = published["snv.chuyen-vien"].sign("rating.compute", RATING_323, body)
    refused(published, envelope, PayloadError, field="body.inputs", match="do not match the index results")


def test_a_rating_compute_with_another_level_than_the_ledgers_is_refused(published: World) -> None:
    envelope = published["snv.chuyen-vien"].sign("rating.compute", RATING_323, compute_body(published, level="HTXS"))
    refused(published, envelope, PayloadError, field="body.level", match="rule set v1 gives HTT for these inputs")


def test_a_rating_must_name_the_head_of_the_unit(published: World) -> None:
    envelope = published["snv.chuyen-vien"].sign(
        "rating.compute", RATING_323, compute_body(published, officer="hy.chuyen-vien")
    )
    refused(published, envelope, PayloadError, field="body.officer", match="the head of 323 is hy.chu-tich")


def test_only_so_noi_vu_computes_a_heads_rating(published: World) -> None:
    envelope = published["stc.giam-doc"].sign("rating.compute", RATING_323, compute_body(published))
    refused(published, envelope, NotAuthorizedError, field=None, match="computed by Sở Nội vụ")


def test_a_rating_under_an_unknown_rule_set_is_refused(published: World) -> None:
    envelope = published["snv.chuyen-vien"].sign("rating.compute", RATING_323, compute_body(published, ruleset="v9"))
    refused(published, envelope, NotFoundError, field="body.ruleset", match="ruleset/v9 does not exist")


def test_a_stale_computation_after_a_correction_is_refused(computed: World) -> None:
    stale = compute_body(computed)
    computed.append("snv.giam-doc", "submission.correct", PAR, correction_body(computed))
    envelope = computed["snv.chuyen-vien"].sign("rating.compute", RATING_323, stale)
    refused(computed, envelope, PayloadError, field="body.inputs", match="recompute them from the current results")


def test_recomputing_after_a_correction_gives_the_new_level_and_keeps_the_old(computed: World) -> None:
    computed.append("snv.giam-doc", "submission.correct", PAR, correction_body(computed))
    body = compute_body(computed)
    assert body["level"] == "HTXS"  # 95.0, first of two districts
    receipt = computed.append("snv.chuyen-vien", "rating.compute", RATING_323, body)
    assert receipt.event_type == "par:Rating.Recomputed.v1"
    record = rating(computed)
    assert record.level == "HTXS"
    assert [(given.level, given.how) for given in record.levels] == [("HTT", "computed"), ("HTXS", "computed")]
    assert record.computation is not None
    assert [str(i.score) for i in record.computation.inputs] == ["95.0"]
    assert [(earlier.level, [str(i.score) for i in earlier.inputs]) for earlier in record.computation.superseded] == [
        ("HTT", ["88.0"])
    ]


def test_recomputing_twice_keeps_every_earlier_computation(computed: World) -> None:
    computed.append("snv.giam-doc", "submission.correct", PAR, correction_body(computed))
    computed.append("snv.chuyen-vien", "rating.compute", RATING_323, compute_body(computed))
    computed.append(
        "snv.giam-doc",
        "submission.correct",
        PAR,
        correction_body(computed, {**SCORES, "323": "60.0", "325": "79.5"}, decision="QĐ 131/QĐ-UBND"),
    )
    computed.append("snv.chuyen-vien", "rating.compute", RATING_323, compute_body(computed))
    record = rating(computed)
    assert record.level == "KHT"
    assert record.computation is not None
    assert [earlier.level for earlier in record.computation.superseded] == ["HTT", "HTXS"]


# Ratings: the committee's decision ------------------------------------------------------


def test_a_decision_differing_from_the_computed_level_without_a_reason_is_refused(computed: World) -> None:
    envelope = computed["ubnd.chu-tich"].sign(
        "rating.decide", RATING_323, {"level": "HTXS", "decision": "QĐ 200/QĐ-UBND"}
    )
    refused(computed, envelope, PayloadError, field="body.reason", match="differs from the computed HTT")
    assert rating(computed).status == "computed"
    assert len(rating(computed).levels) == 1


def test_a_decision_differing_from_the_computed_level_with_a_reason_is_accepted(computed: World) -> None:
    reason = "Đơn vị dẫn đầu khối huyện, có sáng kiến cải cách được Bộ Nội vụ ghi nhận"
    computed.append(
        "ubnd.chu-tich", "rating.decide", RATING_323, {"level": "HTXS", "decision": "QĐ 200/QĐ-UBND", "reason": reason}
    )
    record = rating(computed)
    assert record.level == "HTXS"
    assert record.status == "decided"
    assert record.decision == "QĐ 200/QĐ-UBND"
    assert [(given.level, given.how, given.reason) for given in record.levels] == [
        ("HTT", "computed", None),
        ("HTXS", "decided", reason),
    ]


def test_a_decision_equal_to_the_computed_level_needs_no_reason(decided: World) -> None:
    assert rating(decided).level == "HTT"
    assert rating(decided).status == "decided"


def test_only_the_committee_decides_a_heads_rating(computed: World) -> None:
    envelope = computed["snv.giam-doc"].sign("rating.decide", RATING_323, {"level": "HTT", "decision": "QĐ 1"})
    refused(computed, envelope, NotAuthorizedError, field=None, match="decided by the Provincial People's Committee")


def test_a_decision_on_a_rating_never_computed_is_refused(world: World) -> None:
    envelope = world["ubnd.chu-tich"].sign("rating.decide", RATING_323, {"level": "HTT", "decision": "QĐ 1"})
    refused(world, envelope, NotFoundError, field="subject", match=f"{RATING_323} does not exist")


def test_a_decision_cannot_decide_not_evaluated(computed: World) -> None:
    envelope = computed["ubnd.chu-tich"].sign(
        "rating.decide", RATING_323, {"level": NOT_EVALUATED, "decision": "QĐ 1", "reason": "x"}
    )
    refused(computed, envelope, PayloadError, field="body.level", match="must be one of HTXS, HTT, HT, KHT")


# Ratings: appeals -----------------------------------------------------------------------


def test_an_appeal_before_the_decision_is_refused(computed: World) -> None:
    envelope = computed["hy.chu-tich"].sign("rating.appeal", RATING_323, {"grounds": "Điểm chưa chính xác"})
    refused(computed, envelope, RuleError, field=None, match="only computed; it can be appealed once decided")


def test_an_appeal_is_filed_from_the_rated_unit_only(decided: World) -> None:
    envelope = decided["vl.chu-tich"].sign("rating.appeal", RATING_323, {"grounds": "Không công bằng"})
    refused(decided, envelope, NotAuthorizedError, field=None, match="is filed from 323")


def test_a_revised_appeal_changes_the_level_and_keeps_the_history(decided: World) -> None:
    decided.append("hy.chu-tich", "rating.appeal", RATING_323, {"grounds": "Điểm PAR chưa tính sáng kiến"})
    assert rating(decided).status == "under_appeal"
    decided.append(
        "ubnd.chu-tich",
        "rating.resolve-appeal",
        RATING_323,
        {"outcome": "revised", "level": "HTXS", "reason": "Chấp nhận kiến nghị", "decision": "QĐ 250/QĐ-UBND"},
    )
    record = rating(decided)
    assert record.level == "HTXS"
    assert record.status == "revised"
    assert [(given.level, given.how) for given in record.levels] == [
        ("HTT", "computed"),
        ("HTT", "decided"),
        ("HTXS", "revised"),
    ]
    assert record.appeals[0].grounds == "Điểm PAR chưa tính sáng kiến"
    assert record.appeals[0].resolution is not None
    assert record.appeals[0].resolution.outcome == "revised"
    assert record.appeals[0].resolved_by is not None
    assert record.appeals[0].resolved_by.officer == "ubnd.chu-tich"
    assert len(decided.ledger.history(RATING_323)) == 4


@pytest.fixture
def recomputed_after_revision(decided: World) -> World:
    """HTT decided, revised to HT on appeal (QĐ 250), then PAR corrected and the rating recomputed."""
    decided.append("hy.chu-tich", "rating.appeal", RATING_323, {"grounds": "Xin xem xét lại"})
    decided.append(
        "ubnd.chu-tich",
        "rating.resolve-appeal",
        RATING_323,
        {"outcome": "revised", "level": "HT", "reason": "Thanh tra kết luận", "decision": "QĐ 250/QĐ-UBND"},
    )
    decided.append("snv.giam-doc", "submission.correct", PAR, correction_body(decided))
    decided.append("snv.chuyen-vien", "rating.compute", RATING_323, compute_body(decided))
    return decided


def overriding(**changes: Any) -> dict[str, Any]:
    """A decision that overrides the revision QĐ 250 (each change replaces a field; None leaves it out)."""
    body: dict[str, Any] = {
        "level": "HTXS",
        "decision": "QĐ 300/QĐ-UBND",
        "reason": "Kết quả PAR đã được đính chính",
        "overrides_appeal": True,
        "overridden_resolution": "QĐ 250/QĐ-UBND",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def test_a_recomputation_after_a_revision_keeps_the_appeals_level_in_force(recomputed_after_revision: World) -> None:
    record = rating(recomputed_after_revision)

    assert record.computation is not None
    assert record.computation.level != "HT"
    assert (record.level, record.in_force.how, record.in_force.decision) == ("HT", "revised", "QĐ 250/QĐ-UBND")
    assert record.status == "computed"
    assert [given.how for given in record.levels] == ["computed", "decided", "revised", "computed"]


def test_a_decision_that_changes_an_appeals_level_without_saying_so_is_refused(
    recomputed_after_revision: World,
) -> None:
    world = recomputed_after_revision
    computed = rating(world).computation.level  # type: ignore[union-attr]
    envelope = world["ubnd.chu-tich"].sign(
        "rating.decide", RATING_323, {"level": computed, "decision": "QĐ 300/QĐ-UBND", "reason": "Theo kết quả mới"}
    )

    error = refused(world, envelope, PayloadError, field="body.overrides_appeal", match="QĐ 250/QĐ-UBND")

    assert error.code == "overrides_appeal_unstated"
    assert rating(world).level == "HT"


@pytest.mark.parametrize(
    ("changes", "code", "field", "match"),
    [
        ({"reason": None}, "override_without_reason", "body.reason", "written reason"),
        (
            {"overridden_resolution": "QĐ 9/QĐ-UBND"},
            "not_the_resolution_in_force",
            "body.overridden_resolution",
            "QĐ 250/QĐ-UBND, not QĐ 9/QĐ-UBND",
        ),
        ({"overrides_appeal": None}, "resolution_without_override", "body.overrides_appeal", "without overrides"),
        ({"level": "HT"}, "nothing_to_override", "body.overrides_appeal", "overrides nothing"),
    ],
)
def test_an_override_of_an_appeal_must_name_the_resolution_in_force_and_give_a_reason(
    recomputed_after_revision: World, changes: dict[str, Any], code: str, field: str, match: str
) -> None:
    world = recomputed_after_revision
    envelope = world["ubnd.chu-tich"].sign("rating.decide", RATING_323, overriding(**changes))

    error = refused(world, envelope, PayloadError, field=field, match=match)

    assert error.code == code


def test_an_explicit_override_of_an_appeal_with_its_reason_is_accepted_and_kept(
    recomputed_after_revision: World,
) -> None:
    world = recomputed_after_revision
    computed = rating(world).computation.level  # type: ignore[union-attr]

    world.append("ubnd.chu-tich", "rating.decide", RATING_323, overriding(level=computed))

    record = rating(world)
    assert (record.level, record.status, record.revision) == (computed, "decided", None)
    assert record.levels[-1].decision == "QĐ 300/QĐ-UBND"


def test_a_decision_keeping_the_appeals_level_needs_no_override_and_no_reason(
    recomputed_after_revision: World,
) -> None:
    world = recomputed_after_revision

    world.append("ubnd.chu-tich", "rating.decide", RATING_323, {"level": "HT", "decision": "QĐ 300/QĐ-UBND"})

    record = rating(world)
    assert (record.level, record.status) == ("HT", "decided")
    assert record.revision is not None  # a later decision changing it must still override it


def test_an_upheld_appeal_keeps_the_level(decided: World) -> None:
    decided.append("hy.chu-tich", "rating.appeal", RATING_323, {"grounds": "Xin xem xét lại"})
    decided.append(
        "ubnd.chu-tich",
        "rating.resolve-appeal",
        RATING_323,
        {"outcome": "upheld", "reason": "Không có căn cứ", "decision": "QĐ 251/QĐ-UBND"},
    )
    assert rating(decided).level == "HTT"
    assert rating(decided).status == "decided"


def test_an_upheld_appeal_with_a_level_is_refused(decided: World) -> None:
    decided.append("hy.chu-tich", "rating.appeal", RATING_323, {"grounds": "Xin xem xét lại"})
    envelope = decided["ubnd.chu-tich"].sign(
        "rating.resolve-appeal",
        RATING_323,
        {"outcome": "upheld", "level": "HTT", "reason": "Giữ nguyên", "decision": "QĐ 251/QĐ-UBND"},
    )
    refused(decided, envelope, PayloadError, field="body.level", match="an upheld rating keeps its level")
    assert rating(decided).status == "under_appeal"


def test_a_revision_without_a_level_is_refused(decided: World) -> None:
    decided.append("hy.chu-tich", "rating.appeal", RATING_323, {"grounds": "Xin xem xét lại"})
    envelope = decided["ubnd.chu-tich"].sign(
        "rating.resolve-appeal",
        RATING_323,
        {"outcome": "revised", "reason": "Sửa", "decision": "QĐ 251/QĐ-UBND"},
    )
    refused(decided, envelope, PayloadError, field="body.level", match="a revision must give the new level")


def test_a_revision_to_the_same_level_is_refused(decided: World) -> None:
    decided.append("hy.chu-tich", "rating.appeal", RATING_323, {"grounds": "Xin xem xét lại"})
    envelope = decided["ubnd.chu-tich"].sign(
        "rating.resolve-appeal",
        RATING_323,
        {"outcome": "revised", "level": "HTT", "reason": "Sửa", "decision": "QĐ 251/QĐ-UBND"},
    )
    refused(decided, envelope, PayloadError, field="body.level", match="a revision must change the level")


def test_a_second_appeal_while_one_is_open_is_refused(decided: World) -> None:
    decided.append("hy.chu-tich", "rating.appeal", RATING_323, {"grounds": "Lần một"})
    envelope = decided["hy.chu-tich"].sign("rating.appeal", RATING_323, {"grounds": "Lần hai"})
    refused(decided, envelope, RuleError, field=None, match="already open")


def test_resolving_without_an_open_appeal_is_refused(decided: World) -> None:
    envelope = decided["ubnd.chu-tich"].sign(
        "rating.resolve-appeal",
        RATING_323,
        {"outcome": "upheld", "reason": "Giữ nguyên", "decision": "QĐ 251/QĐ-UBND"},
    )
    refused(decided, envelope, RuleError, field=None, match="no open appeal")


def test_a_rating_under_appeal_cannot_be_recomputed_or_decided(decided: World) -> None:
    decided.append("hy.chu-tich", "rating.appeal", RATING_323, {"grounds": "Xin xem xét lại"})
    recompute = decided["snv.chuyen-vien"].sign("rating.compute", RATING_323, compute_body(decided))
    refused(decided, recompute, RuleError, field=None, match="under appeal; resolve the appeal first")
    decide = decided["ubnd.chu-tich"].sign("rating.decide", RATING_323, {"level": "HTT", "decision": "QĐ 2"})
    refused(decided, decide, RuleError, field=None, match="under appeal")


def test_only_the_committee_resolves_an_appeal_against_a_head(decided: World) -> None:
    decided.append("hy.chu-tich", "rating.appeal", RATING_323, {"grounds": "Xin xem xét lại"})
    envelope = decided["snv.giam-doc"].sign(
        "rating.resolve-appeal",
        RATING_323,
        {"outcome": "revised", "level": "HTXS", "reason": "Sửa", "decision": "QĐ 251/QĐ-UBND"},
    )
    refused(decided, envelope, NotAuthorizedError, field=None, match="resolved by the committee")


# Nothing partial ------------------------------------------------------------------------


def test_entries_after_refusals_have_contiguous_sequence_numbers() -> None:
    world = World.build(Ledger())
    codes = count(1)
    bad: list[Any] = [
        lambda: world["root"].sign("unit.delete", "unit/325", {}),
        lambda: world["stttt.giam-doc"].sign("submission.index-results", PAR, results_body(world)),
        lambda: world["hy.chu-tich"].sign("submission.document", "submission/document/323/2024/x", document_body()),
        lambda: Author(key_for("stranger"), "323", "hy.chu-tich").sign("rating.appeal", RATING_323, {"grounds": "x"}),
        lambda: world["snv.giam-doc"].sign(
            "submission.index-results", PAR, results_body(world, published_on="2023-01-01")
        ),
        lambda: world["root"].sign("unit.register", "unit/SNV", {"name": "Sở Nội vụ", "class": "department"}),
    ]

    @given(refusals=st.lists(st.sampled_from(range(len(bad))), max_size=4))
    @settings(max_examples=25)
    def check(refusals: list[int]) -> None:
        head = world.ledger.head
        for i in refusals:
            with pytest.raises(LedgerError):
                world.ledger.append(bad[i]())
            assert world.ledger.head == head
        receipt: Receipt = world.append(
            "root", "unit.register", f"unit/X{next(codes)}", {"name": "Xã thử nghiệm", "class": "commune"}
        )
        assert receipt.seq == head + 1
        assert world.ledger.ledger_recorder.max_seq() == head + 1

    check()
    assert [entry.seq for entry in world.ledger.entries()] == list(range(1, world.ledger.head + 1))
    assert world.ledger.ledger_recorder.select_unlogged() == []

"""The transparency log's errors: under the one root, each code declared once, each in Vietnamese."""

from __future__ import annotations

from string import Formatter

from ledger.errors import ParLedgerError
from ledger.tlog.errors import BundleError, LeafError, NoteError, ProofError, TlogError, WitnessError
from web.i18n import vietnamese
from web.i18n.tlog import TEXTS


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def tlog_codes() -> dict[str, str]:
    return {code: template for _, code, template in TlogError.declared()}


def test_every_tlog_error_is_a_par_ledger_error() -> None:
    for kind in (BundleError, LeafError, NoteError, ProofError, WitnessError):
        assert issubclass(kind, ParLedgerError)


def test_the_format_errors_callers_caught_as_value_errors_still_are() -> None:
    assert issubclass(LeafError, ValueError)
    assert issubclass(BundleError, ValueError)


def test_every_tlog_code_is_declared_once_in_the_whole_tree() -> None:
    declared = [code for _, code, _ in ParLedgerError.declared()]
    for code in tlog_codes():
        assert declared.count(code) == 1, code


def test_every_tlog_code_has_a_vietnamese_text_with_the_same_placeholders() -> None:
    codes = tlog_codes()
    assert set(TEXTS) == set(codes)
    for code, template in codes.items():
        assert placeholders(TEXTS[code]) == placeholders(template), code


def test_an_error_keeps_its_code_and_parameters_and_reads_in_both_languages() -> None:
    error = NoteError("checkpoint_origin", origin="other.example/log", expected="hungyen.gov.vn/par-ledger")

    assert error.code == "checkpoint_origin"
    assert str(error) == "checkpoint origin 'other.example/log' is not the expected origin 'hungyen.gov.vn/par-ledger'"
    assert "nguồn gốc (origin) 'other.example/log'" in vietnamese(error)


def test_a_witness_refusal_names_the_code_and_carries_both_notes_as_evidence() -> None:
    error = WitnessError(
        "witness_old_size", status=409, held=b"held\n", offered=b"offered\n", size=10, witness="w", old_size=8
    )

    assert (error.code, error.status, error.size) == ("witness_old_size", 409, 10)
    assert error.reason == "w refuses: old size 8 is not the size this witness holds: 10"
    assert str(error).startswith("409 w refuses: old size 8")
    assert "held by the witness:\n    held" in str(error)
    assert "offered:\n    offered" in str(error)

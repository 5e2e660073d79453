"""The one rule of who may see an entry listed and read its statement (services.visibility)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from services.visibility import CROSS_UNIT_ROLES, listed_history, may_list_subject, may_read_entry


@dataclass(frozen=True)
class Officer:
    unit: str
    roles: frozenset[str] = frozenset({"unit_officer"})


COMMUNE = Officer("11950")
COMMUNE_HEAD = Officer("11950", frozenset({"unit_officer", "unit_head"}))
LEAD_DEPARTMENT = Officer("SKHDT", frozenset({"unit_officer", "lead_department"}))


@pytest.mark.parametrize("role", sorted(CROSS_UNIT_ROLES))
def test_a_cross_unit_role_reads_every_entry_and_sees_every_subject_listed(role: str) -> None:
    viewer = Officer("SNV" if role == "snv" else "TTT", frozenset({"unit_officer", role}))
    assert may_read_entry(viewer, signer_unit="SYT", subject="rating/2024/SYT")
    assert may_read_entry(viewer, signer_unit="323", subject="rating/2024/323/dang.manh.ha")
    assert may_list_subject(viewer, "rating/2024/323/dang.manh.ha")


@pytest.mark.parametrize("viewer", [COMMUNE, COMMUNE_HEAD])
def test_a_units_officers_and_head_read_what_the_unit_signed_or_what_is_about_it_and_nothing_else(
    viewer: Officer,
) -> None:
    assert may_read_entry(viewer, signer_unit="11950", subject="submission/document/11950/2024/bao-cao")
    assert may_read_entry(viewer, signer_unit="UBND-TINH", subject="rating/2024/11950")
    assert may_read_entry(viewer, signer_unit="11950", subject="rating/2024/11950/nguyen.van.moi")
    assert not may_read_entry(viewer, signer_unit="SYT", subject="rating/2024/SYT")  # another unit's appeal
    assert not may_read_entry(viewer, signer_unit="SNV", subject="rating/2023/SNV/tran.hong.an")
    assert not may_read_entry(viewer, signer_unit="UBND-TINH", subject="ruleset/v1")


def test_published_index_results_are_read_by_their_lead_department_not_by_the_units_they_rank() -> None:
    subject = "submission/index-results/PCI_PROV/2024"  # the index's code is not a unit
    assert may_read_entry(LEAD_DEPARTMENT, signer_unit="SKHDT", subject=subject)
    assert not may_read_entry(COMMUNE, signer_unit="SKHDT", subject=subject)


def test_a_visitor_reads_no_entry_and_sees_no_individuals_rating_listed() -> None:
    assert not may_read_entry(None, signer_unit="11950", subject="rating/2024/11950")
    assert not may_list_subject(None, "rating/2024/SNV/tran.hong.an")
    assert may_list_subject(None, "rating/2024/SNV")


def test_an_individuals_rating_is_listed_to_its_own_unit_only_and_other_entries_to_everyone() -> None:
    rows = [
        {"seq": 1, "subject": "rating/2024/SNV"},
        {"seq": 2, "subject": "rating/2024/SNV/tran.hong.an"},
        {"seq": 3, "subject": "submission/staff-rule/SNV/2024"},
        {"seq": 4, "subject": "rating/2024/11950/nguyen.van.moi"},
    ]
    assert [row["seq"] for row in listed_history(COMMUNE, rows)] == [1, 3, 4]
    assert [row["seq"] for row in listed_history(Officer("SNV"), rows)] == [1, 2, 3]

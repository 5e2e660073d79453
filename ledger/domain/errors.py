"""The refusals of the domain rules, each kind with the codes it raises (see `ledger.errors`).

`BodyError` is what `Reader` gives for a field of a body; `StatementError` a subject or a
body that is well formed field by field but contradicts itself or the ledger;
`DomainRuleError` a rule of the domain; `AuthorityError` a signer who may not sign the
statement; `MissingRecordError` a record the statement names that the ledger does not hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from ledger.errors import NotAuthorizedError, NotFoundError, PayloadError, RuleError


class BodyError(PayloadError):
    """A field of a body is missing, of the wrong type or out of bounds."""

    messages: ClassVar[Mapping[str, str]] = {
        "required": "is required",
        "not_an_object": "must be an object",
        "not_text": "must be text",
        "blank": "must not be blank",
        "padded_with_spaces": "must not start or end with spaces",
        "too_long": "is longer than {max_length} characters",
        "invisible_characters": "contains control or invisible characters",
        "not_a_whole_number": "must be a whole number",
        "out_of_range": "must be between {minimum} and {maximum}",
        "not_a_decimal": 'must be a decimal written as a string, like "87.50"',
        "not_a_date": "must be a date written YYYY-MM-DD",
        "not_on_the_calendar": "{value} is not a date on the calendar",
        "outside_the_cycle_year": "{on:%d/%m/%Y} lies outside the cycle year {year}",
        "after_the_cycle_year": "{on:%d/%m/%Y} lies after the cycle year {year}",
        "not_one_of": "must be one of {options}",
        "not_a_list": "must be a list",
        "listed_twice": "lists the same item twice",
        "not_true_or_false": "must be true or false",
        "too_many_items": "must be a list of at most {max_items} items",
        "item_count": "must hold {min_items} to {max_items} items",
        "unknown_field": "unknown field {name!r}",
        "not_a_code": "must be a code of capitals, digits, '_', '.' or '-' (at most 32)",
        "not_a_slug": "must be lowercase letters, digits, '.', '_' or '-' (at most 64)",
        "not_a_unit_code": "must be a unit code",
        "not_an_index_code": "must be an index code",
        "not_a_ruleset_version": "must be a rule set version",
        "not_a_public_key": "must be a base64 Ed25519 public key (32 bytes)",
        "not_a_sha256": "must be 64 lowercase hex digits",
        "not_a_file_name": "must be a file name, without '/' or '\\'",
    }


class StatementError(PayloadError):
    """The subject or the body, well formed field by field, contradicts itself or the ledger."""

    messages: ClassVar[Mapping[str, str]] = {
        "subject_form": "must be {form}",
        "not_a_submission_subject": "must name a submission: one of {forms}",
        "filed_under_another_kind": "a {statement_type} is filed under submission/{kind}/…",
        "merged_into_itself": "a unit cannot be merged into itself",
        "unusable_public_key": "is not a usable Ed25519 public key",
        "key_id_mismatch": "the key's id is {key_id}, not the subject's",
        "proposer_must_lead": "a department proposes indices that it will lead itself",
        "lead_not_a_department": "{unit} is not a provincial department and cannot lead an index",
        "no_unit_class": "must name at least one unit class",
        "not_under_article_4": "an index is defined directly only under {article}; others are proposed and approved",
        "not_an_index_measuring": "{index} is not an index in force measuring each {unit_class}",
        "unit_listed_twice": "lists unit {unit} twice",
        "class_not_measured": "{unit} is a {unit_class}; index {index} does not measure it",
        "above_maximum": "exceeds the index's maximum of {maximum}",
        "wrong_rank": (
            "must be {rank}: 1 + the number of units of the same class with a higher score (ties share the better rank)"
        ),
        "correction_needs_decision": (
            "published results can be corrected only on the authority of a decision: name it"
        ),
        "not_the_head": "the head of {unit} is {head}",
        "inputs_differ": "do not match the index results in the ledger; recompute them from the current results",
        "level_differs": "rule set {ruleset} gives {expected} for these inputs, not {level}",
        "index_named_twice": "names an index twice across inputs and missing",
        "not_the_units_rule": "must name the unit's own rule for {year}: {rule}",
        "revision_without_level": "a revision must give the new level",
        "upheld_with_level": "an upheld rating keeps its level; leave the level out",
        "difference_without_reason": (
            "the decided level {level} differs from the computed {computed}: give the written reason"
        ),
        "revision_keeps_level": "the rating is already {level}; a revision must change the level",
        "overrides_appeal_unstated": (
            "the level in force, {revised}, was set by the appeal resolution {resolution}; a decision of {level} "
            "overrides it and must say so (overrides_appeal: true, overridden_resolution, reason)"
        ),
        "nothing_to_override": "a decision of {level} changes no level set by an appeal; it overrides nothing",
        "not_the_resolution_in_force": "the level in force was set by the resolution {resolution}, not {named}",
        "resolution_without_override": "names an overridden resolution without overrides_appeal: true",
        "override_without_reason": "a decision that overrides an appeal's outcome must give the written reason",
    }


class DomainRuleError(RuleError):
    """The statement is well formed and authorised but breaks a rule of the domain."""

    messages: ClassVar[Mapping[str, str]] = {
        "not_a_record_of_kind": "{subject} is not a {kind}",
        "unit_inactive": "unit {unit} was {status} and can no longer act or be acted for",
        "already_named": "unit {unit} is already named {name}",
        "officer_of_another_unit": "officer {officer} belongs to {unit}, not {other}",
        "already_the_head": "{officer} is already the head of {unit}",
        "same_roles": "the officer already has exactly these roles",
        "key_already_revoked": "key {key_id} was already revoked",
        "index_in_force": "index {index} is already in force",
        "no_cycle": "no assessment cycle was opened for {year}",
        "deadline_unchanged": "the {obligation} deadline is already {due:%d/%m/%Y}",
        "index_only_proposed": "index {index} is only proposed; results are published once it is approved",
        "identical_replacement": "the replacement is identical to the version in force; nothing to correct",
        "only_index_results_transmitted": "only published index results are transmitted to Sở Nội vụ",
        "already_transmitted": "these results were already transmitted on {on:%d/%m/%Y}",
        "not_a_rated_unit": "{unit} is not a rated unit",
        "no_head_to_rate": "{unit} has no appointed head to rate",
        "recompute_under_appeal": "the rating is under appeal; resolve the appeal first",
        "decide_under_appeal": "the rating is under appeal; resolve the appeal instead",
        "individual_not_decided": "individual ratings are published by their unit, not decided by the committee",
        "appeal_already_open": "an appeal against this rating is already open",
        "appeal_before_decision": "the rating is only computed; it can be appealed once decided",
        "no_open_appeal": "there is no open appeal against this rating",
    }


class AuthorityError(NotAuthorizedError):
    """The signer may not sign this statement: the reason says who may."""

    messages: ClassVar[Mapping[str, str]] = {
        "registers_units": "only the ledger authority or an administrator registers units",
        "changes_units": "only the ledger authority or an administrator changes units",
        "registers_officers": "officers are registered by an administrator or by the head of their own unit",
        "changes_roles": "only an administrator changes roles",
        "grants_admin": "only an administrator grants the admin role",
        "registers_keys": "keys are registered by an administrator or by the head of the officer's unit",
        "revokes_keys": "a key is revoked by its holder, the head of the holder's unit, or an administrator",
        "defines_indices": "indices of Art. 4(1)(a) are defined by the ledger authority or an administrator",
        "proposes_indices": "only a provincial department proposes an index",
        "approves_indices": "only the Provincial People's Committee approves a proposed index",
        "opens_cycles": "a cycle is opened by Sở Nội vụ",
        "adjusts_deadlines": "deadlines are adjusted by Sở Nội vụ or the committee",
        "issues_rulesets": "rule sets are issued by the committee",
        "publishes_results": "index {index} is led by {lead}; {unit} cannot publish its results",
        "files_for_itself": "a unit files only for itself: {unit} cannot file for {other}",
        "leads_index": "{unit} does not lead index {index}",
        "corrects_submissions": (
            "a correction comes from the submitting unit ({submitter}) or the authority, not {unit}"
        ),
        "transmits_results": "results are transmitted by the department that published them ({unit})",
        "computes_head_ratings": "heads' ratings are computed by Sở Nội vụ",
        "decides_head_ratings": "heads' ratings are decided by the Provincial People's Committee",
        "publishes_individual_ratings": "individual ratings of {unit} are published by its head",
        "files_appeals": "an appeal against a rating of {unit} is filed from {unit}",
        "resolves_head_appeals": "appeals against heads' ratings are resolved by the committee",
        "resolves_staff_appeals": "appeals against ratings of {unit} staff are resolved by its head",
    }


class MissingRecordError(NotFoundError):
    """The statement names a record the ledger does not hold."""

    messages: ClassVar[Mapping[str, str]] = {"does_not_exist": "{subject} does not exist in the ledger"}

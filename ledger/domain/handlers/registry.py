"""The handlers of the registry: the authority, units, officers and their keys."""

from __future__ import annotations

from keys import KeysError, VerifyingKey
from ledger.domain.errors import DomainRuleError, StatementError
from ledger.domain.fields import CODE, SLUG
from ledger.domain.handlers.base import Context, handles
from ledger.domain.records import Record
from ledger.domain.registry import (
    Authority,
    DissolveBody,
    HeadBody,
    Key,
    KeyBody,
    MergeBody,
    Officer,
    OfficerBody,
    RenameBody,
    RevokeBody,
    RolesBody,
    Unit,
    UnitBody,
)

_KEY_SUBJECT = r"key/(?P<kid>ed25519:[0-9a-f]{64})"


@handles("ledger.initialise")
def initialise(ctx: Context) -> Record:
    # The signer was checked against the root key this statement names (Ledger._resolve_founder).
    ctx.subject("authority", "'authority'")
    return ctx.new(Authority, Authority.Created)


@handles("unit.register")
def register_unit(ctx: Context) -> Record:
    ctx.subject(rf"unit/{CODE.pattern}", "unit/<CODE>")
    ctx.require(ctx.actor.is_admin, "registers_units")
    body = UnitBody.parse(ctx.body)
    if body.parent is not None:
        ctx.unit(body.parent, field="body.parent")
    return ctx.new(Unit, Unit.Created)


def _existing_unit(ctx: Context) -> Unit:
    match = ctx.subject(rf"unit/(?P<code>{CODE.pattern})", "unit/<CODE>")
    ctx.require(ctx.actor.is_admin, "changes_units")
    return ctx.unit(match["code"])


@handles("unit.rename")
def rename_unit(ctx: Context) -> Record:
    unit = _existing_unit(ctx)
    body = RenameBody.parse(ctx.body)
    if body.name == unit.name:
        raise DomainRuleError("already_named", unit=unit.code, name=body.name)
    unit.record(Unit.Renamed, ctx.envelope, ctx.at)
    return unit


@handles("unit.merge")
def merge_unit(ctx: Context) -> Record:
    unit = _existing_unit(ctx)
    body = MergeBody.parse(ctx.body)
    if body.into == unit.code:
        raise StatementError("merged_into_itself", field="body.into")
    ctx.unit(body.into, field="body.into")
    unit.record(Unit.Merged, ctx.envelope, ctx.at)
    return unit


@handles("unit.dissolve")
def dissolve_unit(ctx: Context) -> Record:
    unit = _existing_unit(ctx)
    DissolveBody.parse(ctx.body)
    unit.record(Unit.Dissolved, ctx.envelope, ctx.at)
    return unit


@handles("unit.appoint-head")
def appoint_head(ctx: Context) -> Record:
    unit = _existing_unit(ctx)
    body = HeadBody.parse(ctx.body)
    officer = ctx.need(Officer, f"officer/{body.officer}", field="body.officer")
    if officer.unit != unit.code:
        raise DomainRuleError("officer_of_another_unit", officer=officer.officer_id, unit=officer.unit, other=unit.code)
    if unit.head == officer.officer_id:
        raise DomainRuleError("already_the_head", officer=officer.officer_id, unit=unit.code)
    unit.record(Unit.HeadAppointed, ctx.envelope, ctx.at)
    return unit


@handles("officer.register")
def register_officer(ctx: Context) -> Record:
    ctx.subject(rf"officer/{SLUG.pattern}", "officer/<id> (lowercase letters, digits, '.', '_', '-')")
    body = OfficerBody.parse(ctx.body)
    unit = ctx.unit(body.unit, field="body.unit")
    ctx.require(ctx.actor.is_admin or ctx.actor.heads(unit), "registers_officers")
    if "admin" in body.roles:
        ctx.require(ctx.actor.is_admin, "grants_admin")
    return ctx.new(Officer, Officer.Created)


@handles("officer.set-roles")
def set_roles(ctx: Context) -> Record:
    match = ctx.subject(rf"officer/(?P<id>{SLUG.pattern})", "officer/<id>")
    ctx.require(ctx.actor.is_admin, "changes_roles")
    officer = ctx.need(Officer, f"officer/{match['id']}")
    body = RolesBody.parse(ctx.body)
    if body.roles == officer.roles:
        raise DomainRuleError("same_roles")
    officer.record(Officer.RolesChanged, ctx.envelope, ctx.at)
    return officer


@handles("key.register")
def register_key(ctx: Context) -> Record:
    match = ctx.subject(_KEY_SUBJECT, "key/ed25519:<64 hex digits>")
    body = KeyBody.parse(ctx.body)
    try:
        key = VerifyingKey.from_base64(body.public_key)
    except KeysError as exc:
        raise StatementError("unusable_public_key", field="body.public_key") from exc
    if key.key_id != match["kid"]:
        raise StatementError("key_id_mismatch", field="subject", key_id=key.key_id)
    officer = ctx.need(Officer, f"officer/{body.officer}", field="body.officer")
    unit = ctx.unit(officer.unit)
    ctx.require(ctx.actor.is_admin or ctx.actor.heads(unit), "registers_keys")
    return ctx.new(Key, Key.Created)


@handles("key.revoke")
def revoke_key(ctx: Context) -> Record:
    match = ctx.subject(_KEY_SUBJECT, "key/ed25519:<64 hex digits>")
    key = ctx.need(Key, f"key/{match['kid']}")
    RevokeBody.parse(ctx.body)
    if key.revocation is not None:
        raise DomainRuleError("key_already_revoked", key_id=key.key_id)
    officer = ctx.need(Officer, f"officer/{key.officer}")
    unit = ctx.unit(officer.unit, active=False)
    ctx.require(
        ctx.actor.is_admin or ctx.actor.heads(unit) or ctx.actor.officer == key.officer,
        "revokes_keys",
    )
    key.record(Key.Revoked, ctx.envelope, ctx.at)
    return key

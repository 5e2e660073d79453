"""Who is who: the ledger authority, units, officers and their signing keys.

The authority's root key is pinned by the first event (``ledger.initialise``). Units,
officers and keys are registered, changed and revoked by signed events like any other,
so a verifier learns every key by replaying the ledger. Revocation is positional: an
envelope sequenced after a key's revocation is invalid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.domain.errors import DomainRuleError
from ledger.domain.fields import CODE, Reader
from ledger.domain.records import Record, SignedCreated, SignedEvent

if TYPE_CHECKING:
    from ledger.signing.envelope import Statement

AUTHORITY_SUBJECT = "authority"
AUTHORITY_UNIT = "authority"
ROOT_OFFICER = "root"

#: The five classes of rated units (Decision 01/2023), plus the Provincial People's
#: Committee itself, which decides heads' ratings and is never rated.
RATED_CLASSES = ("office", "department", "district", "public_service", "commune")
UNIT_CLASSES = (*RATED_CLASSES, "province")
#: Functions a unit may hold: Sở Nội vụ compiles, the committee decides.
FUNCTIONS = ("home_affairs", "committee")
#: Roles an officer may hold. Being a unit's head is an appointment, not a role.
ROLES = ("officer", "admin", "auditor", "inspector")
_PUBLIC_KEY = re.compile(r"[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=")


@dataclass(frozen=True)
class AuthorityBody:
    """Body of ``ledger.initialise``: the authority's name and its root public key."""

    name: str
    root_public_key: str

    @classmethod
    def parse(cls, body: object) -> AuthorityBody:
        reader = Reader(body)
        result = cls(reader.required_text("name", max_length=200), _public_key(reader, "root_public_key"))
        reader.done()
        return result


class Authority(Record):
    """The ledger authority and its pinned root key."""

    TOPIC = "par:Authority"

    class Created(SignedCreated):
        TOPIC = "par:Authority.Initialised.v1"

    def apply_created(self, statement: Statement) -> None:
        body = AuthorityBody.parse(statement.body)
        self.name = body.name
        self.root_public_key = body.root_public_key


@dataclass(frozen=True)
class UnitBody:
    """Body of ``unit.register``."""

    name: str
    unit_class: str
    parent: str | None
    functions: tuple[str, ...]

    @classmethod
    def parse(cls, body: object) -> UnitBody:
        reader = Reader(body)
        result = cls(
            name=reader.required_text("name", max_length=200),
            unit_class=reader.choice("class", UNIT_CLASSES) or "",
            parent=reader.pattern("parent", CODE, "not_a_unit_code", optional=True),
            functions=reader.choice_list("functions", FUNCTIONS) if reader.has("functions") else (),
        )
        reader.done()
        return result


@dataclass(frozen=True)
class RenameBody:
    """Body of ``unit.rename``."""

    name: str
    decision: str

    @classmethod
    def parse(cls, body: object) -> RenameBody:
        reader = Reader(body)
        result = cls(
            reader.required_text("name", max_length=200),
            reader.required_text("decision", max_length=100),
        )
        reader.done()
        return result


@dataclass(frozen=True)
class MergeBody:
    """Body of ``unit.merge``: the unit that takes this one over."""

    into: str
    decision: str

    @classmethod
    def parse(cls, body: object) -> MergeBody:
        reader = Reader(body)
        result = cls(reader.code("into"), reader.required_text("decision", max_length=100))
        reader.done()
        return result


@dataclass(frozen=True)
class DissolveBody:
    """Body of ``unit.dissolve``."""

    decision: str

    @classmethod
    def parse(cls, body: object) -> DissolveBody:
        reader = Reader(body)
        result = cls(reader.required_text("decision", max_length=100))
        reader.done()
        return result


@dataclass(frozen=True)
class HeadBody:
    """Body of ``unit.appoint-head``."""

    officer: str
    decision: str

    @classmethod
    def parse(cls, body: object) -> HeadBody:
        reader = Reader(body)
        result = cls(reader.slug("officer"), reader.required_text("decision", max_length=100))
        reader.done()
        return result


class Unit(Record):
    """An agency (đơn vị): class, parent, names over time, head, and whether it still acts."""

    TOPIC = "par:Unit"

    class Created(SignedCreated):
        TOPIC = "par:Unit.Registered.v1"

    class Renamed(SignedEvent):
        TOPIC = "par:Unit.Renamed.v1"

        def apply(self, aggregate: Unit) -> None:
            aggregate.names.append(RenameBody.parse(self.statement.body).name)

    class Merged(SignedEvent):
        TOPIC = "par:Unit.Merged.v1"

        def apply(self, aggregate: Unit) -> None:
            aggregate.status = "merged"
            aggregate.merged_into = MergeBody.parse(self.statement.body).into

    class Dissolved(SignedEvent):
        TOPIC = "par:Unit.Dissolved.v1"

        def apply(self, aggregate: Unit) -> None:
            aggregate.status = "dissolved"

    class HeadAppointed(SignedEvent):
        TOPIC = "par:Unit.HeadAppointed.v1"

        def apply(self, aggregate: Unit) -> None:
            aggregate.head = HeadBody.parse(self.statement.body).officer

    def apply_created(self, statement: Statement) -> None:
        body = UnitBody.parse(statement.body)
        self.code = statement.subject.removeprefix("unit/")
        self.names = [body.name]
        self.unit_class = body.unit_class
        self.parent = body.parent
        self.functions = body.functions
        self.status = "active"
        self.merged_into: str | None = None
        self.head: str | None = None

    @property
    def name(self) -> str:
        """The unit's current name; earlier names stay in `names`."""
        return self.names[-1]

    def check_active(self) -> None:
        """Refuse to act for a unit that was merged or dissolved."""
        if self.status != "active":
            raise DomainRuleError("unit_inactive", unit=self.code, status=self.status)


@dataclass(frozen=True)
class OfficerBody:
    """Body of ``officer.register``."""

    name: str
    unit: str
    roles: tuple[str, ...]

    @classmethod
    def parse(cls, body: object) -> OfficerBody:
        reader = Reader(body)
        result = cls(
            name=reader.required_text("name", max_length=200),
            unit=reader.code("unit"),
            roles=reader.choice_list("roles", ROLES),
        )
        reader.done()
        return result


@dataclass(frozen=True)
class RolesBody:
    """Body of ``officer.set-roles``."""

    roles: tuple[str, ...]

    @classmethod
    def parse(cls, body: object) -> RolesBody:
        reader = Reader(body)
        result = cls(reader.choice_list("roles", ROLES))
        reader.done()
        return result


class Officer(Record):
    """A civil servant who signs: their unit and roles."""

    TOPIC = "par:Officer"

    class Created(SignedCreated):
        TOPIC = "par:Officer.Registered.v1"

    class RolesChanged(SignedEvent):
        TOPIC = "par:Officer.RolesChanged.v1"

        def apply(self, aggregate: Officer) -> None:
            aggregate.roles = RolesBody.parse(self.statement.body).roles

    def apply_created(self, statement: Statement) -> None:
        body = OfficerBody.parse(statement.body)
        self.officer_id = statement.subject.removeprefix("officer/")
        self.name = body.name
        self.unit = body.unit
        self.roles = body.roles


@dataclass(frozen=True)
class KeyBody:
    """Body of ``key.register``: a public key and the officer who holds its private half."""

    public_key: str
    officer: str

    @classmethod
    def parse(cls, body: object) -> KeyBody:
        reader = Reader(body)
        result = cls(_public_key(reader, "public_key"), reader.slug("officer"))
        reader.done()
        return result


@dataclass(frozen=True)
class RevokeBody:
    """Body of ``key.revoke``."""

    reason: str

    @classmethod
    def parse(cls, body: object) -> RevokeBody:
        reader = Reader(body)
        result = cls(reader.required_text("reason", max_length=500))
        reader.done()
        return result


class Key(Record):
    """An officer's Ed25519 public key, valid from registration until revocation."""

    TOPIC = "par:Key"

    class Created(SignedCreated):
        TOPIC = "par:Key.Registered.v1"

    class Revoked(SignedEvent):
        TOPIC = "par:Key.Revoked.v1"

        def apply(self, aggregate: Key) -> None:
            aggregate.revocation = RevokeBody.parse(self.statement.body).reason

    def apply_created(self, statement: Statement) -> None:
        body = KeyBody.parse(statement.body)
        self.key_id = statement.subject.removeprefix("key/")
        self.public_key = body.public_key
        self.officer = body.officer
        self.revocation: str | None = None


def _public_key(reader: Reader, name: str) -> str:
    value = reader.pattern(name, _PUBLIC_KEY, "not_a_public_key")
    assert value is not None
    return value

"""The OpenAPI 3.1 document of /api/v1, generated from the routes and their marshmallow schemas.

Each API view declares its operation with `operation(...)`: summary, who may call it,
its query schema, its request body schema and its responses. `document(app)` walks the
application's URL map, so every route of the blueprint is in the document (a route
without a declared operation is a programming error and fails loudly), and turns each
schema into JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) with a small
converter: field types, ``allow_none``, ``required``, the validators (OneOf, Range,
Length, Regexp, Equal) and ``metadata["description"]``. Twenty lines of mapping were
preferred to apispec: the schemas here use a handful of field types, and the document
must match exactly what the views load and dump.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask
from marshmallow import RAISE, Schema, fields, validate

from web.api.schemas import ErrorSchema

F = TypeVar("F", bound=Callable[..., Any])

#: Who may call an operation.
AUTH = {
    "public": "No login.",
    "session": "A logged-in officer's session cookie (parledger_session); what a unit officer sees is "
    "limited to what is public and to its own unit.",
    "signature": "No cookie: the envelope's Ed25519 signature by a registered, unrevoked key is the authentication.",
}


@dataclass(frozen=True)
class Operation:
    summary: str
    auth: str
    responses: Mapping[int, tuple[str, type[Schema] | str]]
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    tags: tuple[str, ...] = ()
    description: str = ""
    errors: tuple[int, ...] = field(default=())
    path: type[Schema] | None = None


#: Operations by endpoint name ("api.<view>").
OPERATIONS: dict[str, Operation] = {}


def operation(
    summary: str,
    *,
    auth: str,
    responses: Mapping[int, tuple[str, type[Schema] | str]],
    query: type[Schema] | None = None,
    body: type[Schema] | None = None,
    tags: tuple[str, ...] = (),
    errors: tuple[int, ...] = (),
    path: type[Schema] | None = None,
) -> Callable[[F], F]:
    """Declare a view's operation for the document (the view's docstring is its description).

    `path` is the schema the view loads its path arguments with: the document takes their
    bounds from it (otherwise from the rule's converters).
    """
    if auth not in AUTH:
        raise ValueError(f"unknown auth {auth!r}")

    def decorate(view: F) -> F:
        OPERATIONS[f"api.{view.__name__}"] = Operation(
            summary, auth, responses, query, body, tags, (view.__doc__ or "").strip(), errors, path
        )
        return view

    return decorate


# marshmallow → JSON Schema ---------------------------------------------------------------


def schema_name(schema: type[Schema] | Schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__.removesuffix("Schema") or cls.__name__


class Converter:
    """Turns schemas into JSON Schema objects, collecting every nested schema as a component."""

    def __init__(self) -> None:
        self.components: dict[str, dict[str, Any]] = {}

    def ref(self, schema: type[Schema] | Schema) -> dict[str, Any]:
        name = schema_name(schema)
        if name not in self.components:
            self.components[name] = {}  # placeholder: recursion stops here
            self.components[name] = self.object(schema)
        return {"$ref": f"#/components/schemas/{name}"}

    def object(self, schema: type[Schema] | Schema) -> dict[str, Any]:
        instance = schema() if isinstance(schema, type) else schema
        properties: dict[str, Any] = {}
        required: list[str] = []
        for name, item in instance.fields.items():
            if item.load_only:
                continue
            key = item.data_key or name
            properties[key] = self.field(item)
            if item.required:
                required.append(key)
        result: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            result["required"] = required
        if instance.unknown == RAISE:
            result["additionalProperties"] = False
        doc = (type(instance).__doc__ or "").strip()
        if doc:
            result["description"] = " ".join(doc.split())
        return result

    def field(self, item: fields.Field) -> dict[str, Any]:
        result = self._type(item)
        for validator in _validators(item):
            result.update(_validator(validator, item))
        description = item.metadata.get("description")
        if description:
            result["description"] = description
        if item.allow_none:
            if "$ref" in result:
                result = {"anyOf": [result, {"type": "null"}]}
            elif "type" in result:
                result["type"] = [result["type"], "null"]
                if "enum" in result:
                    result["enum"] = [*result["enum"], None]
        return result

    def _type(self, item: fields.Field) -> dict[str, Any]:
        if isinstance(item, fields.Nested):
            return self.ref(item.nested)  # type: ignore[arg-type]
        if isinstance(item, fields.List):
            return {"type": "array", "items": self.field(item.inner)}
        if isinstance(item, fields.Dict):
            value = item.value_field
            return {"type": "object", "additionalProperties": self.field(value) if value is not None else True}
        if isinstance(item, fields.Boolean):
            return {"type": "boolean"}
        if isinstance(item, fields.Integer):
            return {"type": "integer"}
        if isinstance(item, fields.Number):
            return {"type": "number"}
        if isinstance(item, fields.Date):
            return {"type": "string", "format": "date"}
        if isinstance(item, fields.DateTime):
            return {"type": "string", "format": "date-time"}
        if isinstance(item, fields.String):
            return {"type": "string"}
        return {}  # fields.Raw: any JSON value


def _validators(item: fields.Field) -> list[Any]:
    return list(item.validators)


def _validator(validator: Any, item: fields.Field) -> dict[str, Any]:
    if isinstance(validator, validate.OneOf):
        return {"enum": list(validator.choices)}
    if isinstance(validator, validate.Equal):
        return {"const": validator.comparable}
    if isinstance(validator, validate.Range):
        bounds: dict[str, Any] = {}
        if validator.min is not None:
            bounds["minimum" if validator.min_inclusive else "exclusiveMinimum"] = validator.min
        if validator.max is not None:
            bounds["maximum" if validator.max_inclusive else "exclusiveMaximum"] = validator.max
        return bounds
    if isinstance(validator, validate.Length):
        words = ("minItems", "maxItems") if isinstance(item, fields.List) else ("minLength", "maxLength")
        exact = validator.equal
        low, high = (exact, exact) if exact is not None else (validator.min, validator.max)
        return {k: v for k, v in zip(words, (low, high), strict=True) if v is not None}
    if isinstance(validator, validate.Regexp):
        return {"pattern": validator.regex.pattern}
    return {}


# The document ----------------------------------------------------------------------------

_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_CONVERTER_TYPES: dict[str, dict[str, Any]] = {"int": {"type": "integer", "minimum": 0}, "float": {"type": "number"}}
_ERROR_TEXT = {
    400: "Malformed request (e.g. the body is not JSON)",
    401: "No logged-in session",
    403: "Not allowed for this officer, or the signer may not sign this (kind not_authorized)",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflicts with the ledger: replayed envelope, duplicate, busy (kind replay, duplicate, busy)",
    413: "Body too large",
    415: "Not application/json",
    422: "Invalid input, or refused by the ledger (kind invalid, bad_signature, not_found, rule_violation); "
    "`errors` names each field",
}


def openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """A Flask rule as an OpenAPI path template, with its path parameters."""
    parameters = []
    for match in _ARGUMENT.finditer(rule):
        schema = _CONVERTER_TYPES.get(match["converter"] or "", {"type": "string"})
        parameters.append({"name": match["name"], "in": "path", "required": True, "schema": dict(schema)})
    return _ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule), parameters


def _content(converter: Converter, schema: type[Schema] | str) -> dict[str, Any]:
    if isinstance(schema, str):
        return {schema: {"schema": {"type": "string"}}}
    return {"application/json": {"schema": converter.ref(schema)}}


def document(app: Flask, *, prefix: str = "api.") -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route of the API blueprint in `app`."""
    converter = Converter()
    error_ref = converter.ref(ErrorSchema)
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith(prefix):
            continue
        spec = OPERATIONS.get(rule.endpoint)
        if spec is None:
            raise LookupError(f"route {rule.rule} ({rule.endpoint}) declares no operation")
        path, parameters = openapi_path(rule.rule)
        if spec.path is not None:
            declared = converter.object(spec.path)["properties"]
            for parameter in parameters:
                parameter["schema"] = declared.get(parameter["name"], parameter["schema"])
        if spec.query is not None:
            query = converter.object(spec.query)
            for name, schema in query["properties"].items():
                parameters.append(
                    {"name": name, "in": "query", "required": name in query.get("required", ()), "schema": schema}
                )
        responses: dict[str, Any] = {}
        for status, (text, schema) in spec.responses.items():
            responses[str(status)] = {"description": text, "content": _content(converter, schema)}
        codes = set(spec.errors) | {404, 405}
        if spec.query is not None or spec.path is not None:
            codes.add(422)
        if spec.auth == "session":
            codes |= {401, 403}
        for status in sorted(codes):
            responses.setdefault(
                str(status),
                {"description": _ERROR_TEXT[status], "content": {"application/json": {"schema": error_ref}}},
            )
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            entry: dict[str, Any] = {
                "operationId": rule.endpoint.removeprefix(prefix),
                "summary": spec.summary,
                "description": (spec.description + "\n\n" + AUTH[spec.auth]).strip(),
                "tags": list(spec.tags),
                "parameters": parameters,
                "responses": responses,
            }
            if spec.auth == "session":
                entry["security"] = [{"session": []}]
            elif spec.auth == "public" or spec.auth == "signature":
                entry["security"] = []
            if spec.body is not None:
                entry["requestBody"] = {"required": True, "content": _content(converter, spec.body)}
            paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "PAR Ledger API",
            "version": "1",
            "description": "Signed envelopes in; ratings, index results, deadlines, history, receipts and "
            "the transparency log out. Errors are JSON: {code, kind, message, errors: {field: [messages]}}; "
            "code is the stable reason (a refusal by the ledger has its own), kind the class of refusal.",
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(converter.components.items())),
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "parledger_session"}},
        },
    }

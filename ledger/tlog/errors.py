"""The transparency log's errors: malformed or unverifiable leaves, proofs, notes, bundles.

Each class declares its codes (``ledger.errors``); the web's Vietnamese texts are in
``web.i18n.tlog``. Classes that callers used to catch as `ValueError` still are one.
Standard library only, like the rest of `ledger.tlog`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ledger.errors import ParLedgerError


class TlogError(ParLedgerError):
    """Something in the transparency log's formats is malformed or does not verify."""

    kind = "invalid"


class LeafError(TlogError, ValueError):
    """Leaf bytes that do not follow the documented framing (docs/formats.md §4)."""

    messages: ClassVar[Mapping[str, str]] = {
        "leaf_value_unframable": "{name} {value!r} cannot be framed: printable ASCII without spaces only",
        "leaf_not_ascii": "leaf is not ASCII",
        "leaf_line_count": "leaf must be the {header} header and 8 lines, each ending in a newline",
        "leaf_line_expected": "expected the line {name!r}, found {found!r}",
        "leaf_field_unreadable": "leaf field cannot be read: {detail}",
        "leaf_not_canonical": "leaf is not in canonical framing",
    }


class ProofError(TlogError):
    """A Merkle inclusion or consistency proof does not verify; the reason says why."""

    messages: ClassVar[Mapping[str, str]] = {
        "proof_hash_type": "{what} must be bytes, got {kind}",
        "proof_hash_size": "{what} is {got} bytes, want {size}",
        "inclusion_negative": "index and size must be >= 0, got index {index}, size {size}",
        "inclusion_beyond_size": "index {index} is beyond the tree size {size}",
        "inclusion_length": "inclusion proof has {got} hashes, want {want} for index {index} in a tree of size {size}",
        "inclusion_too_long": "inclusion proof is longer than the path to the root",
        "inclusion_too_short": "inclusion proof is shorter than the path to the root",
        "inclusion_root_mismatch": (
            "inclusion proof for index {index} gives a root that does not match the expected root of size {size}"
        ),
        "consistency_negative": "sizes must be >= 0, got size1 {size1}, size2 {size2}",
        "consistency_shrinks": "size1 {size1} is greater than size2 {size2}",
        "consistency_from_empty": "size1 is 0: consistency with the empty tree proves nothing",
        "consistency_equal_with_hashes": "sizes are equal but the proof has {got} hashes, want 0",
        "consistency_equal_roots_differ": "sizes are equal ({size1}) but the roots differ",
        "consistency_empty": "empty consistency proof from size {size1} to {size2}",
        "consistency_length": "consistency proof has {got} hashes, want {want} from size {size1} to {size2}",
        "consistency_too_long": "consistency proof is longer than the path to the root",
        "consistency_too_short": "consistency proof is shorter than the path to the root",
        "consistency_root1_mismatch": "consistency proof does not reproduce root1 (size {size1})",
        "consistency_root2_mismatch": "consistency proof does not reproduce root2 (size {size2})",
    }


class NoteError(TlogError):
    """A signed note, key, checkpoint or cosignature is malformed or does not verify."""

    messages: ClassVar[Mapping[str, str]] = {
        "note_base64_invalid": "{what} is not valid base64",
        "note_base64_not_canonical": "{what} is not canonical base64",
        "note_decimal_invalid": "{what} {text!r} is not a decimal number without leading zeros",
        "note_decimal_too_large": "{what} {value} is larger than 2**63 - 1",
        "note_int_type": "{what} must be an int, got {kind}",
        "note_int_range": "{what} {value} is outside 0..2**63-1",
        "key_name_empty": "key name must be a non-empty string",
        "key_name_forbidden": "key name {name!r} contains a space, '+' or control character",
        "note_text_type": "note text must be str, got {kind}",
        "note_text_no_newline": "note text must end with a newline",
        "note_text_control": "note text contains a control character other than newline",
        "note_text_not_unicode": "note text is not valid Unicode",
        "vkey_type": "verifier key must be a string",
        "vkey_form": "verifier key must have the form name+keyid+base64key",
        "vkey_id_not_hex": "verifier key ID {key_id!r} is not 8 hex digits",
        "vkey_empty": "verifier key material is empty",
        "vkey_id_mismatch": "verifier key ID {key_id} does not match its name and key",
        "vkey_signature_type": "verifier key has signature type {got:#04x}, want {want:#04x}",
        "vkey_unsupported": "unsupported verifier key signature type {got:#04x}",
        "skey_type": "signer key must be a string",
        "skey_form": "signer key must have the form PRIVATE+KEY+name+keyid+base64key",
        "skey_id_not_hex": "signer key ID {key_id!r} is not 8 hex digits",
        "skey_empty": "signer key material is empty",
        "skey_signature_type": "signer key has signature type {got:#04x}, want {want:#04x}",
        "skey_seed_size": "Ed25519 seed must be {size} bytes, got {got}",
        "skey_id_mismatch": "signer key ID does not match its name and key",
        "note_seed_size": "Ed25519 seed must be {size} bytes",
        "note_public_key_size": "Ed25519 public key must be {size} bytes, got {got}",
        "note_public_key_invalid": "invalid Ed25519 public key: {detail}",
        "signature_key_id_size": "key ID must be {size} bytes",
        "signature_empty": "signature must be non-empty bytes",
        "signature_line_prefix": "signature line must start with an em dash and a space",
        "signature_line_form": "signature line must be '— <name> <base64>'",
        "signature_too_short": "signature by {name!r} is too short",
        "signature_other_key": "signature by {name!r} ({key_id}) is not from key {expected!r} ({expected_id})",
        "note_signature_size": "signature by {name!r} is not a {size}-byte Ed25519 signature",
        "note_signature_invalid": "signature by {name!r} does not verify",
        "note_unsigned": "a signed note needs at least one signature",
        "note_too_many_signatures": "note has {count} signatures, limit {limit}",
        "note_signature_objects": "signatures must be Signature objects",
        "note_not_utf8": "note is not valid UTF-8",
        "note_data_type": "note must be bytes or str, got {kind}",
        "note_control": "note contains a control character other than newline",
        "note_no_blank_line": "note has no blank line before its signatures",
        "note_no_signatures": "note has no signature lines",
        "note_no_final_newline": "note must end with a newline after its last signature",
        "sign_note_no_signer": "sign_note needs at least one signer",
        "verifiers_clash": "two verifier keys share name {name!r} and ID {key_id}",
        "note_unknown_signers": "note is not signed by any known key (signed by: {names})",
        "note_line_empty": "{what} must be a non-empty string",
        "note_line_control": "{what} contains a newline or control character",
        "checkpoint_root_type": "checkpoint root must be {size} bytes",
        "checkpoint_lines": "checkpoint needs origin, size and root lines",
        "checkpoint_root_size": "checkpoint root is {got} bytes, want {size}",
        "checkpoint_origin": "checkpoint origin {origin!r} is not the expected origin {expected!r}",
        "cosignature_size": "cosignature by {name!r} is {got} bytes, want {size}",
        "cosignature_timestamp": "cosignature timestamp {timestamp} exceeds 2**63-1",
    }


class ReceiptError(NoteError):
    """A c2sp.org/tlog-proof@v1 receipt is malformed."""

    messages: ClassVar[Mapping[str, str]] = {
        "receipt_hash_type": "proof hash {position} must be {size} bytes",
        "receipt_extra_type": "extra data must be bytes or None",
        "receipt_note_type": "checkpoint note must be bytes",
        "receipt_data_type": "proof must be bytes or str, got {kind}",
        "receipt_no_blank_line": "proof has no blank line before the checkpoint",
        "receipt_header_not_ascii": "proof header is not ASCII",
        "receipt_header": "proof must start with {header!r}",
        "receipt_no_index": "proof has no 'index N' line",
        "receipt_hash_size": "proof hash {number} is {got} bytes, want {size}",
    }


class PublicKeyError(TlogError):
    """A public key named in a key statement cannot be read (the inspector reports it as a fault)."""

    messages: ClassVar[Mapping[str, str]] = {
        "bundle_public_key_not_base64": "public key is not valid base64",
        "bundle_public_key_size": "an Ed25519 public key is {size} bytes, not {got}",
        "bundle_public_key_unloadable": "not a loadable Ed25519 public key: {detail}",
    }


class InspectionError(TlogError, ValueError):
    """The inspector cannot be set up as asked."""

    messages: ClassVar[Mapping[str, str]] = {
        "witness_quorum_impossible": "witness quorum {quorum} is impossible with {witnesses} witnesses",
        "inspector_workers": "workers must be at least 1, got {workers}",
    }


class BundleError(TlogError, ValueError):
    """A bundle that cannot be written or read, with the file and line at fault."""

    messages: ClassVar[Mapping[str, str]] = {
        "bundle_folder_not_empty": "{path} is not empty; export into a new folder",
        "bundle_not_folder": "{path} is not a folder",
        "bundle_file_missing": "{path} is missing: this is not a complete inspector bundle",
        "bundle_line_not_json": "{name} line {number} is not JSON: {detail}",
        "bundle_line_fields": "{name} line {number} must be an object with exactly {fields}",
        "bundle_leaf_not_text": "{name} line {number}: the leaf must be base64 text",
        "bundle_leaf_not_base64": "{name} line {number}: the leaf is not valid base64",
        "bundle_file_symlink": "{path} is a symbolic link (or reached through one): only regular files are read",
        "bundle_file_folder": "{path} is a folder, not a file",
        "bundle_file_fifo": "{path} is a FIFO (named pipe), not a regular file",
        "bundle_file_device": "{path} is a device, not a regular file",
        "bundle_file_special": "{path} is not a regular file",
        "bundle_file_unreadable": "{path} cannot be read: {detail}",
        "bundle_file_too_large": "{path} is larger than the limit of {limit} bytes for this file",
        "bundle_file_not_utf8": "{path} is not UTF-8 text",
        "bundle_line_too_long": "{name} line {number} is longer than the limit of {limit} bytes",
        "bundle_line_not_utf8": "{name} line {number} is not UTF-8 text",
        "bundle_line_too_deep": "{name} line {number} nests JSON deeper than the limit of {limit} levels",
    }


class WitnessError(TlogError):
    """The witness refuses a request.

    ``status`` is the HTTP status c2sp.org/tlog-witness gives the refusal: 400 malformed
    request, 403 bad log signature, 404 unknown log (origin), 409 the old size is not the
    witness's (``size`` says its own) or the checkpoint would roll back or fork, 422 the
    consistency proof does not verify. ``held`` and ``offered`` are the two signed notes,
    both printed in the message, so that a refused request is evidence.
    """

    messages: ClassVar[Mapping[str, str]] = {
        "witness_request_malformed": "malformed request: {detail}",
        "witness_checkpoint_unverified": "{witness} refuses: the checkpoint does not verify: {detail}",
        "witness_state_damaged": (
            "{witness} refuses: the checkpoint held does not verify (state file damaged?): {detail}"
        ),
        "witness_rollback": (
            "{witness} refuses: rollback: the checkpoint ({offered_size}) is smaller than the one held ({size})"
        ),
        "witness_old_size": "{witness} refuses: old size {old_size} is not the size this witness holds: {size}",
        "witness_proof_from_empty": "{witness} refuses: a proof from size 0 must be empty, got {count} hashes",
        "witness_proof_equal_sizes": (
            "{witness} refuses: a proof between equal sizes must be empty, got {count} hashes"
        ),
        "witness_fork": "{witness} refuses: fork: another root for size {size} than the checkpoint held",
        "witness_inconsistent": (
            "{witness} refuses: the checkpoint ({offered_size}) is not consistent with the one held "
            "({held_size}): {detail}"
        ),
    }

    def __init__(
        self,
        code: str,
        /,
        *,
        status: int,
        held: bytes | None,
        offered: bytes | None,
        size: int | None = None,
        **params: Any,
    ) -> None:
        if size is not None:
            params["size"] = size
        super().__init__(code, **params)
        self.status = status
        self.held = held
        self.offered = offered
        self.size = size
        self.args = (_evidence_message(status, self.reason, held, offered),)


def _indent(note: bytes) -> str:
    text = note.decode("utf-8", errors="replace").rstrip("\n")
    return "\n".join("    " + line for line in text.split("\n"))


def _evidence_message(status: int, reason: str, held: bytes | None, offered: bytes | None) -> str:
    held_text = _indent(held) if held is not None else "    (none: this witness has cosigned nothing yet)"
    offered_text = _indent(offered) if offered is not None else "    (none)"
    return f"{status} {reason}\n  held by the witness:\n{held_text}\n  offered:\n{offered_text}"

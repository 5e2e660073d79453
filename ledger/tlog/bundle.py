"""The inspector bundle: everything needed to verify the ledger offline, as plain files.

Standard library and the rest of `ledger.tlog` only, so that an inspector's machine needs
nothing but Python and `cryptography` to read and check it (``python -m ledger.inspect``). Layout (all text UTF-8):

``README.md``          what the bundle is and how to verify it
``log.vkey``           the log's verifier key (C2SP vkey)
``root-key-id``        the authority's root key id, as pinned at ``parledger init``
``witnesses.vkeys``    verifier keys of the witnesses the ledger trusts, one per line
``entries.jsonl``      one ``{"seq": N, "leaf": "<base64 leaf bytes>"}`` per line, in order
``checkpoints.jsonl``  one ``{"size": N, "note": "<signed checkpoint note>"}`` per line
``documents/sha256/ab/cd/<hex>``  every document the entries reference

Reading trusts none of them: `ledger.tlog.bundle_files` opens only regular files inside
the bundle, each within its limit (the README states them), and streams the large ones.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ledger.tlog.bundle_files import (
    KIB,
    MAX_CHECKPOINT_LINE_BYTES,
    MAX_CHECKPOINTS_BYTES,
    MAX_DOCUMENT_BYTES,
    MAX_ENTRIES_BYTES,
    MAX_ENTRY_LINE_BYTES,
    MAX_JSON_DEPTH,
    MAX_KEY_FILE_BYTES,
    MAX_WITNESSES_BYTES,
    MIB,
    check_depth,
    chunks,
    lines,
    open_regular,
    read_small,
)
from ledger.tlog.errors import BundleError
from ledger.tlog.report import DocumentFault

ENTRIES = "entries.jsonl"
CHECKPOINTS = "checkpoints.jsonl"
LOG_VKEY = "log.vkey"
ROOT_KEY_ID = "root-key-id"
WITNESSES = "witnesses.vkeys"
DOCUMENTS = "documents"


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit // KIB} KiB"


README = f"""\
# PAR Ledger — inspector bundle

This folder is a complete, self-describing copy of a PAR Ledger (Sổ cái CCHC) for offline
verification. Nothing in it needs to be trusted on its own: every entry is signed by its
author, every checkpoint by the log key, and the verifier recomputes everything else.

Files:
- `entries.jsonl`: every ledger entry in order, as its exact leaf bytes (base64); the
  framing is specified in docs/formats.md §4 of the PAR Ledger sources.
- `checkpoints.jsonl`: every checkpoint the log signed (C2SP tlog-checkpoint notes, with
  witness cosignatures where there are any).
- `log.vkey`: the log's verifier key. Compare it with the key the province published.
- `root-key-id`: the ledger authority's root key id. Compare it with the published one.
- `witnesses.vkeys`: the witnesses whose cosignatures the ledger stores.
- `documents/`: the evidence files the entries reference, named by their SHA-256.

To verify with PAR Ledger installed:

    parledger verify --bundle THIS_FOLDER --state my-last-checkpoint.note

Or with nothing but Python ≥ 3.11 and the `cryptography` package: the inspector is a
program of its own, `python -m ledger.inspect`, with the same report and exit status. From
the PAR Ledger sources, copy these files, keeping their folders, and nothing else:

    ledger/__init__.py  ledger/errors.py  ledger/inspect.py
    ledger/signing/__init__.py  ledger/signing/dsse.py  ledger/tlog/*.py

then, in the folder that holds that copy of `ledger/`:

    python3 -m venv inspector && inspector/bin/pip install cryptography
    inspector/bin/python -m ledger.inspect THIS_FOLDER --state my-last-checkpoint.note

(`--workers N` verifies signatures on N threads.)

The verifier checks every signature, that each signing key was registered and not
revoked before the entry, every leaf and the Merkle tree, every checkpoint's signature
and root, and — with --state — that this log extends the checkpoint you verified last
time (it refuses to move on otherwise and prints both checkpoints as evidence). It names
every fault by sequence number and exits 0 only when all holds. Keep the state file: it
is your own witness of the log's history.

The verifier trusts none of these files. It reads only regular files inside this folder:
a symbolic link (even to a file in the folder), a folder, a FIFO or a device where a file
should be is refused by name, never followed or opened for reading. It reads at most:

- `log.vkey`, `root-key-id`: {_size(MAX_KEY_FILE_BYTES)} each; `witnesses.vkeys`: {_size(MAX_WITNESSES_BYTES)};
- `entries.jsonl`: any length, one line at a time, each line at most {_size(MAX_ENTRY_LINE_BYTES)};
- `checkpoints.jsonl`: {_size(MAX_CHECKPOINTS_BYTES)} in all, each line at most {_size(MAX_CHECKPOINT_LINE_BYTES)};
- each document: {_size(MAX_DOCUMENT_BYTES)} (the ledger's own limit for a document), hashed in pieces;
- JSON nested at most {MAX_JSON_DEPTH} levels deep in any line (a line of this bundle nests one).

A file or line over its limit, or a line that is not UTF-8 or not JSON, stops the
verification with one line naming the file (and line) and exit status 1; a document that
is not a regular file or is over its limit is reported as a fault, like a document whose
bytes do not match its name.
"""


def write_bundle(
    out: Path,
    *,
    entries: Iterable[tuple[int, bytes]],
    checkpoints: Iterable[tuple[int, bytes]],
    log_vkey: str,
    root_key_id: str,
    witnesses: Iterable[str],
    documents: Iterable[tuple[str, bytes]],
) -> tuple[int, int, int]:
    """Write a bundle into the empty or new folder `out`; return (entries, checkpoints, documents)."""
    if out.exists() and any(out.iterdir()):
        raise BundleError("bundle_folder_not_empty", path=str(out))
    out.mkdir(parents=True, exist_ok=True)
    (out / "README.md").write_text(README)
    (out / LOG_VKEY).write_text(log_vkey + "\n")
    (out / ROOT_KEY_ID).write_text(root_key_id + "\n")
    (out / WITNESSES).write_text("".join(vkey + "\n" for vkey in witnesses))
    counts = [0, 0, 0]
    with (out / ENTRIES).open("w") as handle:
        for seq, leaf in entries:
            handle.write(json.dumps({"seq": seq, "leaf": base64.b64encode(leaf).decode()}) + "\n")
            counts[0] += 1
    with (out / CHECKPOINTS).open("w") as handle:
        for size, note in checkpoints:
            handle.write(json.dumps({"size": size, "note": note.decode()}, ensure_ascii=False) + "\n")
            counts[1] += 1
    for sha256, data in documents:
        path = document_path(out, sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        counts[2] += 1
    return counts[0], counts[1], counts[2]


def document_path(root: Path, sha256: str) -> Path:
    """Where a document lives in a bundle (the same layout as the ledger's document store)."""
    return root / DOCUMENTS / "sha256" / sha256[:2] / sha256[2:4] / sha256


@dataclass(frozen=True)
class Bundle:
    """A bundle on disk, read lazily: entries and checkpoints stream from their files."""

    path: Path
    log_vkey: str
    root_key_id: str
    witnesses: tuple[str, ...]

    @classmethod
    def open(cls, path: Path) -> Bundle:
        """Read the bundle's small files; BundleError naming the file if one is missing or unsafe."""
        if not path.is_dir():
            raise BundleError("bundle_not_folder", path=str(path))
        for name, limit in ((ENTRIES, MAX_ENTRIES_BYTES), (CHECKPOINTS, MAX_CHECKPOINTS_BYTES)):
            with open_regular(path, name, limit=limit):
                pass  # missing, unsafe or too large: refused before any entry is read
        witnesses = (
            read_small(path, WITNESSES, limit=MAX_WITNESSES_BYTES).split() if os.path.lexists(path / WITNESSES) else []
        )
        return cls(
            path,
            read_small(path, LOG_VKEY, limit=MAX_KEY_FILE_BYTES).strip(),
            read_small(path, ROOT_KEY_ID, limit=MAX_KEY_FILE_BYTES).strip(),
            tuple(witnesses),
        )

    def entries(self) -> Iterator[tuple[int, bytes]]:
        """(seq, leaf bytes) in file order."""
        for number, record in self._records(ENTRIES, ("seq", "leaf"), MAX_ENTRY_LINE_BYTES, MAX_ENTRIES_BYTES):
            seq = record["seq"]
            assert isinstance(seq, int)  # _records checked it
            yield seq, _base64(record["leaf"], ENTRIES, number)

    def checkpoints(self) -> Iterator[bytes]:
        """Signed checkpoint notes in file order."""
        records = self._records(CHECKPOINTS, ("size", "note"), MAX_CHECKPOINT_LINE_BYTES, MAX_CHECKPOINTS_BYTES)
        for _, record in records:
            yield str(record["note"]).encode()

    def documents(self) -> Iterator[tuple[str, Path]]:
        """(claimed SHA-256, path inside the bundle) of every document, and of anything else in their folders.

        The folders are walked without following links; a link or a file where a folder
        should be is listed too, so that checking it names the fault.
        """
        relative = Path(DOCUMENTS, "sha256")
        for part in (Path(DOCUMENTS), relative):
            folder = self.path / part
            if not os.path.lexists(folder):
                return
            if folder.is_symlink() or not folder.is_dir():
                yield part.name, part
                return
        for first in _listing(self.path / relative):
            if not first.is_dir(follow_symlinks=False):
                yield first.name, relative / first.name
                continue
            for second in _listing(Path(first.path)):
                if not second.is_dir(follow_symlinks=False):
                    yield second.name, relative / first.name / second.name
                    continue
                for document in _listing(Path(second.path)):
                    yield document.name, relative / first.name / second.name / document.name

    def check_documents(self) -> list[DocumentFault]:
        """Documents that are not regular files within the limit, or whose bytes do not hash to their name."""
        faults = []
        for name, relative in self.documents():
            digest = hashlib.sha256()
            try:
                for chunk in chunks(self.path, relative, limit=MAX_DOCUMENT_BYTES):
                    digest.update(chunk)
            except BundleError as exc:
                faults.append(DocumentFault(name, refused=exc.reason))
                continue
            if digest.hexdigest() != name:
                faults.append(DocumentFault(name))
        return faults

    def _records(
        self, name: str, fields: tuple[str, str], line_limit: int, file_limit: int
    ) -> Iterator[tuple[int, dict[str, object]]]:
        for number, line in lines(self.path, name, line_limit=line_limit, file_limit=file_limit):
            check_depth(line, name, number)
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BundleError("bundle_line_not_json", name=name, number=number, detail=str(exc)) from None
            if not isinstance(record, dict) or set(record) != set(fields) or not isinstance(record[fields[0]], int):
                raise BundleError("bundle_line_fields", name=name, number=number, fields=fields)
            yield number, record


def _listing(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as entries:
        return sorted(entries, key=lambda entry: entry.name)


def _base64(value: object, name: str, number: int) -> bytes:
    if not isinstance(value, str):
        raise BundleError("bundle_leaf_not_text", name=name, number=number)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise BundleError("bundle_leaf_not_base64", name=name, number=number) from None

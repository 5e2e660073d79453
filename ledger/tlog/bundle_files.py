"""Reading a bundle's files without trusting them: regular files inside the bundle, within limits.

A bundle comes from elsewhere, so any of its files may have been replaced by a symbolic
link (to ``/dev/zero``, to ``/etc/passwd``), a FIFO, a device, a folder, or a file far
larger than any the ledger writes. The inspector opens a bundle's file only when it is a
regular file whose resolved path is that file itself, inside the bundle: no link on the
way, no special file (opened with ``O_NONBLOCK``, so even a FIFO swapped in after the
check cannot hang the open, and ``O_NOFOLLOW``), and it never reads more than the limit
of that file: the small files whole, ``entries.jsonl`` and ``checkpoints.jsonl`` one
line at a time, documents in chunks. A JSON line is refused before parsing if it nests
deeper than `MAX_JSON_DEPTH` (the parser would recurse). Each refusal is a `BundleError`
naming the file and what is wrong with it. Standard library only.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Final

from ledger.tlog.errors import BundleError

KIB: Final = 1024
MIB: Final = 1024 * KIB

#: ``log.vkey`` and ``root-key-id``: one key each, a hundred bytes or so.
MAX_KEY_FILE_BYTES: Final = 1 * KIB
#: ``witnesses.vkeys``: one verifier key per line.
MAX_WITNESSES_BYTES: Final = 64 * KIB
#: A line of ``entries.jsonl``: a leaf (whose payload is at most 1 MiB, base64 inside the
#: leaf) in base64 again, with room to spare.
MAX_ENTRY_LINE_BYTES: Final = 4 * MIB
#: ``entries.jsonl`` whole: no limit of its own (it is read one line at a time); only
#: what a file offset can say.
MAX_ENTRIES_BYTES: Final = 2**63 - 1
#: A line of ``checkpoints.jsonl``: a checkpoint note with at most 100 signatures.
MAX_CHECKPOINT_LINE_BYTES: Final = 64 * KIB
#: ``checkpoints.jsonl`` whole: the inspector holds every checkpoint note at once.
MAX_CHECKPOINTS_BYTES: Final = 256 * MIB
#: A document: the ledger's own limit (``ledger.domain.submissions.MAX_DOCUMENT_BYTES``,
#: repeated here because `ledger.tlog` may not import the domain; a test checks they agree).
MAX_DOCUMENT_BYTES: Final = 20 * MIB
#: How deep a bundle's JSON line may nest arrays and objects (its records nest one level).
MAX_JSON_DEPTH: Final = 32

_CHUNK: Final = 64 * KIB
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")

_SPECIAL: Final = (
    (stat.S_ISDIR, "bundle_file_folder"),
    (stat.S_ISFIFO, "bundle_file_fifo"),
    (stat.S_ISCHR, "bundle_file_device"),
    (stat.S_ISBLK, "bundle_file_device"),
)


def _refuse_special(path: Path, mode: int) -> None:
    """BundleError naming what `path` is, unless it is a regular file."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISLNK(mode):
        raise BundleError("bundle_file_symlink", path=str(path))
    code = next((code for test, code in _SPECIAL if test(mode)), "bundle_file_special")
    raise BundleError(code, path=str(path))


def _check_path(root: Path, path: Path) -> None:
    """The file must be a regular file at its own path inside the bundle: no link anywhere on the way."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        raise BundleError("bundle_file_missing", path=str(path)) from None
    _refuse_special(path, mode)
    # Resolved, the path must be itself inside the bundle: a link on the way could lead anywhere.
    if Path(os.path.realpath(path)) != Path(os.path.realpath(root)) / path.relative_to(root):
        raise BundleError("bundle_file_symlink", path=str(path))


@contextmanager
def open_regular(root: Path, relative: str | Path, *, limit: int) -> Iterator[BinaryIO]:
    """Open the regular file `relative` of the bundle in `root`, no larger than `limit` bytes.

    Raises:
        BundleError: if it is missing, a link, a special file, outside the bundle, larger
            than `limit`, or cannot be opened.
    """
    path = root / relative
    _check_path(root, path)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:  # ELOOP: a link swapped in after the check
        raise BundleError("bundle_file_unreadable", path=str(path), detail=exc.strerror or str(exc)) from None
    try:
        status = os.fstat(fd)
        _refuse_special(path, status.st_mode)
        if status.st_size > limit:
            raise BundleError("bundle_file_too_large", path=str(path), size=status.st_size, limit=limit)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


def read_small(root: Path, name: str, *, limit: int) -> str:
    """The whole text of a small file of the bundle (UTF-8), at most `limit` bytes."""
    with open_regular(root, name, limit=limit) as handle:
        data = _read(handle, root / name, limit + 1)
    if len(data) > limit:  # it grew after the size was checked
        raise BundleError("bundle_file_too_large", path=str(root / name), size=len(data), limit=limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BundleError("bundle_file_not_utf8", path=str(root / name)) from None


def lines(root: Path, name: str, *, line_limit: int, file_limit: int) -> Iterator[tuple[int, str]]:
    """(number, text) of each line of a file of the bundle: at most `line_limit` bytes each, `file_limit` in all.

    Memory stays within one line, whatever the file's size.
    """
    path = root / name
    with open_regular(root, name, limit=file_limit) as handle:
        number = 0
        read = 0
        while line := _read_line(handle, path, line_limit + 1):
            number += 1
            read += len(line)
            if read > file_limit:
                raise BundleError("bundle_file_too_large", path=str(path), size=read, limit=file_limit)
            if len(line) > line_limit:
                raise BundleError("bundle_line_too_long", name=name, number=number, limit=line_limit)
            try:
                yield number, line.decode("utf-8")
            except UnicodeDecodeError:
                raise BundleError("bundle_line_not_utf8", name=name, number=number) from None


def chunks(root: Path, relative: str | Path, *, limit: int) -> Iterator[bytes]:
    """The bytes of a file of the bundle, a piece at a time, at most `limit` bytes in all."""
    path = root / relative
    with open_regular(root, relative, limit=limit) as handle:
        read = 0
        while chunk := _read(handle, path, _CHUNK):
            read += len(chunk)
            if read > limit:
                raise BundleError("bundle_file_too_large", path=str(path), size=read, limit=limit)
            yield chunk


def check_depth(text: str, name: str, number: int) -> None:
    """BundleError if the JSON `text` nests deeper than `MAX_JSON_DEPTH` (checked before parsing)."""
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_JSON_DEPTH:
            raise BundleError("bundle_line_too_deep", name=name, number=number, limit=MAX_JSON_DEPTH)


def _read(handle: BinaryIO, path: Path, size: int) -> bytes:
    try:
        return handle.read(size)
    except OSError as exc:
        raise BundleError("bundle_file_unreadable", path=str(path), detail=exc.strerror or str(exc)) from None


def _read_line(handle: BinaryIO, path: Path, size: int) -> bytes:
    try:
        return handle.readline(size)
    except OSError as exc:
        raise BundleError("bundle_file_unreadable", path=str(path), detail=exc.strerror or str(exc)) from None

"""What the inspector finds: faults as data, the report, and the inspector's state file.

A `Fault` is one thing wrong with the log, at an entry or with the log itself; a
`Report` holds them all, with the checkpoint that verified. Faults are data, not errors:
an audit names every one of them rather than stopping at the first. Also the helpers
that quote signed notes as evidence in a fault's reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ledger.tlog.files import write_atomically
from ledger.tlog.notes import Checkpoint

__all__ = [
    "DocumentFault",
    "Fault",
    "RangeFault",
    "Report",
    "evidence",
    "peek_size",
    "places_given",
    "read_state",
    "span",
    "write_state",
]


@dataclass(frozen=True)
class Fault:
    """One thing wrong: at entry ``seq``, or with the log itself when ``seq`` is None."""

    seq: int | None
    reason: str

    def __str__(self) -> str:
        where = "log" if self.seq is None else f"entry {self.seq}"
        return f"{where}: {self.reason}"

    @property
    def first(self) -> int | None:
        """The first entry the fault concerns (``seq``)."""
        return self.seq

    @property
    def last(self) -> int | None:
        """The last entry the fault concerns (``seq`` for a single entry)."""
        return self.seq


@dataclass(frozen=True)
class RangeFault(Fault):
    """A fault that concerns entries ``seq``..``end``, which the evidence cannot narrow."""

    end: int = 0

    def __str__(self) -> str:
        return f"entries {self.seq}–{self.end}: {self.reason}"

    @property
    def last(self) -> int | None:
        """The last entry of the range."""
        return self.end


@dataclass(frozen=True)
class DocumentFault:
    """A document in a bundle that does not hash to its name, or that the inspector refused to read."""

    sha256: str
    refused: str = ""  # why the file was not read (a link, a special file, too large), if it was not

    def __str__(self) -> str:
        if self.refused:
            return f"document {self.sha256} refused: {self.refused}"
        return f"document {self.sha256} does not match its SHA-256 (changed file?)"


def span(first: int, last: int, reason: str) -> Fault:
    return Fault(first, reason) if first == last else RangeFault(first, reason, last)


@dataclass
class Report:
    """What :meth:`Inspector.inspect` found.

    ``entries`` is the size of the rebuilt tree: the highest position the given entries
    reached (missing entries inside count as positions). ``checkpoint`` is the latest
    checkpoint that verified — log signature and origin, root equal to the rebuilt root at
    its size, consistent with the state checkpoint — and ``checkpoint_note`` its signed
    note; both are None if there is none. Persist it as the new state only if ``ok``.
    """

    entries: int
    checkpoint: Checkpoint | None
    faults: list[Fault]
    checkpoint_note: bytes | None = None

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.faults

    def __str__(self) -> str:
        head = f"{self.entries} entries"
        if self.checkpoint is not None:
            head += f", checkpoint {self.checkpoint.size}"
        if self.ok:
            return f"{head}: OK"
        return "\n".join([f"{head}: {len(self.faults)} fault(s)", *map(str, self.faults)])


# --------------------------------------------------------------------------------------
# State file
# --------------------------------------------------------------------------------------


def write_state(path: str | os.PathLike[str], checkpoint_note: bytes) -> None:
    """Atomically replace the state file with the raw signed note of a verified checkpoint."""
    write_atomically(Path(path), checkpoint_note)


def read_state(path: str | os.PathLike[str]) -> bytes | None:
    """The raw signed note in the state file, or None if there is no state yet."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return None


def quoted(note: bytes) -> str:
    """A note for evidence in a message, indented so that it stands out."""
    text = note.decode("utf-8", errors="replace").rstrip("\n")
    return "\n".join("    " + line for line in text.split("\n"))


def evidence(*notes: tuple[str, bytes]) -> str:
    return "".join(f"\n  {label}:\n{quoted(note)}" for label, note in notes)


def peek_size(note: bytes) -> str:
    """The size line of a checkpoint note, for messages about a note that did not verify."""
    text = note[: note.rfind(b"\n\n") + 1].split(b"\n", 2)
    if len(text) >= 2 and text[1].isdigit() and len(text[1]) < 20:
        return f" of size {int(text[1])}"
    return ""


def places_given(notes: list[bytes], cache: dict[bytes, Checkpoint | str]) -> list[str]:
    """For each note, where it was given among the notes that verified, for messages."""
    after: list[int | None] = []
    last = None
    for note in notes:
        after.append(last)
        result = cache[note]
        last = result.size if isinstance(result, Checkpoint) else last
    places = [""] * len(notes)
    following = None
    for position in range(len(notes) - 1, -1, -1):
        where = [f"after checkpoint {after[position]}"] if after[position] is not None else []
        where += [f"before checkpoint {following}"] if following is not None else []
        places[position] = f" given {' and '.join(where)}" if where else ""
        result = cache[notes[position]]
        following = result.size if isinstance(result, Checkpoint) else following
    return places

"""Reading a bundle's files without trusting them (ledger.tlog.bundle_files): what is refused, and the limits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ledger.domain.submissions import MAX_DOCUMENT_BYTES as LEDGER_MAX_DOCUMENT_BYTES
from ledger.tlog.bundle_files import (
    MAX_DOCUMENT_BYTES,
    MAX_JSON_DEPTH,
    check_depth,
    chunks,
    lines,
    open_regular,
    read_small,
)
from ledger.tlog.errors import BundleError


def test_a_bundle_admits_documents_as_large_as_the_ledger_stores_and_no_larger() -> None:
    assert MAX_DOCUMENT_BYTES == LEDGER_MAX_DOCUMENT_BYTES


def _code(call: object) -> str:
    with pytest.raises(BundleError) as refused:
        call()  # type: ignore[operator]
    return refused.value.code


def test_a_link_is_refused_even_to_a_file_inside_the_bundle(tmp_path: Path) -> None:
    (tmp_path / "real").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "real")

    assert _code(lambda: read_small(tmp_path, "link", limit=10)) == "bundle_file_symlink"


def test_a_file_reached_through_a_linked_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "file").write_text("x")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "folder").symlink_to(outside, target_is_directory=True)

    assert _code(lambda: list(chunks(bundle, "folder/file", limit=10))) == "bundle_file_symlink"


@pytest.mark.parametrize(
    ("make", "code"),
    [(os.mkfifo, "bundle_file_fifo"), (Path.mkdir, "bundle_file_folder"), (lambda path: None, "bundle_file_missing")],
)
def test_what_is_not_a_regular_file_is_named(tmp_path: Path, make: object, code: str) -> None:
    make(tmp_path / "name")  # type: ignore[operator]

    assert _code(lambda: read_small(tmp_path, "name", limit=10)) == code


def test_a_file_over_its_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    with (tmp_path / "big").open("wb") as handle:
        handle.truncate(10**12)  # sparse

    assert _code(lambda: read_small(tmp_path, "big", limit=1024)) == "bundle_file_too_large"
    assert _code(lambda: list(chunks(tmp_path, "big", limit=1024))) == "bundle_file_too_large"


def test_a_regular_file_within_its_limit_is_read(tmp_path: Path) -> None:
    (tmp_path / "small").write_text("één\ntwee\n")

    assert read_small(tmp_path, "small", limit=16) == "één\ntwee\n"
    assert list(lines(tmp_path, "small", line_limit=8, file_limit=16)) == [(1, "één\n"), (2, "twee\n")]
    with open_regular(tmp_path, "small", limit=16) as handle:
        assert handle.read() == "één\ntwee\n".encode()


def test_lines_stop_at_the_first_line_over_the_limit_and_at_the_file_limit(tmp_path: Path) -> None:
    (tmp_path / "lines").write_text("short\n" + "x" * 100 + "\n")

    read = lines(tmp_path, "lines", line_limit=10, file_limit=1000)
    assert next(read) == (1, "short\n")
    with pytest.raises(BundleError) as refused:
        next(read)
    assert refused.value.code == "bundle_line_too_long"
    assert refused.value.params["number"] == 2
    assert _code(lambda: list(lines(tmp_path, "lines", line_limit=200, file_limit=50))) == "bundle_file_too_large"


def test_json_nested_deeper_than_the_limit_is_refused_but_brackets_inside_strings_do_not_count() -> None:
    check_depth("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, "f", 1)
    check_depth('{"note": "' + "[" * 1000 + '\\"["}', "f", 1)

    assert _code(lambda: check_depth("[" * (MAX_JSON_DEPTH + 1), "f", 1)) == "bundle_line_too_deep"
    assert _code(lambda: check_depth('{"a": "\\\\", "b": ' + "{" * 200_000, "f", 1)) == "bundle_line_too_deep"

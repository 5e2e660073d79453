"""`local_path`: only a path on this site may be a redirect's target, against a corpus of known bypasses."""

from __future__ import annotations

import pytest
from bypasses import BYPASSES
from hypothesis import given
from hypothesis import strategies as st

from web.redirects import local_path

#: Paths on this site, which must come back exactly as given.
PATHS = [
    "/",
    "/don-vi",
    "/xep-loai/?nam=2024",
    "/xep-loai/2024/SYT#khieu-nai",
    "/kiem-toan/lich-su?doi_tuong=unit/SNV",
    "/tim?q=Lâm Sơn",
    "/a//b",
    "/x?next=//evil.example",
]


@pytest.mark.parametrize("target", BYPASSES)
def test_a_target_that_leaves_the_site_or_carries_a_control_character_is_refused(target: str) -> None:
    assert local_path(target) is None


@pytest.mark.parametrize("target", PATHS)
def test_a_path_on_this_site_is_kept_as_given(target: str) -> None:
    assert local_path(target) == target


def test_nothing_is_no_target() -> None:
    assert local_path(None) is None


@given(st.text())
def test_whatever_is_accepted_is_a_path_that_no_browser_reads_as_another_host(target: str) -> None:
    accepted = local_path(target)
    if accepted is not None:
        assert accepted == target
        assert accepted.startswith("/")
        assert not accepted.startswith("//")
        assert "\\" not in accepted
        assert all(ord(char) >= 0x20 and ord(char) != 0x7F for char in accepted)

"""Logins, sessions and key enrolments in the ledger's own database, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from world import ManualClock

from web.accounts import (
    ABSOLUTE_TIMEOUT,
    IDLE_TIMEOUT,
    AccountError,
    AccountStore,
)


def test_the_right_password_opens_an_account_and_the_hash_is_argon2id(store: AccountStore) -> None:
    account = store.authenticate("snv.nguyen.van.an", "mật khẩu đủ dài")

    assert account.officer == "snv.nguyen.van.an"
    (row,) = store._all("SELECT password_hash FROM {accounts}")
    assert row["password_hash"].startswith("$argon2id$")
    assert "mật khẩu" not in row["password_hash"]


@pytest.mark.parametrize("login", ["snv.nguyen.van.an", "no.such.login"])
def test_a_wrong_password_or_unknown_login_gets_the_same_answer(store: AccountStore, login: str) -> None:
    with pytest.raises(AccountError) as refused:
        store.authenticate(login, "sai mật khẩu")
    assert refused.value.code == "wrong_credentials"
    assert refused.value.message == "Tên đăng nhập hoặc mật khẩu không đúng"
    assert refused.value.field == "password"


def test_a_session_is_stored_as_a_digest_and_ends_when_revoked(store: AccountStore) -> None:
    account = store.authenticate("snv.nguyen.van.an", "mật khẩu đủ dài")
    token = store.open_session(account)

    session = store.session(token)
    assert session is not None
    assert session.officer == "snv.nguyen.van.an"
    assert token not in str(store._all("SELECT * FROM {sessions}"))

    store.revoke_session(token)
    assert store.session(token) is None


def test_a_session_ends_after_the_idle_time_out_and_after_the_absolute_time_out(
    store: AccountStore, clock: ManualClock
) -> None:
    account = store.authenticate("snv.nguyen.van.an", "mật khẩu đủ dài")
    idle = store.open_session(account)
    busy = store.open_session(account)

    clock.now += IDLE_TIMEOUT + 1
    assert store.session(idle) is None

    busy = store.open_session(account)
    start = clock.now
    while clock.now - start < ABSOLUTE_TIMEOUT - IDLE_TIMEOUT / 2:
        assert store.session(busy) is not None
        clock.now += IDLE_TIMEOUT / 2
    clock.now += IDLE_TIMEOUT / 2 + 1
    assert store.session(busy) is None


def test_a_new_password_ends_every_session_of_the_account(store: AccountStore) -> None:
    account = store.authenticate("snv.nguyen.van.an", "mật khẩu đủ dài")
    tokens = [store.open_session(account) for _ in range(3)]

    store.set_password("snv.nguyen.van.an", "một mật khẩu mới")

    assert [store.session(token) for token in tokens] == [None, None, None]
    assert store.authenticate("snv.nguyen.van.an", "một mật khẩu mới").login == "snv.nguyen.van.an"


def test_a_taken_login_a_taken_officer_and_a_short_password_are_refused(store: AccountStore) -> None:
    with pytest.raises(AccountError) as taken:
        store.add_account("snv.nguyen.van.an", "other.officer", "đủ dài rồi")
    assert "đã có tài khoản" in taken.value.message
    with pytest.raises(AccountError) as taken:
        store.add_account("other", "snv.nguyen.van.an", "đủ dài rồi")
    assert "đã có tài khoản" in taken.value.message
    with pytest.raises(AccountError) as short:
        store.add_account("other", "other.officer", "ngắn")
    assert short.value.code == "password_too_short"
    assert "ít nhất 8 ký tự" in short.value.message
    assert short.value.field == "password"
    assert [a.login for a in store.accounts()] == ["snv.nguyen.van.an"]


def test_a_key_is_enrolled_once_and_listed_per_officer(store: AccountStore) -> None:
    store.request_enrolment("snv.nguyen.van.an", "ed25519:" + "a" * 64, "A" * 43 + "=")
    store.request_enrolment("stc.tran.thi.ha", "ed25519:" + "b" * 64, "B" * 43 + "=")

    with pytest.raises(AccountError, match="already enrolled"):
        store.request_enrolment("snv.nguyen.van.an", "ed25519:" + "a" * 64, "A" * 43 + "=")
    mine = store.enrolments(officers=["snv.nguyen.van.an"])
    assert [(e.key_id[-1], e.status) for e in mine] == [("a", "pending")]
    store.settle_enrolment("ed25519:" + "b" * 64, "refused")
    assert [e.officer for e in store.enrolments(status="pending")] == ["snv.nguyen.van.an"]

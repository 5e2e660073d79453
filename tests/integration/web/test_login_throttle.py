"""Login throttling (OWASP): guesses are slowed per login and per client, never the owner on their own device.

On SQLite and PostgreSQL, through the ledger's own database.
"""

from __future__ import annotations

import threading

import pytest
from world import ACCOUNT as OWNER
from world import ACCOUNT_PASSWORD as PASSWORD
from world import ManualClock

from web.accounts import (
    FIRST_BACKOFF,
    FREE_ATTEMPTS,
    FREE_ATTEMPTS_PER_CLIENT,
    LONGEST_BACKOFF,
    AccountError,
    AccountStore,
)

STRANGER = "203.0.113.9"
OWNER_CLIENT = "198.51.100.4"


def refusal(store: AccountStore, login: str, password: str, **where: str) -> AccountError:
    with pytest.raises(AccountError) as refused:
        store.authenticate(login, password, **where)
    return refused.value


def test_guesses_past_the_free_ones_wait_a_doubling_delay_and_a_right_password_then_gets_through(
    store: AccountStore, clock: ManualClock
) -> None:
    for _ in range(FREE_ATTEMPTS):
        assert refusal(store, OWNER, "sai").code == "wrong_credentials"

    throttled = refusal(store, OWNER, PASSWORD)
    assert throttled.code == "too_many_attempts"
    assert 0 < throttled.retry_after <= FIRST_BACKOFF + 1
    assert f"thử lại sau {throttled.retry_after} giây" in throttled.message

    clock.now += FIRST_BACKOFF
    assert refusal(store, OWNER, "sai").code == "wrong_credentials"  # admitted after the delay, and checked
    doubled = refusal(store, OWNER, PASSWORD)
    assert FIRST_BACKOFF < doubled.retry_after <= 2 * FIRST_BACKOFF + 1

    clock.now += 2 * FIRST_BACKOFF
    assert store.authenticate(OWNER, PASSWORD).login == OWNER
    assert refusal(store, OWNER, "sai").code == "wrong_credentials"  # a success starts the count again


def test_refused_attempts_during_a_delay_do_not_lengthen_it(store: AccountStore, clock: ManualClock) -> None:
    for _ in range(FREE_ATTEMPTS):
        refusal(store, OWNER, "sai")
    for _ in range(50):
        assert refusal(store, OWNER, "sai").code == "too_many_attempts"

    clock.now += FIRST_BACKOFF
    assert store.authenticate(OWNER, PASSWORD).login == OWNER


def test_the_delay_stops_doubling_at_its_longest(store: AccountStore, clock: ManualClock) -> None:
    waits = []
    for _ in range(FREE_ATTEMPTS + 30):
        error = refusal(store, OWNER, "sai")
        if error.code == "too_many_attempts":
            waits.append(error.retry_after)
            clock.now += error.retry_after
    assert max(waits) <= LONGEST_BACKOFF + 1
    assert waits[-1] == waits[-2]


def test_an_unknown_login_is_throttled_exactly_like_a_known_one(store: AccountStore) -> None:
    known = [refusal(store, OWNER, "sai") for _ in range(FREE_ATTEMPTS + 1)]
    unknown = [refusal(store, "no.such.login", "sai") for _ in range(FREE_ATTEMPTS + 1)]

    assert [(e.code, e.field, e.message, e.retry_after) for e in known] == [
        (e.code, e.field, e.message, e.retry_after) for e in unknown
    ]


def test_one_client_guessing_many_logins_is_throttled_by_its_address(store: AccountStore) -> None:
    codes = [refusal(store, f"guess.{n}", "sai", client=STRANGER).code for n in range(FREE_ATTEMPTS_PER_CLIENT + 1)]

    assert codes[:FREE_ATTEMPTS_PER_CLIENT] == ["wrong_credentials"] * FREE_ATTEMPTS_PER_CLIENT
    assert codes[-1] == "too_many_attempts"
    assert store.authenticate(OWNER, PASSWORD, client=OWNER_CLIENT).login == OWNER  # another address is not


def test_a_strangers_guesses_never_stop_the_owner_on_a_device_that_logged_in_before(store: AccountStore) -> None:
    device = store.remember_device(store.authenticate(OWNER, PASSWORD, client=OWNER_CLIENT))
    for _ in range(FREE_ATTEMPTS + 5):
        refusal(store, OWNER, "sai", client=STRANGER)
    assert refusal(store, OWNER, PASSWORD, client=OWNER_CLIENT).code == "too_many_attempts"  # no device token

    assert store.authenticate(OWNER, PASSWORD, client=OWNER_CLIENT, device=device).login == OWNER


def test_a_device_token_counts_only_for_its_own_login(store: AccountStore) -> None:
    store.add_account("other.login", "other.officer", "mật khẩu khác đủ dài")
    device = store.remember_device(store.authenticate(OWNER, PASSWORD))
    for _ in range(FREE_ATTEMPTS):
        refusal(store, "other.login", "sai")

    assert refusal(store, "other.login", "mật khẩu khác đủ dài", device=device).code == "too_many_attempts"


def test_parallel_guesses_are_counted_one_by_one(store: AccountStore) -> None:
    # 16 browsers at once, 4 wrong passwords each: only the free attempts are ever checked.
    codes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def guess() -> None:
        start.wait()
        for _ in range(4):
            error = refusal(store, OWNER, "sai")
            with lock:
                codes.append(error.code)

    threads = [threading.Thread(target=guess) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert codes.count("wrong_credentials") == FREE_ATTEMPTS
    assert codes.count("too_many_attempts") == 16 * 4 - FREE_ATTEMPTS
    (row,) = store._all("SELECT attempts FROM {throttle} WHERE bucket = ?", (f"login:{OWNER}",))
    assert row["attempts"] == FREE_ATTEMPTS

"""``parledger accounts``: an administrator's commands for web logins, on a copy of the demo."""

from __future__ import annotations

from click.testing import CliRunner
from flask import Flask
from webtest import log_in

from cli.main import main as parledger
from web.instance import Instance

OFFICER = "11950.bui.ngoc.cuong"


def _run(instance: Instance, *args: str, password: str = "") -> tuple[int, str]:
    env = {"LEDGER_INSTANCE": str(instance.path), "LEDGER_DATABASE_URL": instance.database_url}
    if password:
        env["PARLEDGER_PASSWORD"] = password
    result = CliRunner().invoke(parledger, ["accounts", *args], env=env)
    return result.exit_code, result.output


def test_accounts_list_names_each_login_and_its_officer(demo_instance: Instance) -> None:
    code, output = _run(demo_instance, "list")

    assert code == 0
    assert f"{OFFICER}\t{OFFICER}" in output.splitlines()


def test_a_login_for_an_officer_the_ledger_does_not_hold_is_refused(demo_instance: Instance) -> None:
    code, output = _run(demo_instance, "add", "no.such.officer", password="đủ dài rồi")

    assert code == 1
    assert "officer: the ledger holds no officer 'no.such.officer'" in output


def test_a_second_login_for_an_officer_is_refused_in_one_line(demo_instance: Instance) -> None:
    code, output = _run(demo_instance, "add", OFFICER, "--login", "cuong2", password="đủ dài rồi")

    assert code == 1
    assert "đã có tài khoản" in output


def test_a_new_password_ends_the_sessions_and_end_sessions_ends_them_now(
    demo_instance: Instance, demo_app: Flask
) -> None:
    client = demo_app.test_client()
    log_in(client, OFFICER)
    assert client.get("/don-vi/").status_code == 200

    code, output = _run(demo_instance, "password", OFFICER, password="một mật khẩu mới")
    assert code == 0
    assert client.get("/don-vi/").status_code == 302  # back to the login page

    log_in(client, OFFICER, "một mật khẩu mới")
    code, output = _run(demo_instance, "end-sessions", OFFICER)
    assert code == 0
    assert "1 session(s)" in output
    assert client.get("/don-vi/").status_code == 302

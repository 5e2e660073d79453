"""A demo instance: what loading the demo into an instance folder writes, and what the web makes of it.

The web never imports the demo: it learns that an instance is a demo from the instance's
configuration, and signs approvals with the authority key file the demo loader left there.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from demo.loader import DEMO_PASSPHRASE, demo_key, load_demo_instance
from web import create_app
from web.instance import Instance


def sqlite_instance(path: Path) -> Instance:
    return Instance(path, f"sqlite:///{path / 'ledger.sqlite3'}")


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An instance folder the demo was loaded into."""
    path = tmp_path_factory.mktemp("demo-instance")
    instance = sqlite_instance(path)
    ledger = instance.open_ledger()
    try:
        load_demo_instance(instance, ledger)
    finally:
        ledger.close()
    return path


@pytest.fixture
def copied_demo(demo_folder: Path, tmp_path: Path) -> Instance:
    """A copy of the demo instance in another folder, as an operator would move it."""
    path = tmp_path / "moved"
    shutil.copytree(demo_folder, path)
    return sqlite_instance(path)


def test_loading_the_demo_pins_its_root_key_and_marks_the_instance_a_demo_in_its_configuration(
    demo_folder: Path,
) -> None:
    config = json.loads((demo_folder / "config.json").read_text())

    assert config["root_key_id"] == demo_key("root").key_id
    assert config["demo"] == {"authority_key_file": "keys/root.key", "passphrase": DEMO_PASSPHRASE}
    assert sqlite_instance(demo_folder).is_demo()


def test_the_demo_authority_signs_with_the_root_key_file_of_the_instance_even_once_moved(
    copied_demo: Instance,
) -> None:
    authority = copied_demo.demo_authority()

    assert (authority.key.key_id, authority.unit, authority.officer) == (demo_key("root").key_id, "authority", "root")


def test_an_instance_never_marked_is_no_demo_and_its_app_approves_no_key_by_itself(tmp_path: Path) -> None:
    instance = sqlite_instance(tmp_path / "instance")
    instance.pin_root_key(demo_key("root").key_id)  # even with the demo's root key pinned

    app = create_app({"TESTING": True}, instance=instance)
    try:
        assert not instance.is_demo()
        assert "demo_authority" not in app.extensions
    finally:
        app.extensions["ledger"].close()


def test_the_app_on_a_demo_instance_approves_keys_as_the_demo_authority(copied_demo: Instance) -> None:
    app = create_app({"TESTING": True}, instance=copied_demo)
    try:
        approver = app.extensions["demo_authority"]()
        assert approver.key.key_id == demo_key("root").key_id
        assert approver is app.extensions["demo_authority"]()  # the key file is decrypted once
    finally:
        app.extensions["ledger"].close()

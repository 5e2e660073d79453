"""The instance folder and the settings that open the ledger: the one place with side effects.

``LEDGER_INSTANCE`` (default ``./instance``) holds the SQLite file (unless
``LEDGER_DATABASE_URL`` names another database), the document store, the pinned root
key id (``config.json``) and, for the demo, the demo accounts' key files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ledger.application import Ledger
from ledger.config import persistence_env
from ledger.documents import DocumentStore


@dataclass(frozen=True)
class Instance:
    """Where this installation keeps its state, and which database it uses."""

    path: Path
    database_url: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Instance:
        """Read ``LEDGER_INSTANCE`` and ``LEDGER_DATABASE_URL``."""
        environ = os.environ if environ is None else environ
        path = Path(environ.get("LEDGER_INSTANCE", "instance"))
        url = environ.get("LEDGER_DATABASE_URL") or f"sqlite:///{path / 'ledger.sqlite3'}"
        return cls(path, url)

    @property
    def keys_path(self) -> Path:
        """Key files of the demo accounts (never committed: the folder is git-ignored)."""
        return self.path / "keys"

    @property
    def config_path(self) -> Path:
        """Instance settings written by ``parledger init``."""
        return self.path / "config.json"

    def documents(self) -> DocumentStore:
        """The content-addressed document store."""
        return DocumentStore(self.path / "documents")

    def pinned_root_key_id(self) -> str | None:
        """The root key id pinned at ``parledger init`` (None before)."""
        try:
            return str(json.loads(self.config_path.read_text())["root_key_id"])
        except FileNotFoundError:
            return None

    def pin_root_key(self, key_id: str) -> None:
        """Pin the authority's root key id for every later verification."""
        self.path.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(json.dumps({"root_key_id": key_id}, indent=2) + "\n")

    def open_ledger(self) -> Ledger:
        """A Ledger on this instance's database, with its documents and root key pin."""
        self.path.mkdir(parents=True, exist_ok=True)
        env = persistence_env(self.database_url)
        env["ROOT_KEY_ID"] = self.pinned_root_key_id() or ""
        return Ledger(env=env, documents=self.documents())

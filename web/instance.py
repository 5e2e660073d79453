"""The instance folder and the settings that open the ledger: the one place with side effects.

``LEDGER_INSTANCE`` (default ``./instance``) holds the SQLite file (unless
``LEDGER_DATABASE_URL`` names another database), the document store, the pinned root
key id, the witnesses' verifier keys and, on a demo instance, the demo flag
(``config.json``), the log key that signs checkpoints (``log.key``, readable by the
server only), and, for the demo, the demo accounts' key files. ``LEDGER_LOG_ORIGIN``
names the log (default ``hungyen.gov.vn/par-ledger``); it is fixed when the log key is
made.

The log key only attests to order (checkpoints); it cannot sign any officer's statement,
so the server holds it unencrypted, as transparency logs do, protected by file mode.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keys import load_signing_key
from ledger.application import Ledger
from ledger.domain.registry import AUTHORITY_UNIT, ROOT_OFFICER
from ledger.signing.envelope import Author
from ledger.storage.config import persistence_env
from ledger.storage.documents import DocumentStore
from ledger.tlog.notes import CosignatureVerifier, NoteSigner
from ledger.tlog.transparency import DEFAULT_ORIGIN


@dataclass(frozen=True)
class Instance:
    """Where this installation keeps its state, and which database it uses."""

    path: Path
    database_url: str
    origin: str = DEFAULT_ORIGIN

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Instance:
        """Read ``LEDGER_INSTANCE``, ``LEDGER_DATABASE_URL`` and ``LEDGER_LOG_ORIGIN``."""
        environ = os.environ if environ is None else environ
        path = Path(environ.get("LEDGER_INSTANCE", "instance"))
        url = environ.get("LEDGER_DATABASE_URL") or f"sqlite:///{path / 'ledger.sqlite3'}"
        return cls(path, url, environ.get("LEDGER_LOG_ORIGIN") or DEFAULT_ORIGIN)

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

    @property
    def log_key_path(self) -> Path:
        """The log's signing key (a signed-note private key), mode 0600."""
        return self.path / "log.key"

    def _config(self) -> dict[str, Any]:
        try:
            config: dict[str, Any] = json.loads(self.config_path.read_text())
        except FileNotFoundError:
            return {}
        return config

    def _write_config(self, **changes: Any) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(json.dumps({**self._config(), **changes}, indent=2) + "\n")

    def pinned_root_key_id(self) -> str | None:
        """The root key id pinned at ``parledger init`` (None before)."""
        value = self._config().get("root_key_id")
        return None if value is None else str(value)

    def pin_root_key(self, key_id: str) -> None:
        """Pin the authority's root key id for every later verification."""
        self._write_config(root_key_id=key_id)

    def mark_demo(self, authority_key_file: Path, passphrase: str) -> None:
        """Mark this instance as a demo, whose authority signs with `authority_key_file`.

        Written by the demo loader, which put the key file inside the instance folder. The
        demo's keys come from public seeds and their passphrase is in the README, so the
        passphrase is kept here in the clear: on a demo instance, nothing is secret.
        """
        relative = authority_key_file.relative_to(self.path)
        self._write_config(demo={"authority_key_file": str(relative), "passphrase": passphrase})

    def is_demo(self) -> bool:
        """Whether this instance holds the demo (``"demo"`` in its configuration)."""
        return "demo" in self._config()

    def demo_authority(self) -> Author:
        """The ledger authority, signing with the demo's root key file (on a demo instance only)."""
        demo = self._config()["demo"]
        key = load_signing_key(self.path / demo["authority_key_file"], demo["passphrase"])
        return Author(key, AUTHORITY_UNIT, ROOT_OFFICER)

    def witnesses(self) -> list[str]:
        """Verifier keys (C2SP vkeys, cosignature type) of the witnesses whose cosignatures count."""
        return [str(vkey) for vkey in self._config().get("witnesses", [])]

    def add_witness(self, vkey: str) -> None:
        """Trust a witness's cosignatures (its vkey, as `parledger witness init` prints it)."""
        CosignatureVerifier(vkey)  # refuse a malformed key before writing it
        self._write_config(witnesses=sorted({*self.witnesses(), vkey}))

    def log_signer(self) -> NoteSigner | None:
        """The log key, if this instance has one."""
        try:
            return NoteSigner.from_skey(self.log_key_path.read_text().strip())
        except FileNotFoundError:
            return None

    def ensure_log_key(self) -> NoteSigner:
        """The log key, made on first use for this instance's origin."""
        signer = self.log_signer()
        if signer is not None:
            return signer
        signer = NoteSigner.generate(self.origin)
        self.path.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.log_key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(signer.skey + "\n")
        (self.path / "log.vkey").write_text(signer.vkey + "\n")
        return signer

    def open_ledger(self) -> Ledger:
        """A Ledger on this instance's database, with its documents and root key pin."""
        self.path.mkdir(parents=True, exist_ok=True)
        env = persistence_env(self.database_url)
        env["ROOT_KEY_ID"] = self.pinned_root_key_id() or ""
        return Ledger(env=env, documents=self.documents(), log_signer=self.log_signer())

"""The inspector's pages: the latest checkpoint and cosignatures, verifying receipts and bundles, the bundle.

Who may look: inspectors, auditors and administrators (403 for everyone else).

A receipt is the ``.tlog-proof`` file ``/bien-nhan/<seq>`` serves. It is checked as
``parledger verify-receipt`` checks it, against this log's verifier key (never a key the
file brings): the checkpoint's signature, then the entry's inclusion in that checkpoint.
The page adds one check the offline command cannot make: that the signed checkpoint is
the one this ledger stored for that size (a different tree of the same size, signed by
the same key, would be a fork).

A bundle is what ``parledger export`` writes, uploaded as one archive: a ``.zip`` (as
this page's download gives it) or a ``.tar``, ``.tar.gz``/``.tgz``, recognised by its
content, not its name; the bundle's files at the top of the archive or inside one
folder. It is unpacked into a temporary folder (no links, no absolute or ``..`` paths,
a bounded number and size of files) and checked as ``parledger verify --bundle`` checks
it, with this ledger's log key and pinned root key id in place of the bundle's own.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from flask import Blueprint, Response, abort, render_template, request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from ledger.errors import ParLedgerError
from ledger.storage.documents import documents_of_leaves
from ledger.tlog.bundle import Bundle, BundleError, write_bundle
from ledger.tlog.inspection import Inspector
from ledger.tlog.log import Leaf, LeafError, leaf_hash
from ledger.tlog.merkle import ProofError, verify_inclusion
from ledger.tlog.notes import Checkpoint, Note, NoteError, NoteVerifier, TlogProof, open_checkpoint
from web.areas.auth import role_required
from web.i18n import reason
from web.state import get_instance, get_ledger, get_log
from web.text import local_time

bp = Blueprint("inspect", __name__, url_prefix="/thanh-tra")

#: Who may use the inspector's pages.
ROLES = ("inspector", "auditor", "admin")

#: Menu entries: (endpoint, label, roles that see it; none: every officer).
NAV: tuple[tuple[str, str, tuple[str, ...]], ...] = (("inspect.index", "Thanh tra", ROLES),)

#: A receipt is a few kilobytes; anything far larger is not one.
MAX_RECEIPT = 256 * 1024
#: What an uploaded bundle may unpack to, at most.
MAX_UNPACKED = 512 * 1024 * 1024
MAX_MEMBERS = 200_000


class Refused(Exception):
    """A receipt or bundle that does not verify; the reason in Vietnamese."""


@dataclass
class Verdict:
    """What the page says about an upload: verified (with details) or refused (with the reason)."""

    what: str  # "receipt" or "bundle"
    verified: bool
    reason: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)


def _log_vkey() -> str:
    signer = get_instance().log_signer()
    if signer is None:
        raise Refused("Sổ cái này chưa có khoá nhật ký, nên chưa thể xác minh gì")
    return signer.vkey


# The latest checkpoint ---------------------------------------------------------------------


def latest_checkpoint() -> dict[str, Any] | None:
    """The latest signed checkpoint: size, root, the log's signature and each cosignature checked."""
    ledger = get_ledger()
    log = get_log()
    ledger.refresh()
    found = log.checkpoint()
    if found is None:
        return None
    size, note_bytes = found
    note = Note.parse(note_bytes)
    checkpoint = Checkpoint.from_text(note.text)
    recorded_at = None
    for entry in ledger.entries(size, size):
        recorded_at = entry.event.timestamp
    cosignatures = []
    for signature in note.signatures:
        if signature.name == checkpoint.origin:
            continue
        witness = log.witnesses.get(signature.name)
        row: dict[str, Any] = {"name": signature.name, "time": None, "valid": False}
        if witness is not None:
            try:
                row["time"] = local_time(datetime.fromtimestamp(witness.verify(note.text, signature), UTC))
                row["valid"] = True
            except NoteError:
                pass
        cosignatures.append(row)
    return {
        "size": size,
        "origin": checkpoint.origin,
        "root": base64.b64encode(checkpoint.root).decode(),
        "recorded_at": recorded_at,
        "note": note_bytes.decode(),
        "cosignatures": cosignatures,
        "witnesses": sorted(log.witnesses),
    }


def _page(verdict: Verdict | None = None, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    try:
        vkey = _log_vkey()
    except Refused:
        vkey = ""
    page = render_template(
        "inspect/index.html",
        checkpoint=latest_checkpoint(),
        vkey=vkey,
        verdict=verdict,
        errors=errors or {},
    )
    return page, status


@bp.get("/")
@role_required(*ROLES)
def index() -> Any:
    """The latest checkpoint with its cosignatures, the two upload forms and the bundle download."""
    return _page()


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_: RequestEntityTooLarge) -> Any:
    limit = request.max_content_length or 0
    message = f"Tệp quá lớn: tối đa {limit // (1024 * 1024)} MB cho mỗi lần tải lên"
    return _page(errors={"tep": message}, status=413)


# Receipts ----------------------------------------------------------------------------------


def _read_upload(upload: FileStorage | None, limit: int) -> bytes:
    if upload is None or not upload.filename:
        raise Refused("Hãy chọn một tệp để tải lên")
    data = upload.stream.read(limit + 1)
    if not data:
        raise Refused("Tệp rỗng")
    if len(data) > limit:
        raise Refused(f"Tệp quá lớn: một biên nhận chỉ vài KB (tối đa {limit // 1024} KB)")
    return data


def verify_receipt(data: bytes) -> list[tuple[str, str]]:
    """Check a receipt against this log's key and this ledger; the details, or Refused with the reason."""
    verifier = NoteVerifier(_log_vkey())
    try:
        proof = TlogProof.parse(data)
    except NoteError:
        raise Refused("Tệp này không phải biên nhận của sổ cái (định dạng c2sp.org/tlog-proof)") from None
    try:
        checkpoint = open_checkpoint(proof.checkpoint_note, verifier, origin=verifier.name)
    except NoteError:
        raise Refused(
            "Chữ ký của mốc kiểm tra (checkpoint) trong biên nhận không khớp với khoá nhật ký của sổ cái này"
        ) from None
    if proof.extra is None:
        raise Refused("Biên nhận không mang nội dung mục (thiếu dòng extra)")
    try:
        leaf = Leaf.from_bytes(proof.extra)
        statement = json.loads(leaf.payload)
        if not isinstance(statement, dict):
            raise ValueError("not a statement")
    except (LeafError, ValueError, RecursionError):  # RecursionError: JSON nested too deep to parse
        raise Refused("Nội dung mục trong biên nhận bị hỏng, không đọc được") from None
    if leaf.seq != proof.index + 1:
        raise Refused(f"Mục ghi là số {leaf.seq}, nhưng bằng chứng lại dành cho mục số {proof.index + 1}")
    try:
        verify_inclusion(leaf_hash(proof.extra), proof.index, checkpoint.size, proof.proof, checkpoint.root)
    except ProofError:
        raise Refused(
            f"Mục số {leaf.seq} không nằm trong sổ cái đã ký ở mốc kiểm tra {checkpoint.size} mục: "
            "nội dung hoặc bằng chứng đã bị thay đổi"
        ) from None
    stored = get_log().checkpoint(checkpoint.size)
    if stored is not None and Note.parse(stored[1]).text != Note.parse(proof.checkpoint_note).text:
        raise Refused(
            f"Mốc kiểm tra {checkpoint.size} mục trong biên nhận khác với mốc sổ cái đã lưu cho cùng kích thước "
            "(dấu hiệu rẽ nhánh); hãy báo cáo ngay"
        )
    return [
        ("Mục số", str(leaf.seq)),
        ("Nội dung", f"{statement.get('type', '')} — {statement.get('subject', '')}"),
        ("Người ký", f"{statement.get('unit', '')}/{statement.get('officer', '')}"),
        ("Khoá ký", leaf.key_id),
        ("Thời điểm ghi", local_time(leaf.recorded_at)),
        ("Mốc kiểm tra", f"{checkpoint.size} mục, {checkpoint.origin}"),
        ("Khớp với sổ cái này", "Có" if stored is not None else "Chưa có mốc này trong sổ cái (sổ cái nhỏ hơn)"),
    ]


@bp.post("/bien-nhan")
@role_required(*ROLES)
def receipt() -> Any:
    """Verify an uploaded receipt; say which entry and checkpoint, or why it is refused."""
    try:
        data = _read_upload(request.files.get("bien_nhan"), MAX_RECEIPT)
        details = verify_receipt(data)
    except Refused as exc:
        return _page(Verdict("receipt", False, str(exc)), status=422)
    return _page(Verdict("receipt", True, details=details))


# Bundles -----------------------------------------------------------------------------------


def _safe_name(name: str) -> PurePosixPath | None:
    """The member's path inside the archive, or None if it would leave the folder."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        return None
    return path


def _unpack(stream: IO[bytes], into: Path) -> None:
    """Unpack a zip or tar archive into `into`, refusing anything unsafe or too large."""
    total = 0
    if zipfile.is_zipfile(stream):
        stream.seek(0)
        try:
            with zipfile.ZipFile(stream) as archive:
                members = archive.infolist()
                if len(members) > MAX_MEMBERS:
                    raise Refused("Gói có quá nhiều tệp")
                for info in members:
                    path = _safe_name(info.filename)
                    if path is None or (info.external_attr >> 16) & 0o170000 == 0o120000:
                        raise Refused(f"Gói chứa đường dẫn không an toàn: {info.filename}")
                    if info.is_dir():
                        continue
                    total += info.file_size
                    if total > MAX_UNPACKED:
                        raise Refused("Gói giải nén ra quá lớn")
                    target = into / path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with archive.open(info) as source, target.open("wb") as sink:
                        shutil.copyfileobj(source, sink)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError):
            raise Refused("Tệp zip bị hỏng, không giải nén được") from None
        return
    stream.seek(0)
    try:
        with tarfile.open(fileobj=stream, mode="r:*") as archive:
            count = 0
            for member in archive:
                count += 1
                if count > MAX_MEMBERS:
                    raise Refused("Gói có quá nhiều tệp")
                path = _safe_name(member.name)
                if path is None or not (member.isfile() or member.isdir()):
                    raise Refused(f"Gói chứa đường dẫn hoặc tệp không an toàn: {member.name}")
                if member.isdir():
                    continue
                total += member.size
                if total > MAX_UNPACKED:
                    raise Refused("Gói giải nén ra quá lớn")
                member_file = archive.extractfile(member)
                if member_file is None:
                    continue
                target = into / path
                target.parent.mkdir(parents=True, exist_ok=True)
                with member_file, target.open("wb") as sink:
                    shutil.copyfileobj(member_file, sink)
    except (tarfile.TarError, EOFError, OSError):
        raise Refused("Tệp không phải gói kiểm tra: hãy tải lên tệp .zip hoặc .tar(.gz) của thư mục xuất ra") from None


def _bundle_root(folder: Path) -> Path:
    """The folder holding the bundle's files: the archive's top, or its only folder."""
    if (folder / "entries.jsonl").is_file():
        return folder
    children = [child for child in folder.iterdir() if not child.name.startswith(".")]
    if len(children) == 1 and children[0].is_dir() and (children[0] / "entries.jsonl").is_file():
        return children[0]
    raise Refused("Không tìm thấy entries.jsonl: đây không phải gói kiểm tra do parledger export tạo ra")


def _as_in_bundle(text: str, root: Path) -> str:
    """`text` naming the bundle's files by their path in the bundle, not in this server's temporary folder."""
    return text.replace(f"{root}{os.sep}", "")


def _unreadable(error: ParLedgerError, root: Path) -> Refused:
    """The refusal of a bundle that cannot be read, in Vietnamese."""
    return Refused(f"Gói bị hỏng, không đọc được: {_as_in_bundle(reason(error), root)}")


def verify_bundle(stream: IO[bytes]) -> Verdict:
    """Unpack and inspect a bundle offline, with this ledger's log key and pinned root key id."""
    vkey = _log_vkey()
    instance = get_instance()
    with tempfile.TemporaryDirectory(prefix="par-inspect-") as tmp:
        folder = Path(tmp)
        _unpack(stream, folder)
        root = _bundle_root(folder)
        try:
            bundle = Bundle.open(root)
        except BundleError as exc:
            if exc.code == "bundle_file_missing":
                raise Refused(
                    "Gói thiếu tệp bắt buộc (entries.jsonl, checkpoints.jsonl, log.vkey, root-key-id)"
                ) from None
            raise _unreadable(exc, root) from None
        if bundle.log_vkey != vkey:
            raise Refused("Gói mang khoá nhật ký khác với khoá của sổ cái này: đây là gói của một sổ cái khác")
        try:
            inspector = Inspector(
                log_vkey=vkey,
                origin=NoteVerifier(vkey).name,
                root_key_id=instance.pinned_root_key_id() or None,
                witness_vkeys=instance.witnesses(),
            )
            report = inspector.inspect(bundle.entries(), bundle.checkpoints())
            faults = [_as_in_bundle(str(fault), root) for fault in [*report.faults, *bundle.check_documents()]]
        except ParLedgerError as exc:
            raise _unreadable(exc, root) from None
        documents = sum(1 for _ in bundle.documents())
    if faults:
        return Verdict(
            "bundle",
            False,
            f"Phát hiện {len(faults)} lỗi trong {report.entries} mục; gói không được xác minh",
            faults=faults[:200],
        )
    if report.checkpoint is None:
        return Verdict("bundle", False, f"Gói có {report.entries} mục nhưng không có mốc kiểm tra nào đã ký")
    return Verdict(
        "bundle",
        True,
        details=[
            ("Số mục đã kiểm tra", str(report.entries)),
            ("Mốc kiểm tra mới nhất", f"{report.checkpoint.size} mục, {report.checkpoint.origin}"),
            ("Tài liệu đính kèm", f"{documents} tệp, đúng mã SHA-256"),
        ],
    )


@bp.post("/goi-kiem-tra")
@role_required(*ROLES)
def bundle() -> Any:
    """Verify an uploaded inspector bundle (zip or tar) offline."""
    upload = request.files.get("goi")
    try:
        if upload is None or not upload.filename:
            raise Refused("Hãy chọn một tệp để tải lên")
        with tempfile.TemporaryFile() as spool:
            shutil.copyfileobj(upload.stream, spool)
            if spool.tell() == 0:
                raise Refused("Tệp rỗng")
            spool.seek(0)
            verdict = verify_bundle(spool)
    except Refused as exc:
        return _page(Verdict("bundle", False, str(exc)), status=422)
    return _page(verdict, status=200 if verdict.verified else 422)


@bp.get("/goi-kiem-tra.zip")
@role_required(*ROLES)
def download() -> Response:
    """The inspector bundle as a zip, written by the same code as ``parledger export``."""
    instance = get_instance()
    ledger = get_ledger()
    log = get_log()
    try:
        vkey = _log_vkey()
    except Refused as exc:
        abort(409, description=str(exc))
    head = ledger.refresh()
    name = f"par-ledger-bundle-{head}"
    with tempfile.TemporaryDirectory(prefix="par-export-") as tmp:
        out = Path(tmp) / name
        write_bundle(
            out,
            entries=log.leaves(1, head),
            checkpoints=log.cosigned_checkpoints(),
            log_vkey=vkey,
            root_key_id=instance.pinned_root_key_id() or "",
            witnesses=instance.witnesses(),
            documents=documents_of_leaves(log.leaves(1, head), instance.documents()),
        )
        archive = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the response ends
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in sorted(out.rglob("*")):
                if path.is_file():
                    zipped.write(path, f"{name}/{path.relative_to(out).as_posix()}")
        size = archive.tell()
        archive.seek(0)
    return Response(
        _chunks(archive),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}.zip"', "Content-Length": str(size)},
    )


def _chunks(handle: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """The file's bytes a piece at a time; the file is closed when the response ends."""
    try:
        while chunk := handle.read(size):
            yield chunk
    finally:
        handle.close()

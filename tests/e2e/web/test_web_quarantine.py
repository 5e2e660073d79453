"""Evidence uploaded through the forms waits in the officer's quarantine until they sign: nothing
reaches the content-addressed store unsigned, a full quarantine is an error on the file's field,
and an upload left unsigned past the time limit is gone."""

from __future__ import annotations

import hashlib
import io
import os
import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from webtest import log_in, sign_review

from demo.loader import COMMUNE_OFFICER, SKHDT_OFFICER, demo_pdf
from ledger.storage.documents import QUARANTINE_HOURS, QUARANTINE_MAX_FILES

PDF = demo_pdf("Bao cao CCHC quy 4", ["Phuong Lam Son"])
NAME = "Báo cáo CCHC quý 4.pdf"
SHA256 = hashlib.sha256(PDF).hexdigest()


def store_root(app: Flask) -> Path:
    return app.extensions["documents"].root  # type: ignore[no-any-return]


def in_store(app: Flask, sha256: str) -> bool:
    return any(path.name == sha256 for path in (store_root(app) / "sha256").rglob("*"))


def in_quarantine(app: Flask, sha256: str) -> list[Path]:
    return sorted((store_root(app) / "quarantine").glob(f"*/{sha256}"))


def upload(client: FlaskClient, csrf: str, data: bytes = PDF, name: str = NAME) -> Any:
    form = {
        "csrf_token": csrf,
        "year": "2024",
        "title": "Báo cáo kết quả CCHC quý 4 năm 2024",
        "issued_on": "15/12/2024",
        "ref": "",
        "file": (io.BytesIO(data), name),
    }
    return client.post("/nop/van-ban", data=form, content_type="multipart/form-data")


def test_an_uploaded_file_nobody_signs_stays_out_of_the_content_addressed_store(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)

    review = upload(demo_client, csrf)

    assert review.status_code == 200
    assert "Bạn sắp ký" in review.text
    assert not in_store(demo_app, SHA256)
    assert len(in_quarantine(demo_app, SHA256)) == 1


def test_after_signing_the_document_is_in_the_store_and_gone_from_quarantine(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    review = upload(demo_client, csrf)
    assert len(in_quarantine(demo_app, SHA256)) == 1

    done = sign_review(demo_client, review.text, COMMUNE_OFFICER)

    assert done.status_code == 200, done.text
    assert in_store(demo_app, SHA256)
    assert demo_app.extensions["documents"].read(SHA256) == PDF
    assert in_quarantine(demo_app, SHA256) == []


def test_the_quota_refuses_one_officers_upload_after_the_last_allowed_on_the_file_field_not_anothers(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    for n in range(QUARANTINE_MAX_FILES):
        assert upload(demo_client, csrf, demo_pdf(f"Bao cao so {n}"), f"Báo cáo {n}.pdf").status_code == 200

    refused = upload(demo_client, csrf)

    assert refused.status_code == 422
    assert "Bạn sắp ký" not in refused.text
    error = re.search(r'<p class="error" id="e-file">([^<]*)</p>', refused.text)
    assert error, "no error shown next to the file field"
    assert error.group(1) == (
        f"Tệp “{NAME}” chưa được nhận: bạn đang có {QUARANTINE_MAX_FILES} tệp tải lên chưa ký "
        f"(tối đa {QUARANTINE_MAX_FILES} tệp); hãy ký các hồ sơ dùng các tệp đó, hoặc chờ: "
        f"tệp tải lên chưa ký được xoá sau {QUARANTINE_HOURS} giờ"
    )
    assert in_quarantine(demo_app, SHA256) == []

    other = demo_app.test_client()
    assert upload(other, log_in(other, SKHDT_OFFICER)).status_code == 200
    assert len(in_quarantine(demo_app, SHA256)) == 1


def test_an_upload_left_unsigned_past_the_time_limit_is_removed_and_signing_it_is_refused_as_not_uploaded(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    review = upload(demo_client, csrf)
    (held,) = in_quarantine(demo_app, SHA256)
    uploaded = held.stat().st_mtime - (QUARANTINE_HOURS * 3600 + 60)
    os.utime(held, (uploaded, uploaded))  # the upload was a day and a minute ago
    head = demo_app.extensions["ledger"].head

    refused = sign_review(demo_client, review.text, COMMUNE_OFFICER)

    assert refused.status_code == 422
    assert "chưa được tải lên kho tài liệu" in refused.text
    assert demo_app.extensions["ledger"].head == head
    assert in_quarantine(demo_app, SHA256) == []
    assert not in_store(demo_app, SHA256)

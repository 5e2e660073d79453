"""The read models' commands, run as a user runs them: the `parledger` console script in a subprocess.

One SQLite instance is loaded with the Hưng Yên demo per module (``parledger demo
--no-serve``); tests that only read share it, tests that append or rebuild work on a
copy of its folder, as an inspector works on a copy of the database.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

PARLEDGER = Path(sys.executable).with_name("parledger")
SNV_KEY = "instance/keys/snv.tran.duc.phuong.key"
SYT_KEY = "instance/keys/syt.cao.duc.cuong.key"
DISTRICTS = ("323", "325", "326", "327", "328", "329", "330", "331", "332", "333")

pytestmark = pytest.mark.slow


@dataclass
class Demo:
    """A working folder whose ``instance`` holds the demo ledger."""

    cwd: Path

    @property
    def instance(self) -> Path:
        return self.cwd / "instance"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "PARLEDGER_"))}
        env.update(LEDGER_INSTANCE=str(self.instance), PARLEDGER_PASSPHRASE="demo")
        return subprocess.run(
            [str(PARLEDGER), *args],
            cwd=self.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            encoding="utf-8",
            timeout=300,
            check=False,
        )

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = self.run(*args)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)

    def fails(self, *args: str, says: str) -> str:
        """Run a command that must be refused: exit 1, one line on stderr, nothing on stdout."""
        result = self.run(*args)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        (line,) = result.stderr.splitlines()
        assert line.startswith("parledger: error: ")
        assert says in line
        return line

    def entries(self) -> int:
        return int(self._one("SELECT COUNT(*) FROM ledger_log"))

    def views_position(self) -> int:
        return int(self._one("SELECT notification_id FROM view_tracking WHERE application_name = 'ledger'"))

    def _one(self, sql: str) -> Any:
        connection = sqlite3.connect(self.instance / "ledger.sqlite3")
        try:
            return connection.execute(sql).fetchone()[0]
        finally:
            connection.close()

    def copy(self, target: Path) -> Demo:
        shutil.copytree(self.cwd, target)
        return Demo(target)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo, loaded once for the module; its views caught up by a first read."""
    site = Demo(tmp_path_factory.mktemp("views-cli"))
    loaded = site.run("demo", "--no-serve")
    assert loaded.returncode == 0, loaded.stderr
    site.ok("ratings", "--year", "2024")
    return site


def by_subject(ratings: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {rating["subject"]: rating for rating in ratings}


# parledger ratings -----------------------------------------------------------------------


def test_ratings_json_shows_the_appeal_revision_and_the_district_heads_not_evaluated(demo: Demo) -> None:
    answer = demo.json("ratings", "--year", "2024")

    assert answer["year"] == 2024
    assert answer["position"] == demo.entries()
    ratings = by_subject(answer["ratings"])
    syt = ratings["rating/2024/SYT"]
    assert (syt["computed_level"], syt["decided_level"], syt["level"], syt["status"]) == ("HT", "HT", "HTT", "revised")
    assert syt["ruleset"] == "v1"
    assert syt["unit_name"] == "Sở Y tế"
    for code in DISTRICTS:  # PAPI_UNIT 2024 was never published
        district = ratings[f"rating/2024/{code}"]
        assert district["level"] == "not_evaluated"
        assert district["missing"] == ["PAPI_UNIT"]
        assert district["decided_level"] is None


def test_ratings_prints_a_table_of_the_year(demo: Demo) -> None:
    lines = demo.ok("ratings", "--year", "2024").stdout.splitlines()

    assert lines[0] == f"ratings of 2024 as of entry {demo.entries()}:"
    assert lines[1].split() == ["unit", "head", "computed", "decided", "level", "status", "rule", "set"]
    (syt,) = [line for line in lines if line.startswith("SYT ")]
    assert syt.split() == ["SYT", "Cao", "Đức", "Cường", "HT", "HT", "HTT", "revised", "v1"]


def test_ratings_without_a_year_is_a_usage_error(demo: Demo) -> None:
    result = demo.run("ratings")
    assert result.returncode == 2
    assert "--year" in result.stderr


# parledger replay ------------------------------------------------------------------------


def test_replay_as_of_shows_kim_dong_before_the_correction(demo: Demo) -> None:
    then = demo.json("replay", "--as-of", "08/11/2023")
    now = by_subject(demo.json("ratings", "--year", "2023")["ratings"])

    assert then["as_of"] == "2023-11-08"
    assert 0 < then["position"] < demo.entries()
    assert then["recorded_at"].startswith("2023-11-0")
    kim_dong = by_subject(then["ratings"])["rating/2023/331"]
    assert kim_dong["unit_name"] == "Huyện Kim Động"
    assert kim_dong["level"] == kim_dong["computed_level"] == "HT"
    assert kim_dong["status"] == "computed"
    (par,) = [given for given in kim_dong["inputs"] if given["index"] == "PAR_UNIT"]
    assert par["score"] == "78.40"  # before the correction to 84.70
    corrected = now["rating/2023/331"]
    assert corrected["computed_level"] != "HT"
    assert corrected["computed_seq"] > then["position"]
    assert {row["year"] for row in then["deadlines"]} == {2023}
    (ratings_due,) = {row["status"] for row in then["deadlines"] if row["obligation"] == "ratings_published"}
    assert ratings_due == "pending"  # the committee decided on 13/11/2023
    assert demo.json("replay", "--as-of", "2023-11-08") == then  # both date forms


def test_replay_to_the_head_gives_the_live_ratings(demo: Demo) -> None:
    live = demo.json("ratings", "--year", "2024")

    replayed = demo.json("replay", "--position", str(live["position"]), "--year", "2024")

    assert replayed["position"] == live["position"]
    assert replayed["years"] == [2024]
    assert replayed["ratings"] == live["ratings"]


def test_replay_leaves_the_live_views_where_they_were(demo: Demo) -> None:
    before = demo.views_position()

    early = demo.json("replay", "--position", "5")

    assert early["position"] == 5
    assert early["ratings"] == []
    assert demo.views_position() == before == demo.entries()


def test_replay_prints_ratings_and_deadlines_by_default(demo: Demo) -> None:
    out = demo.ok("replay", "--as-of", "08/11/2023", "--year", "2023").stdout

    first, *lines = out.splitlines()
    assert first.startswith("the ledger as of 08/11/2023, after entry ")
    assert any(line.startswith("331 ") and " HT " in line for line in lines)
    assert any(line.startswith("deadlines on 08/11/2023 (") for line in lines)


@pytest.mark.parametrize("value", ["31/02/2023", "2023-13-01", "hôm qua"])
def test_a_bad_as_of_date_is_one_line_naming_the_option(demo: Demo, value: str) -> None:
    demo.fails("replay", "--as-of", value, says="--as-of")


def test_replay_needs_exactly_one_point(demo: Demo) -> None:
    assert demo.run("replay").returncode == 2
    assert demo.run("replay", "--position", "5", "--as-of", "08/11/2023").returncode == 2
    demo.fails("replay", "--position", str(demo.entries() + 1), says="--position")


# parledger projections rebuild -----------------------------------------------------------


def test_rebuild_gives_the_same_answers(demo: Demo, tmp_path: Path) -> None:
    copy = demo.copy(tmp_path / "copy")
    before = {year: copy.json("ratings", "--year", str(year)) for year in (2023, 2024)}

    out = copy.ok("projections", "rebuild").stdout.splitlines()

    assert out[0] == f"rebuilt the read models from {copy.entries()} entries (position {copy.entries()})"
    assert "44 units, 10 indices" in out[1]
    assert any(line.startswith("  2024: 43 heads' ratings") for line in out)
    assert {year: copy.json("ratings", "--year", str(year)) for year in (2023, 2024)} == before


# parledger export-report ------------------------------------------------------------------


def test_the_compilation_workbook_has_one_row_per_rated_head(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "Tổng hợp 2024.xlsx"
    heads = [r for r in demo.json("ratings", "--year", "2024")["ratings"] if r["kind"] == "head"]

    said = demo.ok("export-report", "compilation", "--year", "2024", "--format", "xlsx", "--out", str(out)).stdout

    assert said == f"wrote the compilation of 2024 ({len(heads)} heads, as of entry {demo.entries()}) to {out}\n"
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ NGƯỜI ĐỨNG ĐẦU NĂM 2024"
    assert rows[1][0].startswith("Nguồn: Sổ cái CCHC — Sở Nội vụ tỉnh Hưng Yên. ")
    top = next(n for n, row in enumerate(rows) if row[0] == "STT")
    headings = [*rows[top], *rows[top + 1]]
    for heading in ("Mã đơn vị", "Tên đơn vị", "Người đứng đầu", "Điểm", "Xếp hạng", "Mức xếp loại"):
        assert heading in headings
    assert "Mức do UBND tỉnh quyết định" in headings
    assert "Phiên bản bộ quy tắc" in headings
    body = rows[top + 2 :]
    assert sorted(row[1] for row in body) == sorted(head["unit"] for head in heads)
    column = {heading: n for n, heading in enumerate(rows[top]) if heading}
    (syt,) = [row for row in body if row[1] == "SYT"]
    assert syt[column["Mức hiện hành"]] == "Hoàn thành tốt nhiệm vụ"
    assert syt[column["Mức do UBND tỉnh quyết định"]] == "Hoàn thành nhiệm vụ"
    (kim_dong,) = [row for row in body if row[1] == "331"]
    assert kim_dong[2] == "Huyện Kim Động"
    assert kim_dong[column["Mức xếp loại tổng hợp"]] == "Chưa đủ căn cứ đánh giá"


def test_two_exports_of_the_same_views_are_identical(demo: Demo, tmp_path: Path) -> None:
    for fmt in ("xlsx", "csv"):
        first, second = tmp_path / f"1.{fmt}", tmp_path / f"2.{fmt}"
        demo.ok("export-report", "compilation", "--year", "2023", "--out", str(first))
        demo.ok("export-report", "compilation", "--year", "2023", "--out", str(second))
        assert first.read_bytes() == second.read_bytes()


def test_the_rankings_csv_opens_in_excel_and_parses_back(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "xep-hang.csv"

    demo.ok("export-report", "rankings", "--index", "PAR_UNIT", "--year", "2023", "--format", "csv", "--out", str(out))

    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    heading, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    assert heading[:5] == ["STT", "Loại đơn vị", "Mã đơn vị", "Tên đơn vị", "Chỉ số"]
    records = [dict(zip(heading, row, strict=True)) for row in rows]
    (kim_dong,) = [r for r in records if r["Mã đơn vị"] == "331"]
    assert kim_dong["Tên đơn vị"] == "Huyện Kim Động"
    assert kim_dong["Điểm"] == "84.70"  # the corrected result is the one in force
    assert kim_dong["Ngày công bố"] == "08/11/2023"
    assert kim_dong["Số lần đính chính"] == "1"
    districts = [r for r in records if r["Loại đơn vị"] == "UBND huyện, thị xã, thành phố"]
    assert [int(r["Xếp hạng"]) for r in districts] == list(range(1, len(DISTRICTS) + 1))


def test_the_rankings_of_one_class_as_a_workbook(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "papi.xlsx"

    demo.ok("export-report", "rankings", "--index", "PAPI_UNIT", "--year", "2023", "--unit-class", "commune", "--out",
            str(out))  # fmt: skip

    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][0] == "BẢNG XẾP HẠNG CHỈ SỐ PAPI_UNIT NĂM 2023"
    top = next(n for n, row in enumerate(rows) if row[0] == "STT")
    assert {row[1] for row in rows[top + 1 :]} == {"UBND xã, phường, thị trấn"}


def test_an_unknown_index_is_refused_in_one_line(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    demo.fails("export-report", "rankings", "--index", "KHONG_CO", "--year", "2024", "--out", str(out), says="--index")
    assert not out.exists()


# parledger ratings compute ----------------------------------------------------------------


def test_compute_on_the_demo_finds_every_rating_unchanged(demo: Demo) -> None:
    entries = demo.entries()
    for year in ("2023", "2024"):
        out = demo.ok("ratings", "compute", "--year", year, "--key", SNV_KEY).stdout
        assert out.startswith(f"{year}: computed 0 of 43 heads' ratings; 43 unchanged")
    assert demo.entries() == entries


def test_compute_is_refused_to_an_officer_outside_so_noi_vu(demo: Demo) -> None:
    entries = demo.entries()
    demo.fails("ratings", "compute", "--year", "2024", "--key", SYT_KEY, says="not of a Sở Nội vụ officer")
    assert demo.entries() == entries


def test_after_a_correction_compute_recomputes_exactly_the_affected_heads(demo: Demo, tmp_path: Path) -> None:
    from demo.loader import result_rows

    copy = demo.copy(tmp_path / "copy")
    corrected = result_rows("SIPAS_UNIT", 2024, {"SYT": "84.60"})
    original = {row["unit"]: row for row in result_rows("SIPAS_UNIT", 2024)}
    affected = {row["unit"] for row in corrected if row != original[row["unit"]]}
    assert "SYT" in affected
    decision = "Quyết định số 3121/QĐ-UBND ngày 11/12/2024"
    statement = {
        "type": "submission.correct",
        "subject": "submission/index-results/SIPAS_UNIT/2024",
        "body": {
            "reason": "Đính chính kết quả SIPAS năm 2024 của Sở Y tế: loại 112 phiếu ngoài phạm vi khảo sát",
            "decision": decision,
            "replacement": {
                "measured_year": 2024,
                "decision": decision,
                "published_on": "2024-12-11",
                "results": corrected,
            },
        },
    }
    (copy.cwd / "correction.json").write_text(json.dumps(statement, ensure_ascii=False), encoding="utf-8")
    copy.ok("submit", "correction.json", "--key", SNV_KEY)
    entries = copy.entries()

    out = copy.ok("ratings", "compute", "--year", "2024", "--key", SNV_KEY).stdout.splitlines()

    appended = [line.split()[-1] for line in out if line.startswith("appended entry ")]
    assert sorted(appended) == sorted(f"rating/2024/{unit}" for unit in affected)
    assert all(" rating.compute " in line for line in out if line.startswith("appended entry "))
    assert copy.entries() == entries + len(affected)
    assert out[-1].startswith(f"2024: computed {len(affected)} of 43 heads' ratings; {43 - len(affected)} unchanged")
    ratings = by_subject(copy.json("ratings", "--year", "2024")["ratings"])
    syt = ratings["rating/2024/SYT"]
    (sipas,) = [given for given in syt["inputs"] if given["index"] == "SIPAS_UNIT"]
    assert sipas["score"] == "84.60"  # read straight after the append: the views caught up
    assert syt["status"] == "computed"  # a recomputation awaits the committee's decision again
    again = copy.ok("ratings", "compute", "--year", "2024", "--key", SNV_KEY).stdout
    assert again.startswith("2024: computed 0 of 43 heads' ratings; 43 unchanged")

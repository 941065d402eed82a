"""Small valid deliveries per the contracts, and helpers to damage them (the bad-input catalogue).

Imported by the ingest/reader tests (pytest only auto-loads conftest.py, which the lead owns).
"""

from __future__ import annotations

import csv
import io
import os
import socket
from pathlib import Path

import pytest
from terpadu.reference import villages_by_regency
from terpadu.settings import Settings
from terpadu.sources.contracts import KABKOTA, REGSOSEK

REGION = "3510"  # Kabupaten Banyuwangi
PERIOD = "202610"
DESA = [code.replace(".", "") for code, _ in villages_by_regency()["35.10"][:3]]
KEC = DESA[0][:6]


def nik(i: int, female: bool = False) -> str:
    day = 17 + (40 if female else 0)
    return f"{KEC}{day:02d}0885{i + 1:04d}"


def dtks_rows(n: int = 6) -> list[dict[str, str]]:
    return [{
        "IDDTKS": f"D{i:06d}", "NIK": nik(i, i % 2 == 1), "NOKK": f"{KEC}0101200{i:03d}",
        "NAMA": f"Warga Ke-{i}", "TGL_LAHIR": "17-08-1985", "JENIS_KELAMIN": "2" if i % 2 else "1",
        "HUB_KELUARGA": "1" if i == 0 else "3", "ALAMAT": f"Jl. Melati {i}", "KODE_DESA": DESA[i % len(DESA)],
        "PKH": "Y", "BPNT": "N", "PBI": "Y", "PERIODE": PERIOD,
    } for i in range(n)]


def dukcapil_rows(n: int = 5) -> list[dict[str, str]]:
    return [{
        "NIK": nik(i, i % 2 == 1), "NO_KK": f"{KEC}0101200{i:03d}", "NAMA_LGKP": f"WARGA {i}",
        "TMPT_LHR": "BANYUWANGI", "TGL_LHR": "1985-08-17", "JENIS_KLMIN": "PEREMPUAN" if i % 2 else "LAKI-LAKI",
        "AGAMA": "ISLAM", "STATUS_KAWIN": "KAWIN", "STAT_HBKEL": "KEPALA KELUARGA", "PDDK_AKH": "SLTA",
        "JENIS_PKRJN": "PETANI", "NAMA_LGKP_IBU": "IBU", "NO_PROP": REGION[:2], "NO_KAB": REGION[2:],
        "NO_KEC": KEC[4:], "NO_KEL": DESA[0][6:], "ALAMAT": "DUSUN KRAJAN", "NO_RT": "001", "NO_RW": "002",
        "STATUS_HIDUP": "HIDUP", "TGL_MATI": "", "TGL_UPDATE": "2026-09-30T10:00:00",
    } for i in range(n)]


def csv_bytes(rows: list[dict[str, str]], delimiter: str, columns: list[str] | None = None,
              encoding: str = "utf-8") -> bytes:
    columns = columns or list(rows[0])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode(encoding)


def dtks_name(period: str = PERIOD, region: str = REGION) -> str:
    return f"DTKS_{region}_{period}.csv"


def write(folder: Path, name: str, data: bytes, mtime: float | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def regsosek_tables(n: int = 4):
    import datetime

    import pyarrow as pa

    family = {"ID_KELUARGA": [f"K{i}" for i in range(n)], "NO_KK": [f"{KEC}0101200{i:03d}" for i in range(n)],
              "KODE_DESA": [DESA[0]] * n}
    for column in REGSOSEK.entity("keluarga").columns:
        if column.name in family:
            continue
        if column.kind == "enum":
            family[column.name] = [column.allowed[0]] * n
        elif column.kind == "int":
            family[column.name] = pa.array([36] * n, pa.int32())
        elif column.kind == "flag":
            family[column.name] = pa.array([0] * n, pa.int8())
        elif column.name == "PERIODE":
            family[column.name] = [PERIOD] * n
    person = {"ID_KELUARGA": [f"K{i}" for i in range(n)], "NIK": [nik(i) for i in range(n)],
              "NAMA": [f"Warga {i}" for i in range(n)], "TGL_LAHIR": [datetime.date(1985, 8, 17)] * n}
    for column in REGSOSEK.entity("individu").columns:
        if column.name in person:
            continue
        if column.kind == "enum":
            person[column.name] = [column.allowed[0] if column.name != "HUBUNGAN" else "1"] * n
        elif column.kind == "flag":
            person[column.name] = pa.array([1] * n, pa.int8())
        elif column.name == "PERIODE":
            person[column.name] = [PERIOD] * n
    return pa.table(family), pa.table(person)


def parquet_bytes(table) -> bytes:
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def kabkota_sheets(n: int = 3) -> dict[str, list[list]]:
    usulan = [[c.name for c in KABKOTA.entity("usulan").columns]] + [
        [f"U{i}", nik(i), f"Calon {i}", "Jl. Mawar", DESA[0], "Belum terdaftar", "01-10-2026", "SENDIRI"]
        for i in range(n)]
    sanggahan = [[c.name for c in KABKOTA.entity("sanggahan").columns]] + [
        [f"S{i}", nik(i), "Mampu", "Tetangga", "02-10-2026", "", -8.2, 114.3, "BELUM", ""] for i in range(n)]
    ground = [[c.name for c in KABKOTA.entity("ground_check").columns]] + [
        [f"G{i}", nik(i), "", "LAYAK", "Petugas A", "03-10-2026"] for i in range(n)]
    return {"USULAN": usulan, "SANGGAHAN": sanggahan, "GROUND_CHECK": ground}


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    sink = io.BytesIO()
    workbook.save(sink)
    return sink.getvalue()


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    """A throw-away state folder with a local object store."""
    monkeypatch.setenv("TERPADU_STATE_DIR", str(tmp_path / "state"))
    for name in ("TERPADU_OBJECT_STORE", "TERPADU_S3_ENDPOINT_URL", "TERPADU_INBOX_DIR", "TERPADU_WAREHOUSE"):
        monkeypatch.delenv(name, raising=False)
    return Settings.from_env()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_settings(tmp_path, monkeypatch):
    """A real S3 HTTP API (moto's server on 127.0.0.1) with a bucket, wired through the settings."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1", "TERPADU_STATE_DIR": str(tmp_path / "state"),
                       "TERPADU_OBJECT_STORE": "s3://terpadu-test/landing-zone",
                       "TERPADU_S3_ENDPOINT_URL": endpoint}.items():
        monkeypatch.setenv(key, value)
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="terpadu-test")
    try:
        yield Settings.from_env(), endpoint
    finally:
        server.stop()


"""Build a small raw warehouse for tests: raw.* tables exactly as the contracts define them.

Used by tests/unit/test_transform*.py (and usable by the gate's and the publisher's tests): create the
raw tables from `terpadu.sources.contracts` — contract columns in lower case, VARCHAR for CSV/Excel
sources, typed for Parquet (Regsosek) — plus lineage columns, raw.delivery_log and raw.quarantine,
then insert crafted rows. Rows are dicts keyed by contract column names; missing columns are null.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import duckdb

from terpadu.sources.contracts import SOURCES, Kind, raw_tables

# Parquet types as the ingest engineer loads them (CSV and Excel stay VARCHAR).
PARQUET_TYPES = {Kind.INT: "BIGINT", Kind.FLAG: "INTEGER", Kind.DATE: "DATE", Kind.FLOAT: "DOUBLE",
                 Kind.TIMESTAMP: "TIMESTAMP"}
LINEAGE_TYPES = {"_delivery_id": "VARCHAR", "_source_file": "VARCHAR", "_row_number": "BIGINT",
                 "_loaded_at": "TIMESTAMP"}
DELIVERY_LOG_COLUMNS = {
    "delivery_id": "VARCHAR", "source": "VARCHAR", "region_code": "VARCHAR", "period": "VARCHAR",
    "original_file": "VARCHAR", "landing_key": "VARCHAR", "sha256": "VARCHAR", "size_bytes": "BIGINT",
    "received_at": "TIMESTAMP", "loaded_at": "TIMESTAMP", "contract_version": "VARCHAR", "outcome": "VARCHAR",
    "rows_read": "BIGINT", "rows_loaded": "BIGINT", "rows_quarantined": "BIGINT", "is_current": "BOOLEAN",
    "superseded_by": "VARCHAR", "message": "VARCHAR",
}
QUARANTINE_COLUMNS = {"delivery_id": "VARCHAR", "source": "VARCHAR", "raw_table": "VARCHAR",
                      "row_number": "BIGINT", "reason": "VARCHAR", "row_json": "VARCHAR"}


def _source_of(raw_table: str) -> str:
    return next(s.name for s in SOURCES.values() for e in s.entities if e.raw_table == raw_table)


def column_types(raw_table: str) -> dict[str, str]:
    entity = raw_tables()[raw_table]
    parquet = SOURCES[_source_of(raw_table)].file_format == "parquet"
    types = {c.raw_name: (PARQUET_TYPES.get(c.kind, "VARCHAR") if parquet else "VARCHAR")
             for c in entity.columns}
    return {**types, **LINEAGE_TYPES}


def create_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    for table in raw_tables():
        cols = ", ".join(f'"{name}" {kind}' for name, kind in column_types(table).items())
        con.execute(f"create or replace table raw.{table} ({cols})")
    cols = ", ".join(f"{n} {t}" for n, t in DELIVERY_LOG_COLUMNS.items())
    con.execute(f"create or replace table raw.delivery_log ({cols})")
    cols = ", ".join(f"{n} {t}" for n, t in QUARANTINE_COLUMNS.items())
    con.execute(f"create or replace table raw.quarantine ({cols})")


@dataclass
class Delivery:
    """One delivered file: its rows per raw table, and whether it is the current one."""

    delivery_id: str
    source: str
    region_code: str
    period: str = "202610"
    is_current: bool = True
    rows: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, raw_table: str, **values) -> dict:
        self.rows.setdefault(raw_table, []).append(values)
        return values


def write_deliveries(con: duckdb.DuckDBPyConnection, deliveries: list[Delivery]) -> None:
    """Insert the deliveries' rows (with lineage) and their delivery_log entries."""
    now = datetime(2026, 10, 5, tzinfo=UTC).replace(tzinfo=None)
    for delivery in deliveries:
        total = 0
        for table, rows in delivery.rows.items():
            types = column_types(table)
            names = list(types)
            for number, row in enumerate(rows, start=1):
                unknown = {k.lower() for k in row} - set(names)
                if unknown:
                    raise KeyError(f"raw.{table} has no column(s) {sorted(unknown)}")
                lower = {k.lower(): v for k, v in row.items()}
                lower.update(_delivery_id=delivery.delivery_id, _source_file=f"{delivery.delivery_id}.file",
                             _row_number=number, _loaded_at=now)
                placeholders = ", ".join("?" for _ in names)
                con.execute(f"insert into raw.{table} values ({placeholders})", [lower.get(n) for n in names])
            total += len(rows)
        con.execute(
            f"insert into raw.delivery_log ({', '.join(DELIVERY_LOG_COLUMNS)}) values "
            f"({', '.join('?' for _ in DELIVERY_LOG_COLUMNS)})",
            [delivery.delivery_id, delivery.source, delivery.region_code, delivery.period,
             f"{delivery.delivery_id}.file", f"landing/{delivery.delivery_id}", "0" * 64, 0, now, now, "1.0",
             "loaded", total, total, 0, delivery.is_current, None, None],
        )


# --- a tiny, fully known dataset ------------------------------------------------------------------
# Two regions (Kota Ambon 81.71, Kota Ternate 82.71), ten Regsosek families of three (head, spouse,
# child), family k poorer than family k+1 on every PMT variable, so with 30 members family F0k is
# exactly desil k. Families alternate between the regions. Everyone in the families is at Dukcapil.
# DTKS lists families 1-5 (receiving as the rules say: PKH desil 1-4, BPNT and PBI 1-5) plus planted
# people. Each planted defect is in PLANTED: person label → the flag types it must get, nothing more.

REGIONS = {"ambon": ("81.71", "8171011006"), "ternate": ("82.71", "8271011001")}
ASSETS = ("ASET_SEPEDA", "ASET_SMARTPHONE", "ASET_SEPEDA_MOTOR", "ASET_TV", "ASET_KULKAS", "ASET_GAS_5KG",
          "ASET_EMAS_10G", "ASET_KOMPUTER", "ASET_MOBIL")

PLANTED = {
    "F02-spouse": {"dead_recipient"},          # dead at Dukcapil, still receiving
    "F07-child": {"nik_shared"},               # the Dukcapil holder of a NIK DTKS gives to someone else
    "X-shared": {"nik_shared"},                # DTKS record with F07-child's NIK, other name/birth date
    "Y-mangled": {"nik_excel_mangled"},        # DTKS NIK 8.17101E+15
    "Z-notdukcapil": {"nik_not_in_dukcapil"},  # structurally valid NIK, not at Dukcapil
    "W-baddate": {"nik_invalid"},              # NIK date 32-13
    "U-sexmismatch": {"nik_invalid"},          # woman with a man's NIK day
    "V-missing": {"nik_invalid"},              # no NIK
    "F10-head": {"inclusion_error"},           # desil 10 receiving PKH
    "F02-child": {"exclusion_error"},          # desil 2, in DTKS but receiving nothing
    "F03-head": {"moved_out"},                 # Dukcapil address in Ternate, DTKS in Ambon
}


# Kab/kota workbooks (one per region) of the period: ground checks reported in the period apply from the
# next one (person label → HASIL); usulan (label → the fct_usulan outcome); sanggahan (id → label, days
# before the period's first day it was filed, status, days to the decision).
GROUND_CHECKS = {
    "F05-spouse": "MENINGGAL",      # receiving BPNT/PBI: a dead_recipient from the next period
    "F01-child": "TIDAK LAYAK",     # family F01 (desil 1, receiving) leaves every programme
    "F05-head": "PINDAH",           # DTKS-listed: moved_out from the next period
    "F10-head": "LAYAK",            # desil 10 receiving PKH: the visit confirms it, no inclusion_error
    "F03-spouse": "TIDAK DITEMUKAN",  # changes nothing
}
USULAN = {
    "F01-head": "sudah_terdaftar",
    "F09-head": "baru_cocok_dukcapil",
    "U-mangled": "nik_tidak_valid",
    "U-unknown": "nik_tidak_ditemukan",
}
SANGGAHAN = {  # id: (label, filed days before the period's start, status, days to decision)
    "SGH-LATE": ("F01-spouse", 20, "BELUM", None),
    "SGH-FRESH": ("F03-head", 5, "BELUM", None),
    "SGH-DONE": ("F05-head", 30, "DITERIMA", 9),
}


def nik_for(kec_digits: str, birth: str, sex: str, serial: int) -> str:
    """birth 'YYYY-MM-DD'; sex 'L'/'P' (day + 40 for women)."""
    year, month, day = birth.split("-")
    dd = int(day) + (40 if sex == "P" else 0)
    return f"{kec_digits}{dd:02d}{month}{year[2:]}{serial:04d}"


def tiny_dataset(period: str = "202610") -> tuple[list[Delivery], dict[str, dict]]:
    """Deliveries for the tiny dataset, and label → person facts (nik, name, region) for assertions.

    Delivery ids are `<source>-<region>` for 202610 and `<source>-<region>-<period>` for another period,
    so that the deliveries of several periods can share one warehouse.
    """
    suffix = "" if period == "202610" else f"-{period}"
    dk = {r: Delivery(f"dukcapil-{r}{suffix}", "dukcapil", REGIONS[r][0], period) for r in REGIONS}
    dt = {r: Delivery(f"dtks-{r}{suffix}", "dtks", REGIONS[r][0], period) for r in REGIONS}
    rs = {r: Delivery(f"regsosek-{r}{suffix}", "regsosek", REGIONS[r][0], period) for r in REGIONS}
    people: dict[str, dict] = {}
    serial = 0

    def dtks_row(region: str, label: str, nik, name: str, birth: str, sex: str, desa: str,
                 pkh: bool, bpnt: bool, pbi: bool, hub: str = "1") -> None:
        y, m, d = birth.split("-")
        dt[region].add("dtks_persons", IDDTKS=f"DT-{label}", NIK=nik, NOKK=None, NAMA=name,
                       TGL_LAHIR=f"{d}-{m}-{y}", JENIS_KELAMIN="1" if sex == "L" else "2", HUB_KELUARGA=hub,
                       ALAMAT="JL. TEST", KODE_DESA=desa, PKH="YN"[not pkh], BPNT="YN"[not bpnt],
                       PBI="YN"[not pbi], PERIODE=period)

    for k in range(1, 11):
        region = "ambon" if k % 2 else "ternate"
        code, desa = REGIONS[region]
        fam = f"F{k:02d}"
        kk = f"{desa[:6]}0101{k:06d}"
        rs[region].add(
            "regsosek_keluarga", ID_KELUARGA=fam, NO_KK=kk, KODE_DESA=desa,
            STATUS_BANGUNAN="1", LUAS_LANTAI=12 * k, JENIS_LANTAI=str(min(5, 1 + k // 2)),
            JENIS_DINDING=str(min(4, 1 + k // 3)), JENIS_ATAP=str(min(4, 1 + k // 3)),
            SUMBER_AIR_MINUM=str(min(4, 1 + k // 3)), SUMBER_PENERANGAN="1" if k == 1 else "3",
            DAYA_TERPASANG=0 if k == 1 else 450 if k < 4 else 900 if k < 8 else 2200,
            BAHAN_BAKAR_MASAK="1" if k < 3 else "3" if k < 9 else "4", FASILITAS_BAB="1" if k < 3 else "3",
            JUMLAH_KAMAR=1 + k // 4, JUMLAH_TERNAK=0,
            **{a: int(i < k - 1) for i, a in enumerate(ASSETS)},
            **dict.fromkeys(("ASET_AC", "ASET_PEMANAS_AIR", "ASET_PERAHU", "ASET_LAHAN",
                             "ASET_RUMAH_LAIN"), 0),
            PERIODE=period,
        )
        members = [("head", "L", f"{1970 + k}-0{1 + k % 9}-1{k % 10}", "1", "2"),
                   ("spouse", "P", f"{1972 + k}-0{1 + (k + 3) % 9}-2{k % 9}", "2", "2"),
                   ("child", "P" if k % 2 else "L", f"2008-1{k % 3}-0{1 + k % 9}", "3", "1")]
        for role, sex, birth, hub, kawin in members:
            serial += 1
            label = f"{fam}-{role}"
            name = f"{'SITI' if sex == 'P' else 'BUDI'} {role.upper()} {fam}"
            nik = nik_for(desa[:6], birth, sex, serial)
            people[label] = {"nik": nik, "name": name, "region_code": code, "family_id": fam}
            dk_region, dk_desa = region, desa
            if label == "F03-head":  # moved to Ternate: Dukcapil has the new address
                dk_region, dk_desa = "ternate", REGIONS["ternate"][1]
                people[label]["region_code"] = REGIONS["ternate"][0]
            dead = label == "F02-spouse"
            dk[dk_region].add(
                "dukcapil_persons", NIK=nik, NO_KK=kk, NAMA_LGKP=name, TMPT_LHR="AMBON", TGL_LHR=birth,
                JENIS_KLMIN="LAKI-LAKI" if sex == "L" else "PEREMPUAN", AGAMA="ISLAM",
                STATUS_KAWIN="KAWIN" if kawin == "2" else "BELUM KAWIN",
                STAT_HBKEL={"1": "KEPALA KELUARGA", "2": "ISTRI", "3": "ANAK"}[hub],
                NO_PROP=dk_desa[:2], NO_KAB=dk_desa[2:4], NO_KEC=dk_desa[4:6], NO_KEL=dk_desa[6:],
                ALAMAT="JL. TEST", STATUS_HIDUP="MATI" if dead else "HIDUP",
                TGL_MATI="2026-03-01" if dead else None, TGL_UPDATE="2026-09-30T00:00:00",
            )
            rs[region].add(
                "regsosek_individu", ID_KELUARGA=fam, NIK=nik, NAMA=name,
                TGL_LAHIR=datetime.strptime(birth, "%Y-%m-%d").date(),
                JENIS_KELAMIN="1" if sex == "L" else "2",
                HUBUNGAN=hub, PENDIDIKAN="2" if role != "child" else "1", STATUS_PEKERJAAN="1",
                LAPANGAN_USAHA="1", DISABILITAS=0, PENYAKIT_KRONIS=0, JAMINAN_KESEHATAN="1",
                MASIH_SEKOLAH=0,
                STATUS_KAWIN=kawin, PERIODE=period,
            )
            listed = k <= 5 or label == "F10-head"
            if listed:
                receiving = k <= 5 and label != "F02-child"
                dtks_name = name
                if label == "F01-head":  # a title and a dotted name still match Dukcapil
                    dtks_name = f"H. {name}, S.Pd."
                dtks_row(region, label, nik, dtks_name, birth, sex, desa,
                         pkh=(receiving and k <= 4) or label == "F10-head", bpnt=receiving,
                         pbi=receiving, hub=hub)
    # planted DTKS-only people (Ambon)
    ambon_desa = REGIONS["ambon"][1]
    planted = {
        "X-shared": (people["F07-child"]["nik"], "ANDI PEMINJAM NIK", "1990-05-05", "P"),
        "Y-mangled": ("8.17101E+15", "YUNI MANGLED", "1985-01-01", "P"),
        "Z-notdukcapil": (nik_for(ambon_desa[:6], "1980-02-02", "L", 9001), "ZAINAL TANPA DUKCAPIL",
                          "1980-02-02", "L"),
        "W-baddate": (f"{ambon_desa[:6]}321380{9002:04d}", "WATI TANGGAL SALAH", "1980-06-06", "P"),
        "U-sexmismatch": (nik_for(ambon_desa[:6], "1981-03-03", "L", 9003), "UMI SALAH KELAMIN",
                          "1981-03-03", "P"),
        "V-missing": (None, "VIVI TANPA NIK", "1982-04-04", "P"),
    }
    for label, (nik, name, birth, sex) in planted.items():
        people[label] = {"nik": nik, "name": name, "region_code": REGIONS["ambon"][0], "family_id": None}
        dtks_row("ambon", label, nik, name, birth, sex, ambon_desa, pkh=False, bpnt=True, pbi=True)
    # an earlier, superseded DTKS delivery for Ambon: its rows must not be integrated
    old = Delivery(f"dtks-ambon-old{suffix}", "dtks", REGIONS["ambon"][0], period, is_current=False)
    old.add("dtks_persons", IDDTKS="DT-SUPERSEDED", NIK=None, NAMA="SUPERSEDED RECORD",
            TGL_LAHIR="01-01-1970", JENIS_KELAMIN="1", HUB_KELUARGA="1", KODE_DESA=ambon_desa,
            PKH="Y", BPNT="Y", PBI="Y", PERIODE=period)
    deliveries = [*dk.values(), *dt.values(), *rs.values(), old, *_kabkota(people, period, suffix)]
    return deliveries, people


def _kabkota(people: dict[str, dict], period: str, suffix: str) -> list[Delivery]:
    """The kab/kota workbooks of the period (GROUND_CHECKS, USULAN, SANGGAHAN), one per region."""
    start = date(int(period[:4]), int(period[4:]), 1)

    def text(day: date) -> str:
        return day.strftime("%d-%m-%Y")

    books = {r: Delivery(f"kabkota-{r}{suffix}", "kabkota", REGIONS[r][0], period) for r in REGIONS}
    region_of = {code: name for name, (code, _) in REGIONS.items()}
    ambon_desa = REGIONS["ambon"][1]
    extra = {"U-mangled": {"nik": "8.17101E+15", "name": "UMAR USULAN RUSAK", "region_code": "81.71"},
             "U-unknown": {"nik": nik_for(ambon_desa[:6], "1990-01-01", "L", 9100), "name": "UDIN TANPA DATA",
                           "region_code": "81.71"}}
    for number, (label, result) in enumerate(GROUND_CHECKS.items(), start=1):
        person = people[label]
        books[region_of[person["region_code"]]].add(
            "kabkota_ground_check", NO_GC=f"GC-{period}-{number:03d}", NIK=person["nik"], HASIL=result,
            PETUGAS="PETUGAS PKH", TGL_GC=text(start - timedelta(days=10 + number)))
    for number, (label, _) in enumerate(USULAN.items(), start=1):
        person = people.get(label) or extra[label]
        region = region_of[person["region_code"]]
        books[region].add(
            "kabkota_usulan", NO_USULAN=f"USL-{period}-{number:03d}", NIK=person["nik"], NAMA=person["name"],
            ALAMAT="JL. TEST", KODE_DESA=REGIONS[region][1], ALASAN="Keluarga miskin belum terdaftar",
            TGL_USULAN=text(start - timedelta(days=7)), PENGUSUL="SENDIRI")
    for sanggahan_id, (label, filed, status, decided) in SANGGAHAN.items():
        person = people[label]
        filed_on = start - timedelta(days=filed)
        books[region_of[person["region_code"]]].add(
            "kabkota_sanggahan", NO_SANGGAHAN=f"{sanggahan_id}-{period}", NIK_TERSANGGAH=person["nik"],
            ALASAN="Mampu: memiliki mobil", PELAPOR="Warga (anonim)", TGL_SANGGAHAN=text(filed_on),
            STATUS_VERIFIKASI=status, TGL_KEPUTUSAN=text(filed_on + timedelta(days=decided)) if decided else None)
    return [book for book in books.values() if book.rows]

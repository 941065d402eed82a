"""Delivery contracts: what each agency sends, column by column.

This is the one registry every stage shares: the simulator writes to it, the readers enforce it,
the raw warehouse tables are named after it, and dbt staging reads those tables. The human-readable
pages are in docs/contracts/ (one per source, with an example row).

Raw tables keep values as delivered (text for CSV/Excel, the Parquet types for Regsosek) plus the
lineage columns in `LINEAGE_COLUMNS`; staging in dbt renames and casts. Column names in raw tables
are the contract names in lower case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

CONTRACT_VERSION = "1.0"


class Kind(StrEnum):
    """How a column's value is checked on arrival."""

    TEXT = "text"  # free text (names, addresses); must be present when required
    NIK = "nik"  # 16 digits as text; Excel damage is flagged, never repaired
    KK = "kk"  # 16 digits as text
    DIGITS = "digits"  # fixed-length digit string (width in `width`)
    DATE = "date"  # calendar date in `date_format`
    TIMESTAMP = "timestamp"  # ISO 8601 date-time
    PERIOD = "period"  # yyyymm
    ENUM = "enum"  # one of `allowed`
    INT = "int"  # whole number >= 0
    FLOAT = "float"
    FLAG = "flag"  # 0/1 in Parquet, Y/N in CSV (see `allowed`)


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True
    description: str = ""
    allowed: tuple[str, ...] = ()
    width: int | None = None
    date_format: str | None = None  # strptime format for DATE columns delivered as text

    @property
    def raw_name(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Entity:
    """One table of a delivery (a CSV file, a Parquet file, or an Excel sheet)."""

    name: str  # e.g. 'persons', 'keluarga'
    raw_table: str  # table in the `raw` schema
    columns: tuple[Column, ...]
    sheet: str | None = None  # Excel sheet name for kab/kota workbooks
    file_pattern: str = ""  # relative to the source's inbox folder; {region} = kab digits, {period} = yyyymm

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class Source:
    name: str  # dtks, regsosek, dukcapil, kabkota
    agency: str
    file_format: str  # csv, parquet, xlsx, json
    entities: tuple[Entity, ...]
    delimiter: str | None = None
    encodings: tuple[str, ...] = ("utf-8",)
    doc: str = ""  # docs/contracts/<name>.md
    extra: dict = field(default_factory=dict)

    def entity(self, name: str) -> Entity:
        return next(e for e in self.entities if e.name == name)


# Lineage columns appended to every raw table by ingest.
LINEAGE_COLUMNS = ("_delivery_id", "_source_file", "_row_number", "_loaded_at")

YN = ("Y", "N")
SEX = ("1", "2")  # 1 laki-laki, 2 perempuan
HUB_KELUARGA = tuple(str(i) for i in range(1, 10))
# 1 kepala keluarga, 2 istri/suami, 3 anak, 4 menantu, 5 cucu, 6 orang tua, 7 mertua, 8 famili lain, 9 lainnya

DTKS = Source(
    name="dtks",
    agency="Kementerian Sosial (SIKS-NG export)",
    file_format="csv",
    delimiter=";",
    encodings=("utf-8", "cp1252"),
    doc="docs/contracts/dtks.md",
    entities=(
        Entity(
            name="persons",
            raw_table="dtks_persons",
            file_pattern="DTKS_{region}_{period}.csv",
            columns=(
                Column("IDDTKS", Kind.TEXT, description="SIKS-NG person id"),
                Column("NIK", Kind.NIK, required=False, description="may be blank, invalid or Excel-damaged"),
                Column("NOKK", Kind.KK, required=False),
                Column("NAMA", Kind.TEXT),
                Column("TGL_LAHIR", Kind.DATE, date_format="%d-%m-%Y"),
                Column("JENIS_KELAMIN", Kind.ENUM, allowed=SEX),
                Column("HUB_KELUARGA", Kind.ENUM, allowed=HUB_KELUARGA),
                Column("ALAMAT", Kind.TEXT, required=False),
                Column("KODE_DESA", Kind.DIGITS, width=10, description="Kemendagri desa code without dots"),
                Column("PKH", Kind.FLAG, allowed=YN, description="receiving PKH this period"),
                Column("BPNT", Kind.FLAG, allowed=YN, description="receiving BPNT/Sembako this period"),
                Column("PBI", Kind.FLAG, allowed=YN, description="PBI-JK premium paid this period"),
                Column("PERIODE", Kind.PERIOD),
            ),
        ),
    ),
)

# Regsosek family-level proxy-means variables (26, as BPS ranks on 26 family variables).
# Codes: a lower code is the poorer condition unless the description says otherwise.
REGSOSEK_FAMILY_VARIABLES = (
    Column("STATUS_BANGUNAN", Kind.ENUM, allowed=("1", "2", "3", "4"),
           description="1 milik sendiri, 2 kontrak/sewa, 3 bebas sewa, 4 dinas/lainnya"),
    Column("LUAS_LANTAI", Kind.INT, description="floor area, m²"),
    Column("JENIS_LANTAI", Kind.ENUM, allowed=("1", "2", "3", "4", "5"),
           description="1 tanah, 2 bambu/kayu kualitas rendah, 3 semen/bata merah, 4 ubin/tegel, 5 keramik/marmer"),
    Column("JENIS_DINDING", Kind.ENUM, allowed=("1", "2", "3", "4"),
           description="1 bambu/anyaman, 2 kayu/papan, 3 plesteran anyaman bambu, 4 tembok"),
    Column("JENIS_ATAP", Kind.ENUM, allowed=("1", "2", "3", "4"),
           description="1 ijuk/rumbia, 2 seng, 3 asbes, 4 genteng/beton"),
    Column("SUMBER_AIR_MINUM", Kind.ENUM, allowed=("1", "2", "3", "4"),
           description="1 mata air/sungai/hujan, 2 sumur tak terlindung, 3 sumur bor/terlindung, 4 ledeng/kemasan"),
    Column("SUMBER_PENERANGAN", Kind.ENUM, allowed=("1", "2", "3"),
           description="1 bukan listrik, 2 listrik non-PLN, 3 listrik PLN"),
    Column("DAYA_TERPASANG", Kind.INT, description="installed PLN power, VA (0 without PLN)"),
    Column("BAHAN_BAKAR_MASAK", Kind.ENUM, allowed=("1", "2", "3", "4"),
           description="1 kayu bakar/arang, 2 minyak tanah, 3 gas ≤ 3 kg, 4 gas > 3 kg/listrik"),
    Column("FASILITAS_BAB", Kind.ENUM, allowed=("1", "2", "3"),
           description="1 tidak ada, 2 bersama/umum, 3 sendiri"),
    Column("JUMLAH_KAMAR", Kind.INT, description="bedrooms"),
    Column("ASET_GAS_5KG", Kind.FLAG, description="owns a gas tank ≥ 5.5 kg"),
    Column("ASET_KULKAS", Kind.FLAG),
    Column("ASET_AC", Kind.FLAG),
    Column("ASET_PEMANAS_AIR", Kind.FLAG),
    Column("ASET_TV", Kind.FLAG, description="flat-screen TV ≥ 30 inch"),
    Column("ASET_EMAS_10G", Kind.FLAG, description="gold/jewellery ≥ 10 g"),
    Column("ASET_KOMPUTER", Kind.FLAG),
    Column("ASET_SEPEDA", Kind.FLAG),
    Column("ASET_SEPEDA_MOTOR", Kind.FLAG),
    Column("ASET_MOBIL", Kind.FLAG),
    Column("ASET_PERAHU", Kind.FLAG, description="boat or motor boat"),
    Column("ASET_LAHAN", Kind.FLAG, description="owns land other than the house plot"),
    Column("ASET_RUMAH_LAIN", Kind.FLAG),
    Column("ASET_SMARTPHONE", Kind.FLAG),
    Column("JUMLAH_TERNAK", Kind.INT, description="large livestock (cattle, buffalo, horse) equivalent heads"),
)

REGSOSEK_PERSON_VARIABLES = (
    Column("PENDIDIKAN", Kind.ENUM, allowed=("0", "1", "2", "3", "4", "5"),
           description="highest completed: 0 tidak/belum sekolah, 1 SD, 2 SMP, 3 SMA/SMK, 4 D1-D3, 5 D4/S1+"),
    Column("STATUS_PEKERJAAN", Kind.ENUM, allowed=("0", "1", "2", "3", "4", "5"),
           description="0 tidak bekerja, 1 berusaha sendiri, 2 dibantu buruh tidak tetap, 3 dibantu buruh tetap, "
                       "4 buruh/karyawan, 5 pekerja keluarga/tidak dibayar"),
    Column("LAPANGAN_USAHA", Kind.ENUM, allowed=("0", "1", "2", "3", "4", "5"),
           description="0 tidak bekerja, 1 pertanian/perikanan, 2 industri, 3 perdagangan, 4 jasa, 5 lainnya"),
    Column("DISABILITAS", Kind.FLAG),
    Column("PENYAKIT_KRONIS", Kind.FLAG),
    Column("JAMINAN_KESEHATAN", Kind.ENUM, allowed=("0", "1", "2", "3"),
           description="0 tidak punya, 1 BPJS PBI, 2 BPJS non-PBI, 3 asuransi lain"),
    Column("MASIH_SEKOLAH", Kind.FLAG, description="currently enrolled (ages 6–21)"),
    Column("STATUS_KAWIN", Kind.ENUM, allowed=("1", "2", "3", "4"),
           description="1 belum kawin, 2 kawin, 3 cerai hidup, 4 cerai mati"),
)

REGSOSEK = Source(
    name="regsosek",
    agency="Badan Pusat Statistik (Registrasi Sosial Ekonomi)",
    file_format="parquet",
    doc="docs/contracts/regsosek.md",
    entities=(
        Entity(
            name="keluarga",
            raw_table="regsosek_keluarga",
            file_pattern="REGSOSEK_KELUARGA_{region}_{period}.parquet",
            columns=(
                Column("ID_KELUARGA", Kind.TEXT),
                Column("NO_KK", Kind.KK, required=False),
                Column("KODE_DESA", Kind.DIGITS, width=10),
                *REGSOSEK_FAMILY_VARIABLES,
                Column("PERIODE", Kind.PERIOD),
            ),
        ),
        Entity(
            name="individu",
            raw_table="regsosek_individu",
            file_pattern="REGSOSEK_INDIVIDU_{region}_{period}.parquet",
            columns=(
                Column("ID_KELUARGA", Kind.TEXT),
                Column("NIK", Kind.NIK, required=False),
                Column("NAMA", Kind.TEXT),
                Column("TGL_LAHIR", Kind.DATE, description="Parquet DATE"),
                Column("JENIS_KELAMIN", Kind.ENUM, allowed=SEX),
                Column("HUBUNGAN", Kind.ENUM, allowed=HUB_KELUARGA, description="same coding as DTKS HUB_KELUARGA"),
                *REGSOSEK_PERSON_VARIABLES,
                Column("PERIODE", Kind.PERIOD),
            ),
        ),
    ),
)

DUKCAPIL_COLUMNS = (
    Column("NIK", Kind.NIK),
    Column("NO_KK", Kind.KK),
    Column("NAMA_LGKP", Kind.TEXT),
    Column("TMPT_LHR", Kind.TEXT, required=False),
    Column("TGL_LHR", Kind.DATE, date_format="%Y-%m-%d"),
    Column("JENIS_KLMIN", Kind.ENUM, allowed=("LAKI-LAKI", "PEREMPUAN")),
    Column("AGAMA", Kind.TEXT, required=False),
    Column("STATUS_KAWIN", Kind.ENUM, allowed=("BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI")),
    Column("STAT_HBKEL", Kind.TEXT,
           description="KEPALA KELUARGA, ISTRI, SUAMI, ANAK, MENANTU, CUCU, ORANG TUA, MERTUA, FAMILI LAIN, LAINNYA"),
    Column("PDDK_AKH", Kind.TEXT, required=False),
    Column("JENIS_PKRJN", Kind.TEXT, required=False),
    Column("NAMA_LGKP_IBU", Kind.TEXT, required=False),
    Column("NO_PROP", Kind.DIGITS, width=2),
    Column("NO_KAB", Kind.DIGITS, width=2),
    Column("NO_KEC", Kind.DIGITS, width=2),
    Column("NO_KEL", Kind.DIGITS, width=4),
    Column("ALAMAT", Kind.TEXT, required=False),
    Column("NO_RT", Kind.DIGITS, width=3, required=False),
    Column("NO_RW", Kind.DIGITS, width=3, required=False),
    Column("STATUS_HIDUP", Kind.ENUM, allowed=("HIDUP", "MATI")),
    Column("TGL_MATI", Kind.DATE, required=False, date_format="%Y-%m-%d"),
    Column("TGL_UPDATE", Kind.TIMESTAMP),
)

# The answer to Kemensos' NIK matching (pemadanan / padan NIK): Dukcapil checks every NIK a region's
# DTKS carries against the national population database. Deliberately no name or birth date (UU PDP
# data minimisation): only whether the NIK is known, the holder's current domicile and life status.
# The domicile columns are named *_DOMISILI, not NO_PROP/NO_KAB: the holder may live in any kab/kota,
# so the DKB check that NO_PROP.NO_KAB is the file's region (region_mismatch) must not apply.
PADAN_STATUS = ("PADAN", "TIDAK PADAN")
DUKCAPIL_VERIFICATION_COLUMNS = (
    Column("NIK", Kind.NIK, description="a NIK the region submitted (as its DTKS delivery carries it)"),
    Column("STATUS_PADAN", Kind.ENUM, allowed=PADAN_STATUS,
           description="PADAN: Dukcapil has issued this NIK; TIDAK PADAN: to nobody"),
    Column("NO_PROP_DOMISILI", Kind.DIGITS, width=2, required=False,
           description="the holder's current domicile (any kab/kota); empty when TIDAK PADAN"),
    Column("NO_KAB_DOMISILI", Kind.DIGITS, width=2, required=False, description="empty when TIDAK PADAN"),
    Column("NO_KEC_DOMISILI", Kind.DIGITS, width=2, required=False, description="empty when TIDAK PADAN"),
    Column("NO_KEL_DOMISILI", Kind.DIGITS, width=4, required=False, description="empty when TIDAK PADAN"),
    Column("STATUS_HIDUP", Kind.ENUM, required=False, allowed=("HIDUP", "MATI"),
           description="the holder's life status; empty when TIDAK PADAN"),
    Column("TGL_PADAN", Kind.DATE, date_format="%Y-%m-%d", description="date of the matching"),
)

DUKCAPIL = Source(
    name="dukcapil",
    agency="Ditjen Dukcapil, Kemendagri (DKB consolidated file / web service)",
    file_format="csv",
    delimiter=",",
    doc="docs/contracts/dukcapil.md",
    entities=(
        Entity(
            name="persons",
            raw_table="dukcapil_persons",
            file_pattern="DKB_{region}_{period}.csv",
            columns=DUKCAPIL_COLUMNS,
        ),
        Entity(
            name="nik_verifications",
            raw_table="dukcapil_nik_verifications",
            file_pattern="PADAN_{region}_{period}.csv",
            columns=DUKCAPIL_VERIFICATION_COLUMNS,
        ),
    ),
)

GROUND_CHECK_RESULTS = ("LAYAK", "TIDAK LAYAK", "PINDAH", "MENINGGAL", "TIDAK DITEMUKAN")

KABKOTA = Source(
    name="kabkota",
    agency="Dinas Sosial kabupaten/kota",
    file_format="xlsx",
    doc="docs/contracts/kabkota.md",
    entities=(
        Entity(
            name="usulan",
            raw_table="kabkota_usulan",
            sheet="USULAN",
            file_pattern="DAFTAR_{region}_{period}.xlsx",
            columns=(
                Column("NO_USULAN", Kind.TEXT),
                Column("NIK", Kind.NIK, required=False),
                Column("NAMA", Kind.TEXT),
                Column("ALAMAT", Kind.TEXT, required=False),
                Column("KODE_DESA", Kind.DIGITS, width=10),
                Column("ALASAN", Kind.TEXT),
                Column("TGL_USULAN", Kind.DATE, date_format="%d-%m-%Y"),
                Column("PENGUSUL", Kind.ENUM, allowed=("SENDIRI", "KELUARGA", "ORANG LAIN", "OPERATOR DESA")),
            ),
        ),
        Entity(
            name="sanggahan",
            raw_table="kabkota_sanggahan",
            sheet="SANGGAHAN",
            file_pattern="DAFTAR_{region}_{period}.xlsx",
            columns=(
                Column("NO_SANGGAHAN", Kind.TEXT),
                Column("NIK_TERSANGGAH", Kind.NIK),
                Column("ALASAN", Kind.TEXT),
                Column("PELAPOR", Kind.TEXT),
                Column("TGL_SANGGAHAN", Kind.DATE, date_format="%d-%m-%Y"),
                Column("FOTO_REF", Kind.TEXT, required=False),
                Column("LATITUDE", Kind.FLOAT, required=False),
                Column("LONGITUDE", Kind.FLOAT, required=False),
                Column("STATUS_VERIFIKASI", Kind.ENUM, allowed=("BELUM", "DITERIMA", "DITOLAK")),
                Column("TGL_KEPUTUSAN", Kind.DATE, required=False, date_format="%d-%m-%Y"),
            ),
        ),
        Entity(
            name="ground_check",
            raw_table="kabkota_ground_check",
            sheet="GROUND_CHECK",
            file_pattern="DAFTAR_{region}_{period}.xlsx",
            columns=(
                Column("NO_GC", Kind.TEXT),
                Column("NIK", Kind.NIK),
                Column("NO_KK", Kind.KK, required=False),
                Column("HASIL", Kind.ENUM, allowed=GROUND_CHECK_RESULTS),
                Column("PETUGAS", Kind.TEXT),
                Column("TGL_GC", Kind.DATE, date_format="%d-%m-%Y"),
            ),
        ),
    ),
)

SOURCES: dict[str, Source] = {s.name: s for s in (DTKS, REGSOSEK, DUKCAPIL, KABKOTA)}


def raw_tables() -> dict[str, Entity]:
    """raw table name → entity, for every source."""
    return {e.raw_table: e for s in SOURCES.values() for e in s.entities}

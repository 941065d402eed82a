"""End-to-end checks of `terpadu simulate` on a small population (2 regions, ~5k persons)."""

import hashlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from terpadu.reference import regencies
from terpadu.settings import Settings
from terpadu.simulate import DefectRates, simulate
from terpadu.sources import contracts as c

REGIONS = ["81.71", "35.10"]
N = 5000


def _settings(tmp: Path) -> Settings:
    base = Settings.from_env()
    return replace(base, state_dir=tmp)


def _run(tmp: Path, seed: int = 7, **kw):
    s = _settings(tmp)
    summary = simulate(s, regions=REGIONS, persons=N, seed=seed, period="202610", progress=lambda *_: None, **kw)
    return s, summary


def _hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sim")
    s, summary = _run(tmp)
    return s, summary


def test_summary_and_files(run):
    s, summary = run
    assert N <= summary["persons"] < N + 40
    for name in ("DTKS_8171_202610.csv", "DKB_3510_202610.csv", "REGSOSEK_INDIVIDU_8171_202610.parquet",
                 "REGSOSEK_KELUARGA_3510_202610.parquet", "DAFTAR_8171_202610.xlsx"):
        assert any(f.endswith(name) for f in summary["files"]), name
    assert summary["rows"]["dukcapil"] > 0.95 * N


def test_same_seed_identical_bytes_other_seed_differs(tmp_path):
    _run(tmp_path / "a", seed=11)
    _run(tmp_path / "b", seed=11)
    _run(tmp_path / "c", seed=12)
    a, b, cc = (_hashes(tmp_path / x / "inbox") for x in "abc")
    assert a == b and len(a) == 12  # per region: DTKS, 2 Regsosek, DKB, PADAN, workbook
    assert all(a[k] != cc[k] for k in a)
    assert _hashes(tmp_path / "a" / "ground_truth") == _hashes(tmp_path / "b" / "ground_truth")


def test_files_follow_contracts(run):
    s, _ = run
    inbox = s.inbox_dir
    dtks = c.DTKS.entities[0]
    for path in (inbox / "dtks").glob("*.csv"):
        raw = path.read_bytes()
        enc = "utf-8"
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            enc = "cp1252"
        df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding=enc)
        assert list(df.columns) == dtks.column_names
        for col in dtks.columns:
            if col.allowed:
                assert set(df[col.name]) <= set(col.allowed), col.name
        assert df["KODE_DESA"].str.fullmatch(r"\d{10}").all()
        assert pd.to_datetime(df["TGL_LAHIR"], format="%d-%m-%Y", errors="coerce").notna().mean() > 0.99
    for path in (inbox / "dukcapil").glob("DKB_*.csv"):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert list(df.columns) == c.DUKCAPIL.entities[0].column_names
        assert df["NIK"].str.fullmatch(r"\d{16}").all() and df["NO_KK"].str.fullmatch(r"\d{16}").all()
        for col in c.DUKCAPIL_COLUMNS:
            if col.allowed:
                assert set(df[col.name]) <= set(col.allowed), col.name
            if col.width:
                vals = df.loc[df[col.name] != "", col.name]
                assert vals.str.fullmatch(rf"\d{{{col.width}}}").all(), col.name
        assert ((df["STATUS_HIDUP"] == "MATI") == (df["TGL_MATI"] != "")).all()
    for ent in c.REGSOSEK.entities:
        for path in (inbox / "regsosek").glob(ent.file_pattern.split("{")[0] + "*"):
            df = pd.read_parquet(path)
            assert list(df.columns) == ent.column_names
            for col in ent.columns:
                if col.allowed:
                    assert set(df[col.name].dropna()) <= set(col.allowed), col.name
                if col.kind == c.Kind.FLAG:
                    assert set(df[col.name].unique()) <= {0, 1}
    import openpyxl
    for path in (inbox / "kabkota").glob("*.xlsx"):
        wb = openpyxl.load_workbook(path, read_only=True)
        for ent in c.KABKOTA.entities:
            rows = list(wb[ent.sheet].iter_rows(values_only=True))
            assert list(rows[0]) == ent.column_names
            for row in rows[1:]:
                rec = dict(zip(ent.column_names, row, strict=True))
                for col in ent.columns:
                    if col.allowed:
                        assert rec[col.name] in col.allowed
                    if col.kind == c.Kind.NIK and rec[col.name]:
                        assert isinstance(rec[col.name], str)


def test_poverty_matches_bps(run):
    s, _ = run
    p = pd.read_parquet(s.ground_truth_dir / "persons.parquet")
    share = p[p.alive].groupby("origin_region_code").poor.mean() * 100
    for code in REGIONS:
        assert abs(share[code] - regencies()[code].poverty_rate) < 0.6, (code, share[code])


def test_dtks_coverage_and_errors(run):
    s, _ = run
    f = pd.read_parquet(s.ground_truth_dir / "families.parquet")
    listed = f.dtks_status.isin(["listed", "inclusion_error"])
    assert 0.25 <= listed.mean() <= 0.45
    poor_in = listed[f.poor].mean()
    assert 0.8 <= poor_in <= 0.95  # 1 - exclusion_error (0.12) ± sampling
    incl = (f.dtks_status == "inclusion_error").sum() / listed.sum()
    assert abs(incl - DefectRates().inclusion_error) < 0.03


def test_defect_rates_match_configuration(run):
    s, _ = run
    d = pd.read_parquet(s.ground_truth_dir / "defects.parquet")
    r = pd.read_parquet(s.ground_truth_dir / "rows.parquet")
    base = (r.source == "dtks").sum() - (d.defect == "duplicate_row").sum()
    rates = DefectRates()
    for name in ("nik_missing", "name_typo", "name_variant", "kk_invalid", "nik_shared", "dob_swapped"):
        got = ((d.source == "dtks") & (d.defect == name)).sum() / base
        want = getattr(rates, f"dtks_{name}")
        assert abs(got - want) <= 3 * np.sqrt(want * (1 - want) / base) + 1 / base, (name, got, want)


def test_defect_override_and_truth_points_at_rows(tmp_path):
    s, _ = _run(tmp_path, defects={"dtks_nik_missing": 0.3, "dtks_duplicate_row": 0.0})
    d = pd.read_parquet(s.ground_truth_dir / "defects.parquet")
    for path in (s.inbox_dir / "dtks").glob("*.csv"):
        enc = "utf-8"
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            enc = "cp1252"
        df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding=enc)
        miss = d[(d.file == path.name) & (d.defect == "nik_missing")].row_number.to_numpy()
        assert (df.iloc[miss - 1]["NIK"] == "").all()
        assert abs((df["NIK"] == "").mean() - 0.3) < 0.03
    with pytest.raises(ValueError):
        DefectRates().with_overrides({"no_such": 0.1})


def test_pmt_variables_carry_welfare_signal(run):
    s, _ = run
    k = pd.read_parquet(next((s.inbox_dir / "regsosek").glob("REGSOSEK_KELUARGA_3510*")))
    rows = pd.read_parquet(s.ground_truth_dir / "rows.parquet")
    fam = pd.read_parquet(s.ground_truth_dir / "families.parquet")
    kr = rows[(rows.entity == "keluarga") & rows.file.str.contains("3510")].sort_values("row_number")
    k["pce"] = fam.set_index("family_id").loc[kr.family_id.to_numpy(), "pce"].to_numpy()
    score = (k["JENIS_LANTAI"].astype(int) + k["BAHAN_BAKAR_MASAK"].astype(int) + k["ASET_KULKAS"] + k["ASET_MOBIL"]
             + k["JENIS_DINDING"].astype(int))
    assert score.corr(np.log(k["pce"]), method="spearman") > 0.4


def test_usulan_outside_region_is_in_the_answer_key(tmp_path):
    # already-listed movers are proposed at their new address; ingest quarantines those rows, so the
    # ground truth must name every one of them
    import openpyxl

    s, _ = _run(tmp_path, defects={"moved_region": 0.5, "usulan_already_listed": 0.7, "usulan_not_eligible": 0.1,
                                   "usulan_rate": 0.05})
    d = pd.read_parquet(s.ground_truth_dir / "defects.parquet")
    outside = set()
    for path in (s.inbox_dir / "kabkota").glob("*.xlsx"):
        digits = path.name.split("_")[1]
        rows = list(openpyxl.load_workbook(path, read_only=True)["USULAN"].iter_rows(values_only=True))[1:]
        outside |= {(path.name, i) for i, r in enumerate(rows, start=1) if not str(r[4]).startswith(digits)}
    key = d[(d.source == "kabkota") & (d.defect == "moved_region")]
    assert outside and outside == set(zip(key.file, key.row_number, strict=True))


def _dtks_frame(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
        enc = "utf-8"
    except UnicodeDecodeError:
        enc = "cp1252"
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding=enc)


def test_nik_verification_answers_every_submitted_nik_from_the_national_population(run):
    # PADAN_<kab>: one row per distinct 16-digit DTKS NIK of the region (serial 0000 is never issued),
    # PADAN with the holder's current domicile and life status wherever they live now, else TIDAK PADAN
    s, summary = run
    persons = pd.read_parquet(s.ground_truth_dir / "persons.parquet").set_index("nik")
    rows = pd.read_parquet(s.ground_truth_dir / "rows.parquet")
    entity = c.DUKCAPIL.entity("nik_verifications")
    answered = 0
    for code in REGIONS:
        digits = code.replace(".", "")
        dtks = _dtks_frame(s.inbox_dir / "dtks" / f"DTKS_{digits}_202610.csv")
        path = s.inbox_dir / "dukcapil" / entity.file_pattern.format(region=digits, period="202610")
        assert str(path) in summary["files"]
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert list(df.columns) == entity.column_names
        asked = dtks.NIK[dtks.NIK.str.fullmatch(r"\d{16}") & ~dtks.NIK.str.endswith("0000")]
        assert sorted(df.NIK) == sorted(set(asked)) and df.NIK.is_unique
        known = df.NIK.isin(persons.index)
        assert (df.STATUS_PADAN == known.map({True: "PADAN", False: "TIDAK PADAN"})).all()
        padan = df[known]
        holder = persons.loc[padan.NIK]
        domicile = (padan.NO_PROP_DOMISILI + padan.NO_KAB_DOMISILI + padan.NO_KEC_DOMISILI
                    + padan.NO_KEL_DOMISILI).to_numpy()
        assert (domicile == holder.kode_desa.to_numpy()).all()
        assert (padan.STATUS_HIDUP.to_numpy() == holder.alive.map({True: "HIDUP", False: "MATI"}).to_numpy()).all()
        blank = df.loc[~known, ["NO_PROP_DOMISILI", "NO_KAB_DOMISILI", "NO_KEC_DOMISILI", "NO_KEL_DOMISILI",
                                "STATUS_HIDUP"]]
        assert (blank == "").all().all() and (df.TGL_PADAN == "2026-10-01").all()
        # movers are answered with their new domicile, also outside the simulated regions
        moved = holder[holder.moved.to_numpy()]
        assert len(moved) and (moved.region_code != moved.origin_region_code).all()
        # the answer key names the holder of each row (none for TIDAK PADAN)
        truth = rows[(rows.entity == "nik_verifications") & (rows.file == path.name)].sort_values("row_number")
        assert truth.row_number.tolist() == list(range(1, len(df) + 1))
        assert (truth.person_id.isna().to_numpy() == ~known.to_numpy()).all()
        assert (truth.person_id.dropna().astype("int64").to_numpy() == holder.person_id.to_numpy()).all()
        answered += len(df)
    assert summary["rows"]["dukcapil_nik_verifications"] == answered


def test_unregistered_niks_are_valid_and_answered_tidak_padan(tmp_path):
    s, _ = _run(tmp_path, defects={"dtks_nik_unregistered": 0.05})
    d = pd.read_parquet(s.ground_truth_dir / "defects.parquet")
    persons = pd.read_parquet(s.ground_truth_dir / "persons.parquet").set_index("person_id")
    planted = d[d.defect == "nik_unregistered"]
    assert len(planted) > 50
    for code in REGIONS:
        digits = code.replace(".", "")
        file = f"DTKS_{digits}_202610.csv"
        dtks = _dtks_frame(s.inbox_dir / "dtks" / file)
        hits = planted[planted.file == file]
        niks = dtks.NIK.iloc[hits.row_number.to_numpy() - 1]
        own = persons.loc[hits.person_id, "nik"].to_numpy()
        # the person's own kecamatan and birth date, a serial 9000-9999 that no simulated person holds
        assert (niks.str[:12].to_numpy() == pd.Series(own).str[:12].to_numpy()).all()
        assert niks.str[12:].astype(int).between(9000, 9999).all()
        assert not niks.isin(persons.nik).any()
        assert (hits.detail.to_numpy() == own).all()
        padan = pd.read_csv(s.inbox_dir / "dukcapil" / f"PADAN_{digits}_202610.csv", dtype=str,
                            keep_default_na=False).set_index("NIK")
        assert (padan.loc[niks, "STATUS_PADAN"] == "TIDAK PADAN").all()

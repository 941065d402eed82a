"""Parquet fixtures for the quality gate and publisher tests: the marts of a run for a few regions,
with exactly the columns the dbt marts export, all rules passing unless a test breaks one.

Region A (Banyuwangi) has one flag of every type; region B (Surabaya) has none. Each region has a
few rows of the worklist marts (sanggahan, usulan, ground checks, clerical review, family changes),
none past the sanggahan SLA.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from terpadu import reference
from terpadu.quality.suites import FLAG_TYPES
from terpadu.settings import Settings

REGION_A = "35.10"
REGION_B = "35.78"
REGIONS = (REGION_A, REGION_B)
PERSONS_PER_REGION = 40


def _geo(region_code: str) -> list[tuple[str, str]]:
    """Two kecamatan of the region, two villages each: [(kecamatan_code, desa_code), ...]."""
    villages = reference.villages_by_regency()[region_code]
    kecamatan = sorted({code[:8] for code, _ in villages})[:2]
    return [(k, v) for k in kecamatan for v in [c for c, _ in villages if c.startswith(k + ".")][:2]]


def nik_for(region_code: str, i: int) -> str:
    digits = region_code.replace(".", "")
    return f"{digits}01{(i % 28) + 1:02d}0190{(i % 9999) + 1:04d}"


def _worklists(region_code: str, geo: list[tuple[str, str]], persons: list[dict]) -> dict[str, list[dict]]:
    """A few rows of each region-only worklist mart, every gate rule passing."""
    kec, desa = geo[0]  # the kecamatan of the region's first person (breakers move rows out of it)
    p0, p1 = persons[0], persons[1]
    sanggahan = [
        {"sanggahan_id": f"SGH-{region_code}-{k}", "region_code": region_code, "kecamatan_code": kec,
         "desa_code": desa, "nik": p0["nik"], "person_id": p0["person_id"], "family_id": p0["family_id"],
         "desil": p0["desil"], "receives_pkh": p0["receives_pkh"], "receives_bpnt": p0["receives_bpnt"],
         "receives_pbi": p0["receives_pbi"], "reason": "Mampu: memiliki mobil", "objection_date": date(2026, 9, 20),
         "verification_status": status, "decision_date": decided, "days_open": days, "sla_days": 14,
         "is_past_sla": False, "is_open": status == "BELUM", "as_of_date": date(2026, 10, 1)}
        for k, (status, decided, days) in enumerate((("BELUM", None, 11), ("DITERIMA", date(2026, 9, 23), 3),
                                                      ("DITOLAK", date(2026, 9, 30), 10)))
    ]
    usulan = [
        {"usulan_id": f"USL-{region_code}-{k}", "region_code": region_code, "kecamatan_code": kec,
         "desa_code": desa, "nik": person["nik"], "person_id": person["person_id"],
         "family_id": person["family_id"], "desil": person["desil"], "proposed_date": date(2026, 9, 1),
         "proposed_by": "SENDIRI", "reason": "Lansia tinggal sendiri", "outcome": outcome,
         "outcome_reason": "alasan"}
        for k, (person, outcome) in enumerate(((p0, "sudah_terdaftar"), (p1, "baru_cocok_dukcapil")))
    ]
    ground_checks = [
        {"ground_check_id": f"GC-{region_code}-{k}", "region_code": region_code, "kecamatan_code": kec,
         "desa_code": desa, "nik": person["nik"], "person_id": person["person_id"],
         "family_id": person["family_id"], "result": result, "checked_date": date(2026, 9, 15),
         "period": "202610", "applies_from_period": "202611", "effect": "mulai periode 202611: ...",
         "application_status": "menunggu_periode", "is_applied": False}
        for k, (person, result) in enumerate(((p0, "LAYAK"), (p1, "TIDAK LAYAK")))
    ]
    review = [
        {"review_id": f"CR-{region_code}-{k}", "region_code": region_code, "kecamatan_code": kec,
         "desa_code": desa, "source": source, "source_record_id": f"{source}-{k}", "record_nik": None,
         "record_name": p0["full_name"], "record_birth_date": p0["birth_date"],
         "candidate_person_id": p0["person_id"], "candidate_nik": p0["nik"], "candidate_name": p0["full_name"],
         "candidate_birth_date": p0["birth_date"], "match_probability": probability, "match_weight": 3.5,
         "reason": "kecocokan di bawah ambang", "action": "cocokkan dengan KTP/KK"}
        for k, (source, probability) in enumerate((("dtks", 0.7), ("regsosek", 0.6)))
    ]
    changes = [
        {"family_id": p0["family_id"], "region_code": region_code, "kecamatan_code": kec, "desa_code": desa,
         "period_from": "202609", "period_to": "202610", "desil_from": 5, "desil_to": 3, "direction": "turun",
         "programme": programme, "change": change, "reason": reason}
        for programme, change, reason in ((None, None, "desil turun dari 5 ke 3"),
                                          ("PKH", "masuk", "masuk PKH: desil turun dari 5 ke 3"))
    ]
    return {"fct_sanggahan": sanggahan, "fct_usulan": usulan, "fct_ground_checks": ground_checks,
            "fct_clerical_review": review, "fct_family_changes": changes}


WORKLIST_MARTS = ("fct_sanggahan", "fct_usulan", "fct_ground_checks", "fct_clerical_review", "fct_family_changes")


def build_marts(persons_per_region: int = PERSONS_PER_REGION, regions=REGIONS) -> dict[str, pd.DataFrame]:
    persons, families, flags, readiness, analyst, deliveries = [], [], [], [], [], []
    worklists: dict[str, list[dict]] = {mart: [] for mart in WORKLIST_MARTS}
    for region_code in regions:
        geo = _geo(region_code)
        region = reference.regencies()[region_code]
        n_families = max(persons_per_region // 4, 1)
        for f in range(n_families + 1):  # the last family has no members: rules on families only
            kec, desa = geo[f % len(geo)]
            families.append({
                "family_id": f"{region_code}-F{f:05d}", "kk_number": f"{region.digits}01{f:010d}",
                "region_code": region_code, "kecamatan_code": kec, "desa_code": desa,
                "members": 4, "predicted_expenditure_per_capita": 500_000.0 + f,
                "desil": (f % 10) + 1, "desil_province": (f % 10) + 1,
                "top_factors": "lantai;air_minum", "pmt_weights_version": "2026.1",
            })
        for i in range(persons_per_region):
            f = i % n_families
            kec, desa = geo[f % len(geo)]
            nik = nik_for(region_code, i)
            persons.append({
                "person_id": f"{region_code}-P{i:05d}", "nik": nik,
                "nik_hash": hashlib.sha256(nik.encode()).hexdigest(), "nik_status": "valid",
                "family_id": f"{region_code}-F{f:05d}", "kk_number": f"{region.digits}01{f:010d}",
                "full_name": f"Warga {i}", "birth_date": date(1990, 1, (i % 28) + 1),
                "sex": "L" if i % 2 else "P", "region_code": region_code, "kecamatan_code": kec,
                "desa_code": desa, "is_alive": True, "death_date": None,
                "is_in_dukcapil": True, "is_in_dtks": i % 2 == 0, "is_in_regsosek": True,
                # exactly one programme per recipient, so each dead-recipient rule can be broken alone
                "receives_pkh": i % 5 == 1, "receives_bpnt": i % 5 == 2, "receives_pbi": i % 5 == 3,
                "desil": (i % 10) + 1,
            })
        if region_code == REGION_A:
            # person 1 is a dead PKH recipient, flagged as such; one flag of every type
            dead = next(p for p in persons if p["person_id"] == f"{region_code}-P00001")
            dead["is_alive"], dead["death_date"] = False, date(2025, 6, 1)
            for k, flag_type in enumerate(FLAG_TYPES):
                person = persons[-persons_per_region + (1 if flag_type == "dead_recipient" else 10 + k)]
                flags.append({
                    "region_code": region_code, "kecamatan_code": person["kecamatan_code"],
                    "desa_code": person["desa_code"], "person_id": person["person_id"], "nik": person["nik"],
                    "full_name": person["full_name"], "flag_type": flag_type,
                    "reason": f"alasan {flag_type}", "action": "verifikasi lapangan",
                })
        region_worklists = _worklists(region_code, geo, persons[-persons_per_region:])
        for mart, rows in region_worklists.items():
            worklists[mart].extend(rows)
        sanggahan = region_worklists["fct_sanggahan"]
        readiness.append({
            "region_code": region_code, "region_name": region.name, "province_code": region.province_code,
            "province_name": region.province_name, "basis": "reported",
            "population_reference": region.population, "persons_dukcapil": persons_per_region,
            "persons_dtks": persons_per_region // 2, "persons_regsosek": persons_per_region,
            "persons_integrated": persons_per_region, "families_integrated": n_families,
            "nik_valid_rate": 0.97, "dukcapil_match_rate": 0.95, "coverage_rate": 0.9,
            "duplicate_nik_rate": 0.01, "dead_recipients": 1 if region_code == REGION_A else 0,
            "flags_total": len(FLAG_TYPES) if region_code == REGION_A else 0, "readiness_score": 0.82,
            "sanggahan_total": len(sanggahan), "sanggahan_open": sum(r["is_open"] for r in sanggahan),
            "sanggahan_past_sla": 0, "usulan_total": len(region_worklists["fct_usulan"]),
            "ground_checks_total": len(region_worklists["fct_ground_checks"]), "ground_checks_applied": 0,
            "clerical_review_pairs": len(region_worklists["fct_clerical_review"]),
            "persons_flagged": len(FLAG_TYPES) if region_code == REGION_A else 0,
            "persons_flagged_ground_checked": 1 if region_code == REGION_A else 0,
            "ground_check_completion_rate": 1 / len(FLAG_TYPES) if region_code == REGION_A else None,
        })
        for source, rows in (("dukcapil", persons_per_region), ("dtks", persons_per_region // 2)):
            deliveries.append({
                "delivery_id": f"{source}-{region_code}-202610", "source": source, "region_code": region_code,
                "period": "202610", "original_file": f"{source}_{region.digits}_202610.csv",
                "sha256": hashlib.sha256(f"{source}{region_code}".encode()).hexdigest(),
                "rows_loaded": rows, "is_current": True,
            })
    for p in persons:
        analyst.append({
            "nik_hash": p["nik_hash"], "region_code": p["region_code"], "kecamatan_code": p["kecamatan_code"],
            "desa_code": p["desa_code"], "family_id": p["family_id"], "sex": p["sex"],
            "birth_year": p["birth_date"].year, "is_alive": p["is_alive"], "desil": p["desil"],
            "receives_pkh": p["receives_pkh"], "receives_bpnt": p["receives_bpnt"], "receives_pbi": p["receives_pbi"],
        })
    flag_columns = ["region_code", "kecamatan_code", "desa_code", "person_id", "nik", "full_name",
                    "flag_type", "reason", "action"]
    frames = {
        "dim_persons": pd.DataFrame(persons).astype({"desil": "Int64"}),
        "dim_families": pd.DataFrame(families).astype({"desil": "Int64", "desil_province": "Int64"}),
        "fct_person_flags": pd.DataFrame(flags, columns=flag_columns),
        "fct_region_readiness": pd.DataFrame(readiness),
        "analyst_persons": pd.DataFrame(analyst).astype({"desil": "Int64"}),
        "deliveries": pd.DataFrame(deliveries),
        **{mart: pd.DataFrame(rows) for mart, rows in worklists.items()},
    }
    frames["fct_sanggahan"] = frames["fct_sanggahan"].astype({"days_open": "Int64", "desil": "Int64"})
    frames["fct_family_changes"] = frames["fct_family_changes"].astype({"desil_from": "Int64", "desil_to": "Int64"})
    return frames


def write_run(settings: Settings, run_id: str, frames: dict[str, pd.DataFrame]) -> Path:
    folder = settings.state_dir / "runs" / run_id / "marts"
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def make_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A private state dir, object store and pilot list (regions A and B plus one with no data)."""
    state = tmp_path / "state"
    pilots = tmp_path / "pilot_regions.csv"
    rows = ["kode_kabupaten,nama,kode_provinsi,nama_provinsi,basis"]
    for code in (*REGIONS, "35.73"):
        region = reference.regencies()[code]
        rows.append(f"{code},{region.name},{region.province_code},{region.province_name},reported")
    pilots.write_text("\n".join(rows) + "\n")
    monkeypatch.setenv("TERPADU_STATE_DIR", str(state))
    monkeypatch.setenv("TERPADU_PILOT_REGIONS", str(pilots))
    monkeypatch.setenv("TERPADU_CODE_VERSION", "test-version")
    monkeypatch.delenv("TERPADU_OBJECT_STORE", raising=False)
    monkeypatch.delenv("TERPADU_WAREHOUSE", raising=False)
    settings = Settings.from_env()
    assert settings.code_version == "test-version"  # resolved now: it outlives the monkeypatch
    return settings

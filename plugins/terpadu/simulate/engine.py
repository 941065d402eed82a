"""`simulate()`: region by region, chunk by chunk, write the four deliveries and the ground truth.

Memory stays bounded by the chunk size (CHUNK persons) plus per-region serial counters; nothing
national is held. Every chunk has its own RNG from SeedSequence([seed, region, chunk]), so the
output depends only on the seed and the arguments (same seed → byte-identical files).
"""

from __future__ import annotations

import resource
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from terpadu import reference
from terpadu.settings import Settings
from terpadu.simulate import deliveries as dl
from terpadu.simulate import nik as nikmod
from terpadu.simulate import population as popmod
from terpadu.simulate import welfare as wf
from terpadu.simulate.defects import DefectRates
from terpadu.simulate.names import NameGenerator
from terpadu.simulate.writers import CsvAppender, ParquetAppender, TruthWriter, date_text, write_xlsx
from terpadu.sources import contracts as c

CHUNK = 250_000
# rough province centroids (lat, lon) for sanggahan coordinates; approximate by design
CENTROIDS = {"11": (4.7, 96.7), "12": (2.1, 99.5), "13": (-0.7, 100.8), "14": (0.5, 101.4), "15": (-1.6, 103.6),
             "16": (-3.3, 104.2), "17": (-3.8, 102.3), "18": (-5.1, 105.3), "19": (-2.1, 106.1), "21": (1.1, 104.0),
             "31": (-6.2, 106.8), "32": (-6.9, 107.6), "33": (-7.2, 110.4), "34": (-7.8, 110.4), "35": (-7.5, 112.5),
             "36": (-6.4, 106.1), "51": (-8.4, 115.2), "52": (-8.6, 116.1), "53": (-10.2, 123.6), "61": (0.0, 109.3),
             "62": (-2.2, 113.9), "63": (-3.3, 114.6), "64": (-1.2, 116.9), "65": (3.3, 117.6), "71": (1.5, 124.8),
             "72": (-0.9, 119.9), "73": (-5.1, 119.4), "74": (-4.0, 122.5), "75": (0.5, 123.1), "76": (-2.7, 118.9),
             "81": (-3.7, 128.2), "82": (0.8, 127.4), "91": (-2.5, 140.7), "92": (-0.9, 134.1), "93": (-8.5, 140.4),
             "94": (-3.4, 135.5), "95": (-4.1, 138.9), "96": (-0.9, 131.3)}
COASTAL_PROVINCES = ("81", "82", "71", "53", "21", "19", "73", "76")  # more boats (ASET_PERAHU)
STREETS = ("Jl. Merdeka", "Jl. Sudirman", "Jl. Diponegoro", "Jl. Pattimura", "Jl. Kartini", "Jl. Ahmad Yani",
           "Jl. Pahlawan", "Jl. Masjid", "Gg. Mawar", "Gg. Melati", "Jl. Pasar Baru", "Perum Griya Résidence",
           "Jl. Sam Ratulangi", "Jl. Imam Bonjol", "Kompleks Bélla Vista", "Jl. Kebun Raya")


def _regsosek_schemas() -> tuple[pa.Schema, pa.Schema]:
    def typ(col):
        return {c.Kind.ENUM: pa.string(), c.Kind.FLAG: pa.int8(), c.Kind.INT: pa.int32(),
                c.Kind.DATE: pa.date32()}.get(col.kind, pa.string())
    k, i = c.REGSOSEK.entity("keluarga"), c.REGSOSEK.entity("individu")
    return (pa.schema([(col.name, typ(col)) for col in k.columns]),
            pa.schema([(col.name, typ(col)) for col in i.columns]))


@dataclass
class Ctx:
    """Everything the delivery builders need about one chunk, precomputed as arrays."""

    digits: str
    period: str
    people: pd.DataFrame
    fams: pd.DataFrame
    fam_vars: dict
    person_vars: dict
    person_id: np.ndarray
    person_seq: np.ndarray
    family_id: np.ndarray
    nik_text: np.ndarray
    names: np.ndarray
    names_upper: np.ndarray
    names_title: np.ndarray
    kk_now_text: np.ndarray
    kk_listed_text: np.ndarray
    desa_now_text: np.ndarray
    desa_old_text: np.ndarray
    address_now: np.ndarray
    address_old: np.ndarray
    rt: np.ndarray
    rw: np.ndarray
    birthplace: np.ndarray
    mother_name: np.ndarray
    job: np.ndarray
    regsosek_id: np.ndarray
    officers: np.ndarray
    centroid: tuple
    fam_uniform: np.ndarray = field(default=None)


def _upper(names: np.ndarray) -> np.ndarray:
    """Upper-case text in Arrow (the name pools hold no character whose upper case is longer)."""
    return pc.utf8_upper(pa.array(names, pa.string())).to_numpy(zero_copy_only=False)


def split_persons(regions, persons: int | None, scale: float | None) -> list[int]:
    """Persons per region: `persons` split by population (largest remainder), else population × scale."""
    pops = np.array([r.population for r in regions], dtype=float)
    if persons is not None:
        share = pops / pops.sum() * persons
        base = np.floor(share).astype(int)
        rest = persons - base.sum()
        base[np.argsort(-(share - base), kind="stable")[:rest]] += 1
        return base.tolist()
    return np.maximum(np.round(pops * (scale if scale is not None else 0.001)), 1).astype(int).tolist()


def _address(rng, n, is_kelurahan):
    street = np.array(STREETS, dtype=object)[rng.integers(0, len(STREETS), n)]
    no = rng.integers(1, 200, n).astype(str)
    dusun = np.char.add("Dusun ", rng.integers(1, 9, n).astype(str)).astype(object)
    return np.where(is_kelurahan, street + " No. " + no, dusun)


def write_verifications(submitted: Path, persons: Path, folder: Path, period: str, truth: TruthWriter
                        ) -> tuple[list[str], int]:
    """Dukcapil's answer to the NIK matching: per region `PADAN_<kab>_<period>.csv`, one row per
    distinct 16-digit NIK text its DTKS carries (except serial 0000, never issued), answered from the
    whole simulated population (wherever the holder lives now, pilot region or not): PADAN with the
    holder's current domicile and life status, TIDAK PADAN when nobody holds the NIK. Rows in NIK
    order; the truth rows name the holder of each row (null for TIDAK PADAN)."""
    entity = c.DUKCAPIL.entity("nik_verifications")
    con = duckdb.connect()
    try:
        table = con.execute(f"""
            with asked as (
                select distinct region, nik from read_parquet('{_q(submitted)}')
                -- 16 digits; serial 0000 is never issued (ingest reads it as Excel damage): not asked
                where regexp_full_match(nik, '[0-9]{{16}}') and not suffix(nik, '0000')
            )
            select asked.region, asked.nik, p.kode_desa, p.alive, p.person_id, p.family_id
            from asked
            left join (select nik, kode_desa, alive, person_id, family_id
                       from read_parquet('{_q(persons)}')) as p on p.nik = asked.nik
            order by asked.region, asked.nik
        """).fetch_arrow_table()
    finally:
        con.close()
    if not table.num_rows:
        return [], 0
    found = pc.is_valid(table["person_id"]).to_numpy(zero_copy_only=False)
    desa = pc.fill_null(table["kode_desa"], "")

    def part(start, stop):  # the 10-digit desa code cut into the Dukcapil codes; '' when TIDAK PADAN
        return pc.utf8_slice_codeunits(desa, start, stop)

    alive = table["alive"].to_numpy(zero_copy_only=False)
    day = np.datetime64(f"{period[:4]}-{period[4:]}-01")
    columns = {
        "NIK": table["nik"], "STATUS_PADAN": np.where(found, "PADAN", "TIDAK PADAN").astype(object),
        "NO_PROP_DOMISILI": part(0, 2), "NO_KAB_DOMISILI": part(2, 4), "NO_KEC_DOMISILI": part(4, 6),
        "NO_KEL_DOMISILI": part(6, 10),
        "STATUS_HIDUP": np.where(found, np.where(alive == True, "HIDUP", "MATI"), "").astype(object),  # noqa: E712
        "TGL_PADAN": date_text(np.array([day]), "%Y-%m-%d")[0],
    }
    regions = table["region"].to_numpy(zero_copy_only=False)
    bounds = np.flatnonzero(np.r_[True, regions[1:] != regions[:-1], True])
    files, total = [], 0
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        w = CsvAppender(folder / entity.file_pattern.format(region=regions[start], period=period),
                        entity.column_names, c.DUKCAPIL.delimiter)
        w.append({k: v[start:stop] if not isinstance(v, str) else v for k, v in columns.items()})
        n = stop - start
        truth.append("rows", {**dl._where("dukcapil", "nik_verifications", w.path.name, n),
                              "row_number": np.arange(1, n + 1, dtype=np.int64),
                              "person_id": table["person_id"].slice(start, n).combine_chunks(),
                              "family_id": table["family_id"].slice(start, n).combine_chunks()})
        files.append(str(w.path))
        total += n
    return files, int(total)


def _q(path: Path) -> str:
    return str(path).replace("'", "''")


def simulate(settings: Settings, regions=None, persons: int | None = None, scale: float | None = None,
             seed: int = 20261, period: str | None = None, defects: DefectRates | dict | list | None = None,
             progress=print) -> dict:
    """Generate the population of `regions` and write the four deliveries + ground truth.

    Returns a JSON-serialisable summary (per-source row counts, file paths, timings, peak RSS).
    """
    t0 = time.perf_counter()
    period = period or settings.period
    if len(period) != 6 or not period.isdigit():
        raise ValueError(f"period must be yyyymm, got {period!r}")
    rates = defects if isinstance(defects, DefectRates) else DefectRates().with_overrides(defects)
    known = reference.regencies()
    if regions is None:
        regions = reference.pilot_regions()
    regions = [known[r] if isinstance(r, str) else r for r in regions]
    if persons is not None and scale is not None:
        raise ValueError("give --persons or --scale, not both")
    counts = split_persons(regions, persons, scale)
    ref = np.datetime64(f"{period[:4]}-{period[4:]}-01")
    villages = reference.villages_by_regency()
    # reference lookups once per run, not per region or chunk
    kec_items = sorted(reference.districts().items())
    all_kec = np.array([int(k.replace(".", "")) for k, _ in kec_items], dtype=np.int64)
    kec_upper = np.array([name.upper() for _, name in kec_items], dtype=object)
    all_codes = list(known)
    inbox, truth_dir = settings.inbox_dir, settings.ground_truth_dir
    for sub in ("dtks", "regsosek", "dukcapil", "kabkota"):
        (inbox / sub).mkdir(parents=True, exist_ok=True)
    truth = TruthWriter(truth_dir)
    names = NameGenerator()
    ts = f"{period[:4]}-{period[4:]}-01T00:00:00"
    selected = {r.code for r in regions}
    dkb_entity = c.DUKCAPIL.entity("persons")
    dkb = {r.code: CsvAppender(inbox / "dukcapil" / dkb_entity.file_pattern.format(region=r.digits, period=period),
                               dkb_entity.column_names, ",") for r in regions}
    kel_schema, ind_schema = _regsosek_schemas()
    # the NIKs each region's DTKS carries, what Kemensos submits to Dukcapil for matching (pemadanan):
    # spooled to disk and answered from the national population once every region is generated
    spool_dir = tempfile.TemporaryDirectory(prefix="terpadu-padan-")
    submitted = ParquetAppender(Path(spool_dir.name) / "submitted.parquet",
                                pa.schema([("region", pa.string()), ("nik", pa.string())]))
    migrants, kk_migrants = nikmod.MigrantSerials(), nikmod.MigrantSerials()
    enc_rng = np.random.default_rng(np.random.SeedSequence([seed, 7]))
    cp1252 = {r.code for r in regions if enc_rng.random() < rates.dtks_cp1252_regions}
    files, totals = [], {"persons": 0, "families": 0}
    rows_per = {k: 0 for k in ("dtks", "regsosek_keluarga", "regsosek_individu", "dukcapil", "kabkota_usulan",
                               "kabkota_sanggahan", "kabkota_ground_check")}
    for region, n_target in zip(regions, counts, strict=True):
        tr = time.perf_counter()
        rint = int(region.digits)
        geo = popmod.Geography.build(region, villages[region.code], all_kec,
                                     np.random.default_rng(np.random.SeedSequence([seed, rint, 999])))
        serials = nikmod.RegionSerials(geo.kecamatan.tolist())
        kk_serials = nikmod.RegionSerials(geo.kecamatan.tolist())
        enc = "cp1252" if region.code in cp1252 else "utf-8"
        dtks_file = c.DTKS.entities[0].file_pattern.format(region=region.digits, period=period)
        dtks = CsvAppender(inbox / "dtks" / dtks_file, c.DTKS.entities[0].column_names, ";", enc)
        kfile = c.REGSOSEK.entity("keluarga").file_pattern.format(region=region.digits, period=period)
        ifile = c.REGSOSEK.entity("individu").file_pattern.format(region=region.digits, period=period)
        kel_w = ParquetAppender(inbox / "regsosek" / kfile, kel_schema)
        ind_w = ParquetAppender(inbox / "regsosek" / ifile, ind_schema)
        xfile = c.KABKOTA.entity("usulan").file_pattern.format(region=region.digits, period=period)
        kab_rows = {"usulan": [], "sanggahan": [], "ground_check": []}
        seq_p = seq_f = 0
        n_chunks = max(1, -(-n_target // CHUNK))
        region_persons = 0
        for chunk in range(n_chunks):
            n_here = n_target // n_chunks + (1 if chunk < n_target % n_chunks else 0)
            rng = np.random.default_rng(np.random.SeedSequence([seed, rint, chunk]))
            fams, people = popmod.build_chunk(rng, geo, n_here, ref, names)
            nf, npp = len(fams), len(people)
            pv_nik = popmod.assign_niks(people, serials, migrants)
            urban = region.name.startswith("Kota")
            fams = wf.family_welfare(rng, fams, people, region.poverty_rate, wf.poverty_line(region.name), urban)
            fam_vars = wf.regsosek_family_variables(rng, fams, coastal=region.province_code in COASTAL_PROVINCES)
            pvars = wf.person_variables(rng, people, fams, urban)
            fam = people["fam"].to_numpy()
            birth_year = people["dob"].to_numpy().astype("datetime64[Y]").astype(int) + 1970
            canon = names.add_academic_titles(rng, people["name"].to_numpy(), pvars["PENDIDIKAN"] >= 4,
                                              birth_year, people["female"].to_numpy())
            # KK: kecamatan of issue + issue date + serial
            issue = ref - rng.integers(30, 15 * 365, nf).astype("timedelta64[D]")
            kk_old = nikmod.compose(fams["kec"].to_numpy(), issue, np.zeros(nf, bool),
                                    kk_serials.take(fams["kec"].to_numpy(), issue))
            # movers: the whole family now lives in another kab/kota, with a new KK there
            moved = rng.random(nf) < rates.moved_region
            others = [r for r in regions if r.code != region.code]
            dest = np.full(nf, "", dtype=object)
            for i in np.flatnonzero(moved):
                if others and rng.random() < 0.7:
                    dest[i] = others[int(rng.integers(0, len(others)))].code
                else:
                    code = all_codes[int(rng.integers(0, len(all_codes)))]
                    dest[i] = code if code != region.code else all_codes[0]
            desa_now = fams["kode_desa"].to_numpy().copy()
            for i in np.flatnonzero(moved):
                vs = villages[dest[i]]
                desa_now[i] = int(vs[int(rng.integers(0, len(vs)))][0].replace(".", ""))
            kk_now = kk_old.copy()
            if moved.any():
                mi = np.flatnonzero(moved)
                new_issue = ref - rng.integers(10, 3 * 365, len(mi)).astype("timedelta64[D]")
                kk_now[mi] = nikmod.compose(desa_now[mi] // 10**4, new_issue, np.zeros(len(mi), bool),
                                            kk_migrants.take(desa_now[mi] // 10**4, new_issue))
            region_now = np.where(moved, dest, region.code)
            # DTKS listing: eligible minus exclusion error, plus inclusion error (near-poor more likely)
            eligible = fams["rank"].to_numpy() < rates.dtks_eligible_share
            listed = eligible & (rng.random(nf) >= rates.exclusion_error)
            n_incl = int(round(rates.inclusion_error / max(1 - rates.inclusion_error, 1e-9) * listed.sum()))
            pool = np.flatnonzero(~eligible)
            if n_incl and len(pool):
                w = np.exp(-4 * fams["rank"].to_numpy()[pool])
                listed[rng.choice(pool, min(n_incl, len(pool)), replace=False, p=w / w.sum())] = True
            head_only = listed & (fams["size"].to_numpy() > 1) & (rng.random(nf) < rates.dtks_head_only)
            in_reg = rng.random(nf) >= rates.regsosek_family_missing
            fams = fams.assign(eligible=eligible, dtks=listed, head_only=head_only, moved=moved, in_regsosek=in_reg)
            family_id = rint * 10**10 + seq_f + np.arange(nf)
            person_seq = seq_p + np.arange(npp) + 1
            person_id = rint * 10**10 + person_seq
            seq_f += nf
            seq_p += npp
            # text forms
            nik_text = nikmod.to_text(pv_nik)
            upper = _upper(canon)
            title = canon
            desa_old_text = fams["kode_desa"].to_numpy().astype(str).astype(object)
            desa_now_text = desa_now.astype(str).astype(object)
            is_kel_old = (fams["kode_desa"].to_numpy() % 10**4) < 2000
            addr_old = _address(rng, nf, is_kel_old)
            addr_now = np.where(moved, _address(rng, nf, (desa_now % 10**4) < 2000), addr_old)
            # mothers: the head or spouse who is female; others get a generated mother's name
            female = people["female"].to_numpy()
            role = people["role"].to_numpy()
            mom_idx = np.full(nf, -1)
            mm = np.flatnonzero(female & ((role == 1) | (role == 2)))
            mom_idx[fam[mm]] = mm
            other_moms = names.given_names(rng, fams["culture"].to_numpy()[fam], np.ones(npp, bool),
                                           birth_year - 25, rng.integers(0, 4, npp),
                                           names.family_names(rng, fams["culture"].to_numpy()[fam]),
                                           fams["religion"].to_numpy()[fam])
            mother = _upper(other_moms)
            kids = (role == 3) & (mom_idx[fam] >= 0)
            mother[kids] = upper[mom_idx[fam[kids]]]
            first_kec = people["first_kec"].to_numpy()
            at = np.searchsorted(all_kec, first_kec).clip(0, len(all_kec) - 1)
            birthplace = np.where(all_kec[at] == first_kec, kec_upper[at], "").astype(object)
            officers = np.array([s.upper() for s in names.given_names(
                np.random.default_rng([seed, rint, 55]), np.full(40, fams["culture"].iloc[0]), np.arange(40) % 2 == 0,
                np.full(40, 1990), np.zeros(40, int), np.full(40, "", dtype=object), np.zeros(40, int))], dtype=object)
            ctx = Ctx(region.digits, period, people, fams, fam_vars, pvars, person_id, person_seq, family_id,
                      nik_text, canon, upper, title, nikmod.to_text(kk_now), nikmod.to_text(kk_old),
                      desa_now_text, desa_old_text, addr_now, addr_old,
                      np.char.zfill(rng.integers(1, 15, nf).astype(str), 3).astype(object),
                      np.char.zfill(rng.integers(1, 8, nf).astype(str), 3).astype(object),
                      birthplace, mother, dl.job_text(people, pvars),
                      np.char.add(f"RS{region.digits}{chunk:02d}",
                                  np.char.zfill(np.arange(1, nf + 1).astype(str), 7)).astype(object),
                      officers, CENTROIDS.get(region.province_code, (-2.0, 118.0)), rng.random((3, nf)))
            # --- deliveries ---
            frame, trows, tdef, _ = dl.build_dtks(rng, ctx, rates, dtks_file, dtks.rows)
            dtks.append(frame)  # a cp1252 appender encodes the bytes ('?' for what 1252 lacks)
            submitted.append({"region": region.digits, "nik": frame["NIK"]})
            truth.append("rows", trows)
            truth.append("defects", tdef)
            kel, ind, trows, tdef = dl.build_regsosek(rng, ctx, rates, (kfile, ifile), (kel_w.rows, ind_w.rows))
            kel_w.append(kel)
            ind_w.append(ind)
            truth.append("rows", trows)
            truth.append("defects", tdef)
            # Dukcapil: own file for stayers; movers go to their new region's file when it is simulated
            for code in [region.code, *sorted(set(dest[moved]) & selected)]:
                pidx = np.flatnonzero(region_now[fam] == code)
                if not len(pidx):
                    continue
                w = dkb[code]
                fr = dl.build_dukcapil(ctx, pidx, ts)
                rows = w.rows + np.arange(1, len(pidx) + 1)
                w.append(fr)
                truth.append("rows", dl._truth_rows("dukcapil", "persons", w.path.name, rows, person_id[pidx],
                                                    family_id[fam[pidx]]))
            kab, trows, tdef = dl.build_kabkota(rng, ctx, rates, xfile,
                                                {k: len(v) for k, v in kab_rows.items()}, ref)
            for k, v in kab.items():
                kab_rows[k].extend(v)
            truth.append("rows", trows)
            truth.append("defects", tdef)
            # --- ground truth of people and families ---
            dob = people["dob"].to_numpy().astype("datetime64[D]")
            truth.append("persons", {
                "person_id": person_id, "family_id": family_id[fam], "region_code": region_now[fam],
                "origin_region_code": region.code, "kode_desa": desa_now_text[fam], "nik": nik_text,
                "no_kk": ctx.kk_now_text[fam], "nama": canon, "tgl_lahir": dob, "female": female,
                "hubungan": role.astype(str), "alive": ~people["dead"].to_numpy(),
                "tgl_mati": people["death"].to_numpy().astype("datetime64[D]"),
                "pce": fams["pce"].to_numpy()[fam], "poor": fams["poor"].to_numpy()[fam],
                "welfare_rank": fams["rank"].to_numpy()[fam], "eligible": eligible[fam],
                "in_dtks": listed[fam], "moved": moved[fam]})
            status = np.where(listed & eligible, "listed", np.where(listed, "inclusion_error",
                              np.where(eligible, "exclusion_error", "not_listed")))
            truth.append("families", {
                "family_id": family_id, "region_code": region_now, "origin_region_code": region.code,
                "kode_desa": desa_now_text, "no_kk": ctx.kk_now_text, "no_kk_old": ctx.kk_listed_text,
                "size": fams["size"].to_numpy().astype(np.int32), "pce": fams["pce"].to_numpy(),
                "poverty_line": fams["line"].to_numpy(), "poor": fams["poor"].to_numpy(),
                "welfare_rank": fams["rank"].to_numpy(), "eligible": eligible, "dtks_status": status,
                "in_regsosek": in_reg, "moved": moved, "head_only": head_only})
            region_persons += npp
            totals["persons"] += npp
            totals["families"] += nf
            # drop this chunk's arrays now: otherwise they stay alive while the next chunk (or region)
            # is built, and peak memory holds two chunks instead of one
            del ctx, people, fams, fam_vars, pvars, frame, kel, ind, kab, trows, tdef, canon, upper, mother
            del other_moms, birthplace, nik_text, pv_nik, addr_old, addr_now, fam, dob, female, role
        kel_w.close()
        ind_w.close()
        e = c.KABKOTA
        write_xlsx(inbox / "kabkota" / xfile, [(ent.sheet, ent.column_names, kab_rows[ent.name]) for ent in e.entities])
        rows_per["dtks"] += dtks.rows
        rows_per["regsosek_keluarga"] += kel_w.rows
        rows_per["regsosek_individu"] += ind_w.rows
        for k in ("usulan", "sanggahan", "ground_check"):
            rows_per[f"kabkota_{k}"] += len(kab_rows[k])
        files += [str(dtks.path), str(kel_w.path), str(ind_w.path), str(inbox / "kabkota" / xfile)]
        progress(f"simulate: {region.code} {region.name}: {region_persons:,} persons, "
                 f"{time.perf_counter() - tr:.1f} s (DTKS {dtks.rows:,} rows, {enc})")
    files += [str(w.path) for w in dkb.values()]
    rows_per["dukcapil"] = sum(w.rows for w in dkb.values())
    submitted.close()
    truth.close_one("persons")  # the national population the verification answers from
    padan_files, rows_per["dukcapil_nik_verifications"] = write_verifications(
        Path(spool_dir.name) / "submitted.parquet", truth_dir / "persons.parquet", inbox / "dukcapil", period,
        truth)
    spool_dir.cleanup()
    files += padan_files
    truth_rows = truth.close()
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = {
        "seed": seed, "period": period, "regions": [r.code for r in regions], "persons": totals["persons"],
        "families": totals["families"], "rows": rows_per, "files": sorted(files),
        "ground_truth": {name: str(truth_dir / f"{name}.parquet") for name in truth_rows},
        "ground_truth_rows": truth_rows, "dtks_cp1252_regions": sorted(cp1252),
        "defect_rates": {k: getattr(rates, k) for k in rates.names()},
        "seconds": round(seconds, 2), "persons_per_minute": round(totals["persons"] / seconds * 60),
        "peak_rss_mb": round(peak_mb, 1), "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    progress(f"simulate: {summary['persons']:,} persons, {summary['families']:,} families, {len(files)} files, "
             f"rows {rows_per}, {summary['persons_per_minute']:,} persons/minute, peak RSS {peak_mb:.0f} MB")
    return summary


__all__ = ["simulate", "split_persons"]

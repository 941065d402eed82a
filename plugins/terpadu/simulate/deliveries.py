"""Turn one chunk's true population into delivery rows (with planted defects) and truth rows.

Each builder returns (columns in contract order, truth rows, defect rows) as column dicts (see
writers.py for why not pandas frames); row numbers are 1-based data rows after the header, counted
per file across chunks (`offset`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from terpadu.simulate import defects as dmod
from terpadu.simulate.writers import concat_columns, date_text
from terpadu.sources import contracts as c

HUB_TEXT = np.array(["", "KEPALA KELUARGA", "ISTRI", "ANAK", "MENANTU", "CUCU", "ORANG TUA", "MERTUA",
                     "FAMILI LAIN", "LAINNYA"], dtype=object)
KAWIN_TEXT = np.array(["", "BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI"], dtype=object)
PDDK_TEXT = np.array(["TIDAK/BELUM SEKOLAH", "TAMAT SD/SEDERAJAT", "SLTP/SEDERAJAT", "SLTA/SEDERAJAT",
                      "AKADEMI/DIPLOMA III/S. MUDA", "DIPLOMA IV/STRATA I"], dtype=object)
RELIGION_TEXT = np.array(["ISLAM", "KRISTEN", "KATHOLIK", "HINDU", "BUDHA", "KONGHUCU"], dtype=object)


def _where(source, entity, file, n) -> dict:
    """The constant columns of n truth/defect rows."""
    return {"source": np.full(n, source, object), "entity": np.full(n, entity, object),
            "file": np.full(n, file, object)}


def _defect_frame(source, entity, file, rows, pids, fids, kind, detail=None) -> dict:
    n = len(rows)
    return {**_where(source, entity, file, n), "row_number": np.asarray(rows, np.int64),
            "person_id": np.asarray(pids, np.int64),
            "family_id": np.asarray(fids, np.int64), "defect": np.full(n, kind, object),
            "detail": np.asarray(detail, object) if detail is not None else np.full(n, None, object)}


def _truth_rows(source, entity, file, rows, pids, fids) -> dict:
    n = len(rows)
    pids = np.asarray(pids)
    return {**_where(source, entity, file, n), "row_number": np.asarray(rows, np.int64),
            "person_id": pids.astype(np.int64) if pids.dtype != object else pids,  # object: None → null
            "family_id": np.asarray(fids, np.int64)}


_CODES = np.array([str(i) for i in range(100)], dtype=object)


def _code_text(codes: np.ndarray) -> np.ndarray:
    """Small int codes → their text ('0'..'99') by lookup: astype(str) is ~20× slower."""
    return _CODES[codes] if len(codes) and 0 <= codes.min() and codes.max() < len(_CODES) else \
        codes.astype(str).astype(object)


def job_text(people: pd.DataFrame, pv: dict) -> np.ndarray:
    age = people["age"].to_numpy()
    lap, stat = pv["LAPANGAN_USAHA"], pv["STATUS_PEKERJAAN"]
    female = people["female"].to_numpy()
    return np.select(
        [pv["MASIH_SEKOLAH"] == 1, age < 15, (lap == 0) & female & (age < 60), lap == 0, age >= 60,
         lap == 1, (stat == 4) & (lap == 4), stat == 4, lap == 3],
        ["PELAJAR/MAHASISWA", "BELUM/TIDAK BEKERJA", "MENGURUS RUMAH TANGGA", "BELUM/TIDAK BEKERJA", "PENSIUNAN",
         "PETANI/PEKEBUN", "PEGAWAI NEGERI SIPIL (PNS)", "KARYAWAN SWASTA", "PEDAGANG"], "WIRASWASTA").astype(object)


def build_dtks(rng, ctx, rates: dmod.DefectRates, file: str, offset: int):
    """DTKS rows for listed families, with receipt flags and row-level defects."""
    P, F = ctx.people, ctx.fams
    fam = P["fam"].to_numpy()
    listed_f = F["dtks"].to_numpy()
    head_only_f = F["head_only"].to_numpy()
    dead = P["dead"].to_numpy()
    role = P["role"].to_numpy()
    on = listed_f[fam] & (~head_only_f[fam] | (role == 1))
    keep_dead = rng.random(len(P)) < rates.dead_still_listed
    on &= ~dead | keep_dead
    idx = np.flatnonzero(on)
    n = len(idx)
    fi = fam[idx]
    rank = F["rank"].to_numpy()[fi]
    has_kids = np.bincount(fam, weights=(P["age"].to_numpy() < 18) | (P["age"].to_numpy() >= 70),
                           minlength=len(F))[fi] > 0
    u_f = ctx.fam_uniform  # per-family uniforms so family members share receipt status
    pkh = (u_f[0][fi] < np.where(rank < 0.25, 0.75, np.where(rank < 0.40, 0.35, 0.12))) & has_kids
    bpnt = u_f[1][fi] < np.where(rank < 0.35, 0.8, 0.25)
    pbi = u_f[2][fi] < np.where(rank < 0.40, 0.88, 0.45)
    dead_i = dead[idx]
    paid = rng.random(n) < rates.dead_still_paid
    stop = dead_i & ~paid
    yn = lambda a: np.where(a & ~stop, "Y", "N").astype(object)  # noqa: E731
    nik = ctx.nik_text[idx].copy()
    kk = ctx.kk_listed_text[fi].copy()
    names = ctx.names_upper[idx].copy()
    dob = P["dob"].to_numpy()[idx].astype("datetime64[D]")
    dob_txt = date_text(dob, "%d-%m-%Y")
    pids = ctx.person_id[idx]
    fids = ctx.family_id[fi]
    rows = offset + np.arange(1, n + 1)
    dfs = [_defect_frame("dtks", "persons", file, rows[dead_i], pids[dead_i], fids[dead_i], "dead_listed")]
    paid_rows = dead_i & paid & (pkh | bpnt | pbi)
    dfs.append(_defect_frame("dtks", "persons", file, rows[paid_rows], pids[paid_rows], fids[paid_rows], "dead_paid"))
    moved = F["moved"].to_numpy()[fi]
    dfs.append(_defect_frame("dtks", "persons", file, rows[moved], pids[moved], fids[moved], "moved_region",
                             np.full(int(moved.sum()), None, object)))
    # NIK defects (mutually exclusive)
    free = np.arange(n)
    taken = np.zeros(n, bool)

    def plant(rate, kind, fn, detail_fn=None):
        cand = np.flatnonzero(~taken)
        sel = dmod.pick(rng, cand, rate, n)
        taken[sel] = True
        details = []
        for i in sel:
            new = fn(i)
            details.append(detail_fn(i) if detail_fn else nik[i])
            nik[i] = new
        dfs.append(_defect_frame("dtks", "persons", file, rows[sel], pids[sel], fids[sel], kind,
                                 np.array(details, dtype=object) if len(sel) else None))

    shared_src = rng.integers(0, len(ctx.nik_text), n)

    def _other(i):  # the drawn person, or the one before when the draw is the row's own person
        return shared_src[i] if ctx.nik_text[shared_src[i]] != nik[i] else shared_src[i] - 1

    plant(rates.dtks_nik_missing, "nik_missing", lambda i: "")
    plant(rates.dtks_nik_invalid_region, "nik_invalid_region", lambda i: dmod.nik_invalid_region(rng, nik[i]))
    plant(rates.dtks_nik_invalid_date, "nik_invalid_date", lambda i: dmod.nik_invalid_date(rng, nik[i]))
    plant(rates.dtks_nik_shared, "nik_shared",
          lambda i: ctx.nik_text[_other(i)], lambda i: str(ctx.person_id[_other(i)]))
    plant(rates.dtks_nik_excel_sci, "nik_excel_sci", lambda i: dmod.nik_excel_sci(nik[i]))
    plant(rates.dtks_nik_excel_15, "nik_excel_15", lambda i: dmod.nik_excel_15(nik[i]))
    plant(rates.dtks_nik_excel_float, "nik_excel_float", lambda i: dmod.nik_excel_float(nik[i]))
    plant(rates.dtks_nik_unregistered, "nik_unregistered", lambda i: dmod.nik_unregistered(rng, nik[i]))
    del free
    # KK damage
    sel = dmod.pick(rng, np.arange(n), rates.dtks_kk_invalid, n)
    for i in sel:
        k = int(rng.integers(0, 3))
        kk[i] = "" if k == 0 else kk[i][:15] if k == 1 else "0" * 16
    dfs.append(_defect_frame("dtks", "persons", file, rows[sel], pids[sel], fids[sel], "kk_invalid"))
    # names
    female = P["female"].to_numpy()[idx]
    muslim = F["religion"].to_numpy()[fi] == 0
    sel_t = dmod.pick(rng, np.arange(n), rates.dtks_name_typo, n)
    for i in sel_t:
        names[i] = dmod.name_typo(rng, names[i]).upper()
    dfs.append(_defect_frame("dtks", "persons", file, rows[sel_t], pids[sel_t], fids[sel_t], "name_typo"))
    cand = np.setdiff1d(np.arange(n), sel_t)
    sel_v = dmod.pick(rng, cand, rates.dtks_name_variant, n)
    for i in sel_v:
        names[i] = dmod.name_variant(rng, ctx.names[idx[i]], bool(female[i]), bool(muslim[i])).upper()
    dfs.append(_defect_frame("dtks", "persons", file, rows[sel_v], pids[sel_v], fids[sel_v], "name_variant"))
    # day/month swapped
    day, month = dob_txt.astype(str), None
    dd = np.array([int(s[:2]) for s in dob_txt]) if n else np.empty(0, int)
    mm = np.array([int(s[3:5]) for s in dob_txt]) if n else np.empty(0, int)
    sel = dmod.pick(rng, np.flatnonzero((dd <= 12) & (dd != mm)), rates.dtks_dob_swapped, n)
    for i in sel:
        dob_txt[i] = f"{dob_txt[i][3:5]}-{dob_txt[i][0:2]}-{dob_txt[i][6:]}"
    dfs.append(_defect_frame("dtks", "persons", file, rows[sel], pids[sel], fids[sel], "dob_swapped"))
    del day, month
    frame = {
        "IDDTKS": np.char.add(f"{ctx.digits}", np.char.zfill((ctx.person_seq[idx]).astype(str), 9)).astype(object),
        "NIK": nik, "NOKK": kk, "NAMA": names, "TGL_LAHIR": dob_txt,
        "JENIS_KELAMIN": np.where(female, "2", "1").astype(object),
        "HUB_KELUARGA": _code_text(role[idx]),
        "ALAMAT": ctx.address_old[fi], "KODE_DESA": ctx.desa_old_text[fi],
        "PKH": yn(pkh), "BPNT": yn(bpnt), "PBI": yn(pbi), "PERIODE": np.full(n, ctx.period, object),
    }
    # duplicate rows: appended copies (the copy gets its own row number)
    sel = dmod.pick(rng, np.arange(n), rates.dtks_duplicate_row, n)
    frame = {k: np.concatenate([v, v[sel]]) for k, v in frame.items()}
    all_rows = offset + np.arange(1, n + len(sel) + 1)
    all_pids = np.r_[pids, pids[sel]]
    all_fids = np.r_[fids, fids[sel]]
    dfs.append(_defect_frame("dtks", "persons", file, all_rows[n:], pids[sel], fids[sel], "duplicate_row",
                             rows[sel].astype(str).astype(object) if len(sel) else None))
    truth = _truth_rows("dtks", "persons", file, all_rows, all_pids, all_fids)
    return frame, truth, concat_columns(dfs), n


def build_regsosek(rng, ctx, rates: dmod.DefectRates, files: tuple[str, str], offsets: tuple[int, int]):
    """Regsosek keluarga + individu frames (typed for Parquet) for enumerated families."""
    P, F = ctx.people, ctx.fams
    enum_f = F["in_regsosek"].to_numpy()
    fidx = np.flatnonzero(enum_f)
    fam = P["fam"].to_numpy()
    # people alive at enumeration (15 Oct 2022) and born before it
    regdate = np.datetime64("2022-10-15")
    death = P["death"].to_numpy().astype("datetime64[D]")
    dob = P["dob"].to_numpy().astype("datetime64[D]")
    alive_then = (np.isnat(death) | (death > regdate)) & (dob < regdate)
    pidx = np.flatnonzero(enum_f[fam] & alive_then)
    kel = {"ID_KELUARGA": ctx.regsosek_id[fidx], "NO_KK": ctx.kk_listed_text[fidx],
           "KODE_DESA": ctx.desa_old_text[fidx]}
    for col in c.REGSOSEK_FAMILY_VARIABLES:
        v = ctx.fam_vars[col.name][fidx]
        kel[col.name] = (_code_text(v) if col.kind == c.Kind.ENUM
                         else v.astype(np.int8 if col.kind == c.Kind.FLAG else np.int32))
    kel["PERIODE"] = ctx.period
    n = len(pidx)
    nik = ctx.nik_text[pidx].copy()
    names = ctx.names_title[pidx].copy()
    dob_i = dob[pidx].copy()
    rows = offsets[1] + np.arange(1, n + 1)
    pids, fids = ctx.person_id[pidx], ctx.family_id[fam[pidx]]
    dfs = []
    sel = dmod.pick(rng, np.arange(n), rates.regsosek_nik_missing, n)
    nik[sel] = None
    dfs.append(_defect_frame("regsosek", "individu", files[1], rows[sel], pids[sel], fids[sel], "nik_missing"))
    sel = dmod.pick(rng, np.arange(n), rates.regsosek_name_typo, n)
    for i in sel:
        names[i] = dmod.name_typo(rng, names[i])
    dfs.append(_defect_frame("regsosek", "individu", files[1], rows[sel], pids[sel], fids[sel], "name_typo"))
    y = dob_i.astype("datetime64[Y]").astype(int) + 1970
    m = dob_i.astype("datetime64[M]").astype(int) % 12 + 1
    d = (dob_i - dob_i.astype("datetime64[M]")).astype(int) + 1
    sel = dmod.pick(rng, np.flatnonzero((d <= 12) & (d != m)), rates.regsosek_dob_swapped, n)
    for i in sel:
        dob_i[i] = np.datetime64(f"{y[i]:04d}-{d[i]:02d}-{m[i]:02d}")
    dfs.append(_defect_frame("regsosek", "individu", files[1], rows[sel], pids[sel], fids[sel], "dob_swapped"))
    ind = {"ID_KELUARGA": ctx.regsosek_id[fam[pidx]], "NIK": nik, "NAMA": names,
           "TGL_LAHIR": dob_i, "JENIS_KELAMIN": np.where(P["female"].to_numpy()[pidx], "2", "1").astype(object),
           "HUBUNGAN": _code_text(P["role"].to_numpy()[pidx])}
    for col in c.REGSOSEK_PERSON_VARIABLES:
        v = ctx.person_vars[col.name][pidx]
        ind[col.name] = _code_text(v) if col.kind == c.Kind.ENUM else v.astype(np.int8)
    ind["PERIODE"] = ctx.period
    krows = offsets[0] + np.arange(1, len(fidx) + 1)
    truth = concat_columns([
        _truth_rows("regsosek", "keluarga", files[0], krows, np.full(len(fidx), None), ctx.family_id[fidx]),
        _truth_rows("regsosek", "individu", files[1], rows, pids.astype(object), fids)])
    return kel, ind, truth, concat_columns(dfs)


def build_dukcapil(ctx, pidx: np.ndarray, ts: str) -> dict:
    """DKB rows for people `pidx` at their *current* address (Dukcapil itself is the clean reference)."""
    P, F = ctx.people, ctx.fams
    fam = P["fam"].to_numpy()[pidx]
    desa = pa.array(ctx.desa_now_text[fam], pa.string())
    dead = P["dead"].to_numpy()[pidx]

    def part(start, stop):  # the 10-digit desa code cut into NO_PROP/NO_KAB/NO_KEC/NO_KEL
        return pc.utf8_slice_codeunits(desa, start, stop)

    return {
        "NIK": ctx.nik_text[pidx], "NO_KK": ctx.kk_now_text[fam], "NAMA_LGKP": ctx.names_upper[pidx],
        "TMPT_LHR": ctx.birthplace[pidx], "TGL_LHR": date_text(P["dob"].to_numpy()[pidx], "%Y-%m-%d"),
        "JENIS_KLMIN": np.where(P["female"].to_numpy()[pidx], "PEREMPUAN", "LAKI-LAKI").astype(object),
        "AGAMA": RELIGION_TEXT[F["religion"].to_numpy()[fam]],
        "STATUS_KAWIN": KAWIN_TEXT[ctx.person_vars["STATUS_KAWIN"][pidx]],
        "STAT_HBKEL": np.where((P["role"].to_numpy()[pidx] == 2) & ~P["female"].to_numpy()[pidx], "SUAMI",
                               HUB_TEXT[P["role"].to_numpy()[pidx]]).astype(object),
        "PDDK_AKH": PDDK_TEXT[ctx.person_vars["PENDIDIKAN"][pidx]],
        "JENIS_PKRJN": ctx.job[pidx], "NAMA_LGKP_IBU": ctx.mother_name[pidx],
        "NO_PROP": part(0, 2), "NO_KAB": part(2, 4), "NO_KEC": part(4, 6), "NO_KEL": part(6, 10),
        "ALAMAT": ctx.address_now[fam],
        "NO_RT": ctx.rt[fam], "NO_RW": ctx.rw[fam],
        "STATUS_HIDUP": np.where(dead, "MATI", "HIDUP").astype(object),
        "TGL_MATI": date_text(P["death"].to_numpy()[pidx], "%Y-%m-%d"), "TGL_UPDATE": ts,
    }


USULAN_ALASAN = ("Keluarga miskin belum terdaftar", "Lansia tinggal sendiri", "Kepala keluarga kehilangan pekerjaan",
                 "Penyandang disabilitas", "Rumah tidak layak huni", "Anak yatim piatu")
SANGGAH_RIGHT = {"dead": "Sudah meninggal dunia", "moved": "Sudah pindah domisili",
                 "rich": ("Mampu: memiliki mobil", "Rumah permanen dan punya usaha", "Pegawai tetap/PNS")}
PENGUSUL = ("SENDIRI", "KELUARGA", "ORANG LAIN", "OPERATOR DESA")


def _kab_nik(rng, rates, nik_text, n, file, entity, rows, pids, fids, dfs, allow_missing):
    nik = nik_text.copy()
    u = rng.random(n)
    for i in np.flatnonzero(u < rates.kabkota_nik_excel):
        kind = ("nik_excel_sci", "nik_excel_15", "nik_excel_float")[int(rng.integers(0, 3))]
        nik[i] = getattr(dmod, kind)(nik[i])
        dfs.append(_defect_frame("kabkota", entity, file, rows[i:i + 1], pids[i:i + 1], fids[i:i + 1], kind))
    if allow_missing:
        blank = (u >= rates.kabkota_nik_excel) & (u < rates.kabkota_nik_excel + rates.kabkota_nik_missing)
        for i in np.flatnonzero(blank):
            nik[i] = ""
            dfs.append(_defect_frame("kabkota", entity, file, rows[i:i + 1], pids[i:i + 1], fids[i:i + 1],
                                     "nik_missing"))
    return nik


def build_kabkota(rng, ctx, rates: dmod.DefectRates, file: str, offsets: dict[str, int], ref: np.datetime64):
    """USULAN, SANGGAHAN and GROUND_CHECK rows for one chunk (tuples of text cells) + truth + defects."""
    P, F = ctx.people, ctx.fams
    fam = P["fam"].to_numpy()
    role = P["role"].to_numpy()
    dead = P["dead"].to_numpy()
    eligible, listed, moved = F["eligible"].to_numpy(), F["dtks"].to_numpy(), F["moved"].to_numpy()
    heads = np.flatnonzero(role == 1)
    dfs, truths, out = [], [], {}
    # --- usulan: heads of excluded eligible families (right), already listed, or not eligible ---
    n_us = int(round(rates.usulan_rate * len(F)))
    kinds = rng.choice(3, size=n_us, p=[1 - rates.usulan_already_listed - rates.usulan_not_eligible,
                                         rates.usulan_already_listed, rates.usulan_not_eligible])
    pools = [heads[eligible[fam[heads]] & ~listed[fam[heads]] & ~moved[fam[heads]]],
             np.flatnonzero(listed[fam] & ~dead),
             heads[~eligible[fam[heads]] & ~listed[fam[heads]] & ~moved[fam[heads]]]]
    chosen, labels = [], []
    for k, label in enumerate(("usulan_right", "usulan_already_listed", "usulan_not_eligible")):
        m = int((kinds == k).sum())
        if m and len(pools[k]):
            chosen.append(rng.choice(pools[k], size=min(m, len(pools[k])), replace=False))
            labels += [label] * len(chosen[-1])
    pidx = np.concatenate(chosen) if chosen else np.empty(0, np.int64)
    n = len(pidx)
    rows = offsets["usulan"] + np.arange(1, n + 1)
    pids, fids = ctx.person_id[pidx], ctx.family_id[fam[pidx]]
    for lab in dict.fromkeys(labels):  # not set(): str hashing is salted per process, the order must not be
        m = np.array(labels) == lab
        dfs.append(_defect_frame("kabkota", "usulan", file, rows[m], pids[m], fids[m], lab))
    # an already-listed person whose family moved is proposed at the new address, in another kab/kota:
    # ingest quarantines the row (desa_outside_region), so the answer key must name it
    away = moved[fam[pidx]]
    dfs.append(_defect_frame("kabkota", "usulan", file, rows[away], pids[away], fids[away], "moved_region",
                             ctx.desa_now_text[fam[pidx[away]]]))
    nik = _kab_nik(rng, rates, ctx.nik_text[pidx], n, file, "usulan", rows, pids, fids, dfs, True)
    dates = date_text(ref - rng.integers(1, 75, n).astype("timedelta64[D]"), "%d-%m-%Y")
    out["usulan"] = list(zip(
        [f"USL-{ctx.digits}-{ctx.period}-{r:05d}" for r in rows], nik, ctx.names_title[pidx],
        ctx.address_now[fam[pidx]], ctx.desa_now_text[fam[pidx]],
        np.array(USULAN_ALASAN, dtype=object)[rng.integers(0, len(USULAN_ALASAN), n)], dates,
        np.array(PENGUSUL, dtype=object)[rng.choice(4, n, p=[0.3, 0.25, 0.15, 0.3])], strict=True))
    truths.append(_truth_rows("kabkota", "usulan", file, rows, pids, fids))
    # --- sanggahan against DTKS-listed people -----------------------------------------------------
    n_listed = int(listed.sum())
    n_sg = int(round(rates.sanggahan_rate * n_listed))
    on_dtks = listed[fam]
    wrong_pool = np.flatnonzero(on_dtks & eligible[fam] & ~dead & ~moved[fam])
    right_pool = np.flatnonzero(on_dtks & (dead | moved[fam] | ~eligible[fam]))
    right = rng.random(n_sg) < rates.sanggahan_right
    n_r = min(int(right.sum()), len(right_pool))
    n_w = min(n_sg - int(right.sum()), len(wrong_pool))
    pidx = np.r_[rng.choice(right_pool, n_r, replace=False) if n_r else np.empty(0, np.int64),
                 rng.choice(wrong_pool, n_w, replace=False) if n_w else np.empty(0, np.int64)].astype(np.int64)
    is_right = np.r_[np.ones(n_r, bool), np.zeros(n_w, bool)]
    n = len(pidx)
    rows = offsets["sanggahan"] + np.arange(1, n + 1)
    pids, fids = ctx.person_id[pidx], ctx.family_id[fam[pidx]]
    for mask, kind in ((is_right, "sanggahan_right"), (~is_right, "sanggahan_wrong")):
        dfs.append(_defect_frame("kabkota", "sanggahan", file, rows[mask], pids[mask], fids[mask], kind))
    reason = np.where(dead[pidx], SANGGAH_RIGHT["dead"], np.where(moved[fam[pidx]], SANGGAH_RIGHT["moved"],
                      np.array(SANGGAH_RIGHT["rich"], dtype=object)[rng.integers(0, 3, n)])).astype(object)
    wrong_reason = np.array([SANGGAH_RIGHT["dead"], SANGGAH_RIGHT["moved"], *SANGGAH_RIGHT["rich"]], dtype=object)
    reason[~is_right] = wrong_reason[rng.integers(0, 5, int((~is_right).sum()))]
    p_acc = np.where(is_right, 0.65, 0.10)
    p_rej = np.where(is_right, 0.10, 0.65)
    u = rng.random(n)
    status = np.where(u < p_acc, "DITERIMA", np.where(u < p_acc + p_rej, "DITOLAK", "BELUM")).astype(object)
    filed = ref - rng.integers(1, 60, n).astype("timedelta64[D]")
    decided = np.minimum(filed + rng.integers(1, 15, n).astype("timedelta64[D]"), ref)
    lat, lon = ctx.centroid
    out["sanggahan"] = list(zip(
        [f"SGH-{ctx.digits}-{ctx.period}-{r:05d}" for r in rows],
        _kab_nik(rng, rates, ctx.nik_text[pidx], n, file, "sanggahan", rows, pids, fids, dfs, False),
        reason,
        np.where(rng.random(n) < 0.4, "Warga (anonim)", ctx.names_title[rng.integers(0, len(P), n)]).astype(object),
        date_text(filed, "%d-%m-%Y"),
        np.where(rng.random(n) < 0.8, [f"IMG_{ctx.digits}_{r:06d}.jpg" for r in rows], "").astype(object),
        np.where(rng.random(n) < 0.75, np.round(lat + rng.normal(0, 0.05, n), 6).astype(str), "").astype(object),
        np.where(rng.random(n) < 0.75, np.round(lon + rng.normal(0, 0.05, n), 6).astype(str), "").astype(object),
        status, np.where(status == "BELUM", "", date_text(decided, "%d-%m-%Y")).astype(object), strict=True))
    truths.append(_truth_rows("kabkota", "sanggahan", file, rows, pids, fids))
    # --- ground checks of DTKS-listed people -------------------------------------------------------
    n_gc = min(int(round(rates.ground_check_rate * n_listed)), int(on_dtks.sum()))
    pidx = np.sort(rng.choice(np.flatnonzero(on_dtks), n_gc, replace=False)) if n_gc else np.empty(0, np.int64)
    n = len(pidx)
    rows = offsets["ground_check"] + np.arange(1, n + 1)
    pids, fids = ctx.person_id[pidx], ctx.family_id[fam[pidx]]
    truth_res = np.where(dead[pidx], "MENINGGAL", np.where(moved[fam[pidx]], "PINDAH",
                         np.where(eligible[fam[pidx]], "LAYAK", "TIDAK LAYAK"))).astype(object)
    res = truth_res.copy()
    u = rng.random(n)
    nf = u < rates.ground_check_not_found
    err = (u >= rates.ground_check_not_found) & (u < rates.ground_check_not_found + rates.ground_check_error)
    res[nf] = "TIDAK DITEMUKAN"
    flip = {"LAYAK": "TIDAK LAYAK", "TIDAK LAYAK": "LAYAK", "MENINGGAL": "LAYAK", "PINDAH": "LAYAK"}
    res[err] = [flip[x] for x in truth_res[err]]
    dfs.append(_defect_frame("kabkota", "ground_check", file, rows[nf], pids[nf], fids[nf], "ground_check_not_found"))
    dfs.append(_defect_frame("kabkota", "ground_check", file, rows[err], pids[err], fids[err], "ground_check_error",
                             truth_res[err] if err.any() else None))
    out["ground_check"] = list(zip(
        [f"GC-{ctx.digits}-{ctx.period}-{r:05d}" for r in rows],
        _kab_nik(rng, rates, ctx.nik_text[pidx], n, file, "ground_check", rows, pids, fids, dfs, False),
        ctx.kk_listed_text[fam[pidx]], res, ctx.officers[rng.integers(0, len(ctx.officers), n)],
        date_text(ref - rng.integers(1, 45, n).astype("timedelta64[D]"), "%d-%m-%Y"), strict=True))
    truths.append(_truth_rows("kabkota", "ground_check", file, rows, pids, fids))
    return out, concat_columns(truths), concat_columns(dfs)

"""Probabilistic linkage of listed persons (DTKS, Regsosek) to Dukcapil residents with Splink on DuckDB.

Called by the dbt Python model `int_linkage_predictions` (dbt_project/models/intermediate/registry),
so the step runs inside the one `dbt build` of `terpadu.transform.build` and sits in the dbt lineage
between `int_linkage_records` (its input) and `int_person_source_records` (which applies the
thresholds). It runs in its own in-memory DuckDB: nothing Splink creates lands in the warehouse.

Input: one row per record (`int_linkage_records`), with `source_dataset` either `dukcapil` (the
authority) or `listed` (a DTKS or Regsosek record), the comparison columns below, `nik_label` (the
NIK where the deterministic step proved the record's identity, null otherwise) and `to_link` (true for
listed records the deterministic NIK match could not resolve: NIK missing, invalid, Excel-mangled,
not at Dukcapil, or contradicted by name/birth date).

Model (Fellegi-Sunter, Splink):
  name        normalised name: exact, same words in another order or an old spelling (`name_key`:
              SRI HANDAYANI / HANDAYANI SRI, WIDJAJA / WIJAYA), Jaro-Winkler >= 0.92 / 0.88 / 0.70, else
  birth_date  exact, day and month swapped, same year and month, same year, else
  sex         exact, else
  place       same desa, a desa where the other source knew the resident, same kab/kota, else
  family      same family card (KK) number, a KK the other source knew the resident under, else
              (DTKS: its NOKK; Regsosek: the Dukcapil KK of the family members the NIK match
              resolved; Dukcapil: NO_KK; only structurally valid numbers)
  The "other source" levels are a resident's history: the desa and KK of the DTKS records
  (`dtks_desa_codes`, `dtks_kk_numbers`) and Regsosek members (`regsosek_*`) the NIK match proved to
  be them. A family that moved to another pilot kab/kota has its new desa and KK at Dukcapil, while
  its records with a missing or damaged NIK still show the old ones; its Regsosek members, matched by
  NIK, remember the old place. A DTKS record is compared with the Regsosek history and a Regsosek
  member with the DTKS history, so no record meets its own place in training.
  nik         what a damaged NIK still tells: first 15 digits equal (Excel kept 15 significant
              digits, or a `.0` was appended), first 6 digits equal (the kecamatan of first
              registration, all that `3.57101E+15` keeps), else. A NIK the deterministic step found
              to belong to somebody else (identity conflict) is not used.
  The nik levels keep fixed m/u (a damaged NIK is what brings a record here, so pairs the NIK
  proves cannot teach them). The other m probabilities are estimated from the pairs the NIK proves
  (`nik_label`, Splink's estimate_m_from_label_column), u by random sampling; the prior is one match
  per listed record.
Blocking (link only, listed x Dukcapil): same birth date; birth date with day and month swapped;
same kab/kota and first three letters of the name; same first 15 NIK digits; same KK number.

Output: one row per candidate pair of a record `to_link` with match_probability >= `floor`, with
its rank among the record's candidates. A record whose NIK Dukcapil gives to somebody with another
name or birth date (identity conflict) is scored without its NIK: the holder can only come out on top
when name, birth date, sex, place and family say it is the same person (a name written differently, a
swapped birth date); a NIK used by a different person is never itself a reason to merge.
"""

from __future__ import annotations

import logging
import os

import duckdb
import pyarrow as pa

HISTORY_COLUMNS = ("dtks_desa_codes", "dtks_kk_numbers", "regsosek_desa_codes", "regsosek_kk_numbers")
COMPARISON_COLUMNS = ("source", "name_normalized", "name_prefix", "name_key", "birth_date", "birth_date_swapped",
                      "sex", "desa_code", "region_code", "kk_number", "nik_15", "nik_6",
                      *HISTORY_COLUMNS)
INPUT_COLUMNS = ("unique_id", "source_dataset", *COMPARISON_COLUMNS, "nik_label", "conflict_nik", "to_link")
OUTPUT_SCHEMA = pa.schema([
    ("record_id", pa.string()), ("dukcapil_nik", pa.string()), ("match_probability", pa.float64()),
    ("match_weight", pa.float64()), ("candidate_rank", pa.int64()), ("candidates", pa.int64()),
    ("weight_name", pa.float64()), ("weight_birth_date", pa.float64()), ("weight_sex", pa.float64()),
    ("weight_place", pa.float64()), ("weight_family", pa.float64()), ("weight_nik", pa.float64()),
])


def _level(sql: str, label: str, null: bool = False, m: float | None = None, u: float | None = None,
           fixed: bool = False) -> dict:
    level = {"sql_condition": sql, "label_for_charts": label}
    if fixed:
        level["fix_m_probability"] = True
        level["fix_u_probability"] = True
    if null:
        level["is_null_level"] = True
    if m is not None:
        level["m_probability"] = m
    if u is not None:
        level["u_probability"] = u
    return level


def _known_by_other_source(value_l: str, history_r: str) -> str:
    """The listed record's value (left) is in the resident's (right) history from the other source."""
    return (f"(source_l = 'dtks' and list_contains(regsosek_{history_r}, {value_l})) "
            f"or (source_l = 'regsosek' and list_contains(dtks_{history_r}, {value_l}))")


def comparisons() -> list:
    """The comparisons (defaults for m/u where training finds no example: tiny regions)."""
    def jaro_winkler(threshold: float) -> str:
        return f"jaro_winkler_similarity(name_normalized_l, name_normalized_r) >= {threshold}"

    name = {
        "output_column_name": "name_normalized",
        "comparison_levels": [
            _level("name_normalized_l is null or name_normalized_r is null", "null", null=True),
            _level("name_normalized_l = name_normalized_r", "exact", m=0.85, u=0.0005),
            _level("name_key_l = name_key_r", "same words, order or old spelling", m=0.03, u=0.00005),
            _level(jaro_winkler(0.92), "Jaro-Winkler >= 0.92", m=0.06, u=0.001),
            _level(jaro_winkler(0.88), "Jaro-Winkler >= 0.88", m=0.02, u=0.002),
            _level(jaro_winkler(0.7), "Jaro-Winkler >= 0.70", m=0.02, u=0.05),
            _level("else", "else", m=0.02, u=0.9465),
        ],
    }
    birth = {
        "output_column_name": "birth_date",
        "comparison_levels": [
            _level("birth_date_l is null or birth_date_r is null", "null", null=True),
            _level("birth_date_l = birth_date_r", "exact", m=0.97, u=0.0001),
            _level("birth_date_swapped_l = birth_date_r", "day/month swapped", m=0.01, u=0.0001),
            _level("year(birth_date_l) = year(birth_date_r) and month(birth_date_l) = month(birth_date_r)",
                   "same year and month", m=0.01, u=0.001),
            _level("year(birth_date_l) = year(birth_date_r)", "same year", m=0.005, u=0.015),
            _level("else", "else", m=0.005, u=0.9839),
        ],
    }
    sex = {
        "output_column_name": "sex",
        "comparison_levels": [
            _level("sex_l is null or sex_r is null", "null", null=True),
            _level("sex_l = sex_r", "exact", m=0.99, u=0.5),
            _level("else", "else", m=0.01, u=0.5),
        ],
    }
    place = {
        "output_column_name": "place",
        "comparison_levels": [
            _level("region_code_l is null or region_code_r is null", "null", null=True),
            _level("desa_code_l = desa_code_r", "same desa", m=0.85, u=0.001),
            _level(_known_by_other_source("desa_code_l", "desa_codes_r"),
                   "where the other source knew the resident", m=0.01, u=0.000005),
            _level("region_code_l = region_code_r", "same kab/kota", m=0.1, u=0.05),
            _level("else", "else", m=0.05, u=0.949),
        ],
    }
    family = {
        "output_column_name": "family",
        "comparison_levels": [
            _level("kk_number_l is null or kk_number_r is null", "null", null=True),
            _level("kk_number_l = kk_number_r", "same KK", m=0.8, u=0.00005),
            _level(_known_by_other_source("kk_number_l", "kk_numbers_r"),
                   "a KK the other source knew the resident under", m=0.01, u=0.000001),
            _level("else", "else", m=0.2, u=0.99995),
        ],
    }
    nik = {
        "output_column_name": "nik",
        "comparison_levels": [
            _level("nik_6_l is null or nik_6_r is null", "null", null=True),
            _level("nik_15_l = nik_15_r", "first 15 digits", m=0.5, u=0.000001, fixed=True),
            _level("nik_6_l = nik_6_r", "kecamatan of first registration", m=0.3, u=0.02, fixed=True),
            _level("else", "else", m=0.2, u=0.979999, fixed=True),
        ],
    }
    return [name, birth, sex, place, family, nik]


def blocking_rules() -> list:
    from splink import block_on

    return [
        block_on("birth_date"),
        "l.birth_date_swapped = r.birth_date",
        block_on("region_code", "name_prefix"),
        block_on("nik_15"),
        block_on("kk_number"),
    ]


def _settings(prior: float):
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
        probability_two_random_records_match=prior,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
    )


def predict_links(records: pa.Table, floor: float = 0.01, seed: int = 42, max_pairs: float = 2e6) -> pa.Table:
    """Score every candidate Dukcapil resident of each record `to_link`; see the module docstring."""
    from splink import DuckDBAPI, Linker

    missing = set(INPUT_COLUMNS) - set(records.column_names)
    if missing:
        raise ValueError(f"linkage input lacks column(s) {sorted(missing)}: see int_linkage_records")
    logging.getLogger("splink").setLevel(logging.WARNING)
    # the pipeline's memory limit (terpadu.transform sets it for the dbt run this step is part of)
    limit = os.environ.get("TERPADU_DUCKDB_MEMORY_LIMIT", "").strip()
    con = duckdb.connect(config={"memory_limit": limit} if limit else {})
    try:
        con.register("records_arrow", records)
        # the history lists as text lists also when a batch has none (an all-null Arrow column)
        lists = ", ".join(f"cast({c} as varchar[]) as {c}" for c in HISTORY_COLUMNS)
        con.execute(f"create table records as select * replace ({lists}) from records_arrow")
        con.unregister("records_arrow")
        n_dukcapil, n_to_link = con.execute(
            "select count(*) filter (where source_dataset = 'dukcapil'), "
            "count(*) filter (where source_dataset = 'listed' and to_link) from records").fetchone()
        if n_dukcapil == 0 or n_to_link == 0:
            return OUTPUT_SCHEMA.empty_table()
        cols = ", ".join(["unique_id", *COMPARISON_COLUMNS, "nik_label"])
        con.execute(f"create table dukcapil as select {cols} from records where source_dataset = 'dukcapil'")
        con.execute(f"create table listed as select {cols} from records where source_dataset = 'listed'")
        con.execute(f"create table to_link as select {cols} from records "
                    "where source_dataset = 'listed' and to_link")
        prior = min(0.5, 1.0 / n_dukcapil)
        db_api = DuckDBAPI(connection=con)
        # training on every listed record (the NIK-proven pairs teach m), prediction on the unresolved
        # Splink puts the table whose name sorts first on the left: listed records are always `_l`
        train = Linker([db_api.register("listed", table_name="left_listed"),
                        db_api.register("dukcapil", table_name="right_dukcapil")], _settings(prior), log_level=None)
        train.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
        if con.execute("select count(*) from listed where nik_label is not null").fetchone()[0]:
            train.training.estimate_m_from_label_column("nik_label")
        model = train.misc.save_model_to_json()
        model["probability_two_random_records_match"] = prior
        db_api_predict = DuckDBAPI(connection=con)
        linker = Linker([db_api_predict.register("to_link", table_name="left_to_link"),
                         db_api_predict.register("dukcapil", table_name="right_dukcapil")],
                        model, log_level=None)
        scored = linker.inference.predict(threshold_match_probability=floor, warning_mode="never")
        gammas = {name: f"mw_{name}" for name in ("name_normalized", "birth_date", "sex", "place", "family", "nik")}
        result = con.execute(f"""
            with pairs as (
                select
                    p.unique_id_l as record_id,
                    p.unique_id_r as dukcapil_nik,
                    p.match_probability,
                    p.match_weight,
                    p.{gammas['name_normalized']} as weight_name,
                    p.{gammas['birth_date']} as weight_birth_date,
                    p.{gammas['sex']} as weight_sex,
                    p.{gammas['place']} as weight_place,
                    p.{gammas['family']} as weight_family,
                    p.{gammas['nik']} as weight_nik,
                from {scored.physical_name} as p
            )
            select
                record_id, dukcapil_nik, match_probability, match_weight,
                row_number() over (partition by record_id
                                   order by match_weight desc, dukcapil_nik) as candidate_rank,
                count(*) over (partition by record_id) as candidates,
                weight_name, weight_birth_date, weight_sex, weight_place, weight_family, weight_nik,
            from pairs
            order by record_id, candidate_rank
        """).fetch_arrow_table()
        return result.cast(OUTPUT_SCHEMA)
    finally:
        con.close()


__all__ = ["INPUT_COLUMNS", "OUTPUT_SCHEMA", "blocking_rules", "comparisons", "predict_links"]

"""`terpadu evaluate`: the integrated registry against the simulator's answer key.

Never part of the pipeline: it reads the warehouse read-only and `state/ground_truth/*.parquet`
(written by `terpadu simulate`), and reports

* **pairwise linkage precision and recall** over the delivered person records of DTKS
  (`dtks/persons`), Regsosek (`regsosek/individu`) and Dukcapil (`dukcapil/persons`): every pair of
  records the integration put in the same `person_id` is a predicted pair, every pair of records of
  the same true person is a true pair. Records are identified by (source, file, row number), which
  the warehouse keeps as `_source_file`, `_row_number` (1-based data rows per file). A delivered row
  the integration did not take in (quarantined at ingest) is counted in `rows_not_integrated` and
  takes part in no pair. Also broken down by the pair of sources.

* **precision and recall per flag type** of `marts.fct_person_flags`. The unit is (true person, flag
  type). A flagged integrated person stands for the true person most of its records belong to (ties:
  the person of its Dukcapil record, then the lowest id); a person merged from several true persons
  therefore costs precision. The truth of each flag, always restricted to records that reached the
  integration (see FLAG_TRUTH below for the exact statement):

  nik_invalid          the person has a DTKS record whose NIK was planted missing, with an impossible
                       region or an impossible date, or a Regsosek record whose NIK was left blank;
  nik_excel_mangled    the person has a DTKS record whose NIK went through Excel (scientific
                       notation, 15 significant digits, or a trailing `.0`);
  nik_shared           the person has a DTKS record carrying another person's NIK (the borrower), or
                       is that other person (the holder), when the holder is in the integrated data;
  nik_not_in_dukcapil  the person has a DTKS or Regsosek record carrying a structurally valid NIK that
                       Dukcapil issued to nobody (planted `nik_unregistered`), or carrying their own,
                       undamaged NIK while they are in no delivered Dukcapil (DKB) file and no
                       delivered NIK verification (PADAN file) answers their NIK (Dukcapil's national
                       matching knows every NIK it issued, so a verified NIK is not "not in Dukcapil");
  dead_recipient       the person is dead and a DTKS record of theirs still receives a programme;
  moved_out            the person's family moved to another kab/kota and DTKS still lists the person;
  inclusion_error      a DTKS record of the person receives a programme whose desil range (seeds/
                       programme_rules.csv) does not contain the **registry desil of the person's true
                       family**;
  exclusion_error      the person is alive, the registry desil of their true family is inside the range
                       of a programme with receipt data, and no DTKS record of theirs receives it.

  The registry desil of a true family is the desil the registry's proxy means test gave the Regsosek
  household record delivered for that family (null when Regsosek did not enumerate it: no flag is
  true then). A flag is thus right when it names exactly the persons its rule names on the true
  identities, families and receipt: linkage, receipt and rules are measured, not the proxy itself.
  How well the proxy ranks people is a separate question, reported under **targeting** without a
  target: the same two rules against the *welfare desil*, which ranks every simulated person by their
  family's true per-capita expenditure (ties: family id) into equal population tenths over the run.
  Ground checks change eligibility only from the period after their visit (fct_ground_checks); the
  truth does not model them, so evaluate a run whose period has no applied ground check (a fresh
  `terpadu simulate` has none).
"""

from __future__ import annotations

import contextlib
import csv
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from terpadu import runs
from terpadu.settings import Settings

FLAG_TYPES = ("nik_not_in_dukcapil", "nik_invalid", "nik_excel_mangled", "nik_shared", "dead_recipient",
              "inclusion_error", "exclusion_error", "moved_out")
LINKED_SOURCES = (("dtks", "persons"), ("regsosek", "individu"), ("dukcapil", "persons"))
TARGETS = {"linkage_precision": 0.995, "linkage_recall": 0.98, "flag_precision": 0.99, "flag_recall": 0.99}

# The truth of each flag as SQL over the evaluation's temp tables (see the module docstring):
#   t_rows(source, file, row_number, true_id)    integrated person records with their true person
#   t_defects(source, file, row_number, true_id, defect, detail)   planted defects on those records
#   t_persons(true_id, alive, moved, registry_desil, welfare_desil) the simulated population
#   t_receipt(true_id, programme)                a DTKS record of the person receives the programme
#   t_rules(programme, min_desil, max_desil)     programme rules with receipt data
#   t_verified(true_id)                          a delivered NIK verification row answers the person's NIK
FLAG_TRUTH = {
    "nik_invalid": """
        select true_id from t_defects
        where (source = 'dtks' and defect in ('nik_missing', 'nik_invalid_region', 'nik_invalid_date'))
           or (source = 'regsosek' and defect = 'nik_missing')""",
    "nik_excel_mangled": """
        select true_id from t_defects
        where source = 'dtks' and defect in ('nik_excel_sci', 'nik_excel_15', 'nik_excel_float')""",
    "nik_shared": """
        select true_id from t_defects where source = 'dtks' and defect = 'nik_shared'
        union
        select try_cast(detail as bigint) from t_defects
        where source = 'dtks' and defect = 'nik_shared'
          and try_cast(detail as bigint) in (select true_id from t_rows)""",
    "nik_not_in_dukcapil": """
        select true_id from t_defects where source in ('dtks', 'regsosek') and defect = 'nik_unregistered'
        union
        select r.true_id from t_rows as r
        where r.source in ('dtks', 'regsosek')
          and r.true_id not in (select true_id from t_rows where source = 'dukcapil')
          and r.true_id not in (select true_id from t_verified)
          and not exists (
              select 1 from t_defects as d
              where d.source = r.source and d.file = r.file and d.row_number = r.row_number
                and (d.defect like 'nik_%'))""",
    "dead_recipient": """
        select d.true_id from t_defects as d
        inner join t_persons as p on d.true_id = p.true_id
        where d.source = 'dtks' and d.defect = 'dead_paid' and not p.alive""",
    "moved_out": """
        select true_id from t_defects where source = 'dtks' and defect = 'moved_region'""",
    "inclusion_error": """
        select r.true_id from t_receipt as r
        inner join t_persons as p on r.true_id = p.true_id
        inner join t_rules as rules on r.programme = rules.programme
        where p.registry_desil not between rules.min_desil and rules.max_desil""",
    "exclusion_error": """
        select p.true_id from t_persons as p
        inner join t_rules as rules on p.registry_desil between rules.min_desil and rules.max_desil
        where p.alive
          and p.true_id in (select true_id from t_rows)
          and not exists (select 1 from t_receipt as r
                          where r.true_id = p.true_id and r.programme = rules.programme)""",
}
# Targeting (no target): the inclusion and exclusion rules against the welfare desil instead.
TARGETING_TRUTH = {flag: FLAG_TRUTH[flag].replace("registry_desil", "welfare_desil")
                   for flag in ("inclusion_error", "exclusion_error")}


class EvaluationError(RuntimeError):
    """The inputs of the evaluation are missing or do not fit together."""


@dataclass(frozen=True)
class Counts:
    true_positive: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float | None:
        return self.true_positive / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.true_positive / self.actual if self.actual else None

    def as_dict(self) -> dict:
        return {"true_positive": self.true_positive, "predicted": self.predicted, "actual": self.actual,
                "precision": self.precision, "recall": self.recall}


def _pairs(n: str) -> str:
    return f"sum({n} * ({n} - 1) // 2)"


def pairwise_counts(con: duckdb.DuckDBPyConnection, table: str) -> Counts:
    """Pairwise linkage counts of `table(true_id, pred_id)`, one row per record.

    predicted = pairs of records sharing pred_id; actual = pairs sharing true_id; true positives =
    pairs sharing both. Computed from cluster sizes, never by enumerating pairs.
    """
    sql = f"""
        with cells as (select true_id, pred_id, count(*) as n from {table} group by all),
        predicted as (select count(*) as n from {table} group by pred_id),
        actual as (select count(*) as n from {table} group by true_id)
        select
            coalesce((select {_pairs('n')} from cells), 0),
            coalesce((select {_pairs('n')} from predicted), 0),
            coalesce((select {_pairs('n')} from actual), 0)
    """
    tp, predicted, actual = con.execute(sql).fetchone()
    return Counts(int(tp), int(predicted), int(actual))


def cross_source_counts(con: duckdb.DuckDBPyConnection, table: str, left: str, right: str) -> Counts:
    """Pairwise counts restricted to pairs with one record from `left` and one from `right`
    (`table(true_id, pred_id, source)`); left == right gives the pairs within one source."""
    def pairs(keys: str) -> str:
        if left == right:
            return f"""select coalesce(sum(n * (n - 1) // 2), 0) from (
                select count(*) as n from {table} where source = '{left}' group by {keys})"""
        return f"""select coalesce(sum(a * b), 0) from (
            select count(*) filter (where source = '{left}') as a,
                   count(*) filter (where source = '{right}') as b
            from {table} group by {keys})"""
    tp = con.execute(pairs("true_id, pred_id")).fetchone()[0]
    predicted = con.execute(pairs("pred_id")).fetchone()[0]
    actual = con.execute(pairs("true_id")).fetchone()[0]
    return Counts(int(tp), int(predicted), int(actual))


def set_counts(con: duckdb.DuckDBPyConnection, predicted_sql: str, actual_sql: str) -> Counts:
    """Counts of two sets of keys given as queries returning one column each (duplicates ignored)."""
    sql = f"""
        with p as (select distinct * from ({predicted_sql}) as p(k) where k is not null),
             a as (select distinct * from ({actual_sql}) as a(k) where k is not null)
        select (select count(*) from p inner join a using (k)), (select count(*) from p), (select count(*) from a)
    """
    tp, predicted, actual = con.execute(sql).fetchone()
    return Counts(int(tp), int(predicted), int(actual))


def _programme_rules(settings: Settings) -> list[tuple[str, str, int, int]]:
    path = settings.dbt_project_dir / "seeds" / "programme_rules.csv"
    with path.open(newline="") as handle:
        return [(r["programme"], r["receipt_column"], int(r["min_desil"]), int(r["max_desil"]))
                for r in csv.DictReader(handle) if r["receipt_column"]]


def _load_truth(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> None:
    for name in ("persons", "rows", "defects"):
        path = truth_dir / f"{name}.parquet"
        if not path.exists():
            raise EvaluationError(f"ground truth {path} is missing: run `terpadu simulate` first "
                                  "(evaluate only works on simulated data)")
        con.execute(f"create temp view truth_{name} as select * from read_parquet('{_q(path)}')")


def _q(path: Path) -> str:
    return str(path).replace("'", "''")


def _load_integrated(con: duckdb.DuckDBPyConnection) -> None:
    """Each integrated person record (source, file, row number) with the person it was given, and the
    DTKS receipt per record (delivered facts, used by the inclusion/exclusion truth)."""
    con.execute("""
        create temp table i_rows as
        select 'dtks' as source, s._source_file as file, s._row_number as row_number, r.person_id as pred_id
        from staging.stg_dtks__persons as s
        inner join intermediate.int_person_source_records as r
            on r.source = 'dtks' and r.record_id = s.dtks_person_id
        union all
        select 'regsosek', s._source_file, s._row_number, r.person_id
        from staging.stg_regsosek__individu as s
        inner join intermediate.int_person_source_records as r
            on r.source = 'regsosek' and r.record_id = s.regsosek_person_id
        union all
        select 'dukcapil', s._source_file, s._row_number, r.person_id
        from staging.stg_dukcapil__persons as s
        inner join intermediate.int_person_source_records as r
            on r.source = 'dukcapil' and r.record_id = s.nik
    """)
    con.execute("""
        create temp table i_receipt_rows as
        select _source_file as file, _row_number as row_number, receives_pkh, receives_bpnt, receives_pbi
        from staging.stg_dtks__persons
    """)


def _misses(con: duckdb.DuckDBPyConnection, predicted_sql: str, actual_sql: str, flag: str,
            limit: int) -> dict:
    """Up to `limit` false positives and false negatives of one flag, each a true person with the
    defects planted on their records and what the registry flagged (its reason), for diagnosis."""
    def listing(keys_sql: str) -> list[dict]:
        rows = con.execute(f"""
            with keys as ({keys_sql})
            select k.k as true_id,
                   (select string_agg(distinct d.source || ':' || d.defect
                                      || coalesce('(' || d.detail || ')', ''), '; ')
                    from t_defects as d where d.true_id = k.k) as planted,
                   (select string_agg(distinct f.reason, ' | ') from marts.fct_person_flags as f
                    inner join anchors as a on f.person_id = a.pred_id
                    where a.true_id = k.k and f.flag_type = '{flag}') as flagged_reason,
                   (select string_agg(distinct r.source || ':' || r.pred_id, ', ') from t_rows as r
                    where r.true_id = k.k) as integrated_as
            from keys as k order by k.k limit {int(limit)}
        """).fetchall()
        return [{"true_id": int(t), "planted": p, "flagged_reason": f, "integrated_as": i}
                for t, p, f, i in rows]
    predicted = f"select distinct k from ({predicted_sql}) as p(k) where k is not null"
    actual = f"select distinct k from ({actual_sql}) as a(k) where k is not null"
    return {"false_positives": listing(f"{predicted} except {actual}"),
            "false_negatives": listing(f"{actual} except {predicted}")}


def evaluate(settings: Settings, warehouse_path: Path | None = None, truth_dir: Path | None = None,
             misses: int = 0) -> dict:
    """Compare the warehouse's integration with the ground truth; a JSON-serialisable report.
    `misses` > 0 adds up to that many false positives and negatives per flag type (`report['misses']`)."""
    warehouse_path = Path(warehouse_path or settings.warehouse_path)
    truth_dir = Path(truth_dir or settings.ground_truth_dir)
    if not warehouse_path.exists():
        raise EvaluationError(f"warehouse {warehouse_path} does not exist: run `terpadu ingest` and "
                              "`terpadu transform` first")
    with contextlib.closing(duckdb.connect(str(warehouse_path), read_only=True)) as con:
        try:
            _load_integrated(con)
        except duckdb.CatalogException as error:
            raise EvaluationError(f"the warehouse has no integration yet ({error}): run `terpadu transform`") \
                from error
        _load_truth(con, truth_dir)
        sources = " or ".join(f"(source = '{s}' and entity = '{e}')" for s, e in LINKED_SOURCES)
        con.execute(f"""
            create temp table t_all_rows as
            select source, file, row_number, person_id as true_id from truth_rows where {sources}
        """)
        # records: truth joined to the integration by (source, file name, row number)
        con.execute("""
            create temp table joined as
            select t.source, t.file, t.row_number, t.true_id, i.pred_id
            from t_all_rows as t
            left join i_rows as i
                on t.source = i.source and t.row_number = i.row_number and t.file = i.file
        """)
        rows_total, rows_not_integrated = con.execute(
            "select count(*), count(*) filter (where pred_id is null) from joined").fetchone()
        integrated_unknown = con.execute(
            "select count(*) from i_rows as i where not exists (select 1 from joined as j "
            "where j.source = i.source and j.row_number = i.row_number and j.pred_id = i.pred_id)").fetchone()[0]
        if rows_total == 0:
            raise EvaluationError(f"the ground truth in {truth_dir} has no person records")
        if rows_total == rows_not_integrated:
            raise EvaluationError("no delivered record of the ground truth is in the warehouse: were the "
                                  "ground truth and the warehouse produced by the same `terpadu simulate`?")
        con.execute("create temp table t_rows as select * from joined where pred_id is not null")
        linkage = pairwise_counts(con, "t_rows").as_dict()
        by_sources = {}
        names = [s for s, _ in LINKED_SOURCES]
        for i, left in enumerate(names):
            for right in names[i:]:
                by_sources[f"{left}-{right}"] = cross_source_counts(con, "t_rows", left, right).as_dict()

        # the flag truth's inputs
        con.execute("""
            create temp table t_defects as
            select d.source, d.file, d.row_number, d.person_id as true_id, d.defect, d.detail
            from truth_defects as d
            inner join t_rows as r on d.source = r.source and d.file = r.file and d.row_number = r.row_number
        """)
        # persons whose NIK a delivered verification (PADAN file) answers: the truth names the holder of
        # each verification row; only rows that reached staging count (none in a warehouse without them)
        has_verifications = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'staging' "
            "and table_name = 'stg_dukcapil__nik_verifications'").fetchone()[0]
        delivered = ("inner join staging.stg_dukcapil__nik_verifications as v "
                     "on v._source_file = t.file and v._row_number = t.row_number") if has_verifications else ""
        con.execute(f"""
            create temp table t_verified as
            select distinct t.person_id as true_id
            from truth_rows as t {delivered}
            where t.source = 'dukcapil' and t.entity = 'nik_verifications' and t.person_id is not null
                {'' if has_verifications else 'and false'}
        """)
        # the desil the registry gave each true family's Regsosek household record
        con.execute("""
            create temp table t_family_desil as
            select t.family_id, any_value(ranked.desil) as registry_desil
            from truth_rows as t
            inner join staging.stg_regsosek__keluarga as k
                on k._source_file = t.file and k._row_number = t.row_number
            inner join intermediate.int_families_ranked as ranked on ranked.family_id = k.regsosek_family_id
            where t.source = 'regsosek' and t.entity = 'keluarga'
            group by t.family_id
        """)
        con.execute("""
            create temp table t_persons as
            with ordered as (
                select
                    person_id as true_id, family_id, alive, moved,
                    count(*) over (order by pce, family_id, person_id
                                   rows between unbounded preceding and current row) as cumulative,
                    count(*) over () as total,
                from truth_persons
            )
            select true_id, alive, moved, f.registry_desil,
                   cast(least(10, greatest(1, (10 * cumulative + total - 1) // total)) as integer) as welfare_desil,
            from ordered
            left join t_family_desil as f using (family_id)
        """)
        rules = _programme_rules(settings)
        con.execute("create temp table t_rules (programme varchar, receipt_column varchar, "
                    "min_desil integer, max_desil integer)")
        if rules:
            con.executemany("insert into t_rules values (?, ?, ?, ?)", rules)
        receipt = " union all ".join(
            f"select r.true_id, '{p}' as programme from t_rows as r inner join i_receipt_rows as i "
            f"on r.source = 'dtks' and i.file = r.file "
            f"and i.row_number = r.row_number where i.{col}"
            for p, col, _, _ in rules if col in ("receives_pkh", "receives_bpnt", "receives_pbi"))
        con.execute(f"create temp table t_receipt as {receipt or 'select null::bigint as true_id, null as programme'}")
        # each integrated person stands for the true person most of its records belong to
        con.execute("""
            create temp table anchors as
            select pred_id, arg_max(true_id, (n, has_dukcapil, -true_id)) as true_id
            from (select pred_id, true_id, count(*) as n, bool_or(source = 'dukcapil') as has_dukcapil
                  from t_rows group by all)
            group by pred_id
        """)
        flags, flag_misses = {}, {}
        for flag in FLAG_TYPES:
            predicted = (f"select a.true_id from marts.fct_person_flags as f "
                         f"left join anchors as a on f.person_id = a.pred_id where f.flag_type = '{flag}'")
            flags[flag] = set_counts(con, predicted, FLAG_TRUTH[flag]).as_dict()
            if misses > 0:
                flag_misses[flag] = _misses(con, predicted, FLAG_TRUTH[flag], flag, misses)
        targeting = {}
        for flag, truth_sql in TARGETING_TRUTH.items():
            predicted = (f"select a.true_id from marts.fct_person_flags as f "
                         f"left join anchors as a on f.person_id = a.pred_id where f.flag_type = '{flag}'")
            targeting[flag] = set_counts(con, predicted, truth_sql).as_dict()
        persons_integrated = con.execute("select count(*) from marts.dim_persons").fetchone()[0]
        persons_true = con.execute("select count(distinct true_id) from t_rows").fetchone()[0]

    report = {
        "evaluated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "warehouse": str(warehouse_path),
        "ground_truth": str(truth_dir),
        "records": {"delivered": int(rows_total), "not_integrated": int(rows_not_integrated),
                    "integrated_without_truth": int(integrated_unknown)},
        "persons": {"integrated": int(persons_integrated), "true_in_integrated_records": int(persons_true)},
        "linkage": linkage,
        "linkage_by_sources": by_sources,
        "flags": flags,
        "targeting": targeting,
        "targets": TARGETS,
    }
    if misses > 0:
        report["misses"] = flag_misses
    report["meets_targets"] = meets_targets(report)
    json.dumps(report)
    return report


def meets_targets(report: dict) -> dict:
    def ok(value, target):
        return value is not None and value >= target
    out = {"linkage": ok(report["linkage"]["precision"], TARGETS["linkage_precision"])
           and ok(report["linkage"]["recall"], TARGETS["linkage_recall"])}
    for flag, counts in report["flags"].items():
        out[flag] = ok(counts["precision"], TARGETS["flag_precision"]) and ok(counts["recall"], TARGETS["flag_recall"])
    return out


def _fmt(value: float | None) -> str:
    return "  n/a " if value is None else f"{value:.4f}"


def format_table(report: dict) -> str:
    """The report as a plain-text table (what `terpadu evaluate` prints)."""
    lines = [f"{'measure':<28} {'precision':>9} {'recall':>9} {'true pos':>10} {'predicted':>10} "
             f"{'actual':>10}  target"]
    lines.append("-" * len(lines[0]))

    def row(name, counts, target):
        lines.append(f"{name:<28} {_fmt(counts['precision']):>9} {_fmt(counts['recall']):>9} "
                     f"{counts['true_positive']:>10} {counts['predicted']:>10} {counts['actual']:>10}  {target}")

    row("linkage (pairs)", report["linkage"],
        f"P>={TARGETS['linkage_precision']} R>={TARGETS['linkage_recall']}"
        + ("  ok" if report["meets_targets"]["linkage"] else "  MISSED"))
    for name, counts in report["linkage_by_sources"].items():
        row(f"  {name}", counts, "")
    for flag, counts in report["flags"].items():
        row(f"flag {flag}", counts, f"P,R>={TARGETS['flag_precision']}"
            + ("  ok" if report["meets_targets"][flag] else "  MISSED"))
    lines.append("targeting: the same flags against the welfare desil (simulated true expenditure), "
                 "i.e. how well the proxy means test ranks; no target")
    for flag, counts in report["targeting"].items():
        row(f"  {flag}", counts, "")
    rec = report["records"]
    lines.append(f"records: {rec['delivered']} delivered, {rec['not_integrated']} not integrated "
                 f"(quarantined), {rec['integrated_without_truth']} integrated without truth; persons: "
                 f"{report['persons']['integrated']} integrated vs "
                 f"{report['persons']['true_in_integrated_records']} true")
    return "\n".join(lines)


def format_misses(report: dict) -> str:
    """The false positives and negatives of each flag type that missed its target, one per line."""
    lines = []
    for flag, found in report.get("misses", {}).items():
        if report["meets_targets"].get(flag):
            continue
        for kind, label in (("false_positives", "FP"), ("false_negatives", "FN")):
            for miss in found[kind]:
                lines.append(f"{flag} {label} true person {miss['true_id']} [{miss['integrated_as']}] "
                             f"planted: {miss['planted'] or '-'}; flagged: {miss['flagged_reason'] or '-'}")
    return "\n".join(lines)


def default_output(settings: Settings) -> Path:
    """runs/<CURRENT>/evaluation.json when a run was exported, else state/evaluation.json."""
    try:
        return runs.run_dir(runs.current_run_id(settings), settings) / "evaluation.json"
    except FileNotFoundError:
        return settings.state_dir / "evaluation.json"


__all__ = ["FLAG_TRUTH", "TARGETING_TRUTH", "FLAG_TYPES", "Counts", "EvaluationError", "evaluate", "format_misses",
           "format_table", "pairwise_counts", "cross_source_counts", "set_counts", "default_output", "meets_targets"]

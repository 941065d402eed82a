"""The quality gate's expectation suites, as code.

Each suite is named `<layer>__<model>__<severity>`: an `error` failure holds the region's release, a
`warning` failure is reported in the release. Values that differ per region (the region's Kemendagri
codes, the ids in sibling marts, the Dukcapil delivered population, the previous release's size) are
GX suite parameters (`{"$PARAMETER": name}`), filled by `terpadu.quality.gate` at validation time, so
the committed JSON is the same for every region and every run.

Every expectation carries `meta.rule` (a stable id used in audit rows and tests) and the reason
shown when it fails, in Bahasa Indonesia (`meta.id`) and English (`meta.en`). Reason templates may
use {unexpected_count}, {element_count} and {observed_value}.

`terpadu quality write-suites` writes these into the File Data Context under `expectations/gx/`;
`--check` (and tests/unit/test_quality_suites.py) fails when the committed files drift from this code.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from terpadu.settings import Settings
from terpadu.sources import contracts

# Deterministic expectation ids, so that regenerating the suites gives byte-identical files.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/terpadu/expectations")

NIK_STATUSES = [
    "valid", "missing", "excel_mangled", "not_16_digits", "invalid_region", "invalid_date", "sex_mismatch",
]
FLAG_TYPES = [
    "nik_not_in_dukcapil", "nik_invalid", "nik_excel_mangled", "nik_shared", "dead_recipient",
    "inclusion_error", "exclusion_error", "moved_out",
]
PROGRAMMES = {"receives_pkh": "PKH", "receives_bpnt": "BPNT/Sembako", "receives_pbi": "PBI-JK"}
READINESS_RATES = ["nik_valid_rate", "dukcapil_match_rate", "coverage_rate", "duplicate_nik_rate",
                   "ground_check_completion_rate"]
READINESS_COUNTS = [
    "persons_dukcapil", "persons_dtks", "persons_regsosek", "persons_integrated", "families_integrated",
    "dead_recipients", "flags_total", "sanggahan_total", "sanggahan_open", "sanggahan_past_sla", "usulan_total",
    "ground_checks_total", "ground_checks_applied", "clerical_review_pairs", "persons_flagged",
    "persons_flagged_ground_checked",
]
# Value sets of the participation, linkage-review and history marts (their dbt YAML documents them).
SANGGAHAN_STATUSES = ["BELUM", "DITERIMA", "DITOLAK"]
USULAN_OUTCOMES = ["nik_tidak_valid", "sudah_terdaftar", "baru_cocok_dukcapil", "nik_tidak_ditemukan"]
GROUND_CHECK_RESULTS = list(contracts.GROUND_CHECK_RESULTS)
GROUND_CHECK_STATUSES = ["diterapkan", "menunggu_periode", "digantikan", "tidak_cocok", "tanpa_efek"]
REVIEW_SOURCES = ["dtks", "regsosek"]
CHANGE_DIRECTIONS = ["naik", "turun", "tetap", "baru", "keluar"]
PROGRAMME_CHANGES = ["masuk", "keluar"]

# Tolerances of the warning suites (the gate turns them into the bounds passed as parameters).
DUKCAPIL_TOLERANCE = 0.10  # integrated persons vs rows Dukcapil delivered for the region
PREVIOUS_RELEASE_TOLERANCE = 0.10  # persons vs the region's previous published release
DESIL_KL_THRESHOLD = 0.5  # KL divergence of the region's desil shares from ten equal shares
NIK_VALID_MIN_SHARE = 0.90

# A clear NIK anywhere in an analyst row: the whole value is 16 digits (a float cast may add ".0").
# Anchored to a field of the '|'-joined row text so that hex hashes that happen to contain 16
# decimal digits in a row do not match.
CLEAR_NIK_IN_ROW = r"(?:^|\|)\s*\d{16}(?:\.0+)?\s*(?:\||$)"
ROW_TEXT_COLUMN = "_gate_row_text"  # built by the gate in DuckDB: every column as text, '|'-joined

# Cross-mart facts, joined by the gate in DuckDB and added to the slice as boolean columns: GX's
# pandas datasource validates one frame at a time, and passing tens of thousands of ids as a
# value_set parameter costs GX seconds per region (it copies the kwargs for every metric).
DERIVED = {
    "family_exists": "_gate_family_exists",  # dim_persons: family_id is in dim_families
    "dead_recipient_flagged": "_gate_has_dead_recipient_flag",  # dim_persons: has a dead_recipient flag
    "person_exists": "_gate_person_exists",  # fct_person_flags: person_id is in dim_persons
    "desa_in_kecamatan": "_gate_desa_in_kecamatan",  # desa_code starts with kecamatan_code (null if either is)
    # fct_sanggahan: is_open = (status BELUM) and is_past_sla = (BELUM and days_open > sla_days)
    "sla_consistent": "_gate_sla_consistent",
}
NOT_NULL = "__not_null__"  # in Rule.condition: the column is not null


@dataclass(frozen=True)
class Rule:
    rule: str
    expectation: str  # GX expectation class name
    kwargs: dict[str, Any]
    id: str  # reason in Bahasa Indonesia
    en: str  # reason in English
    condition: tuple[tuple[str, Any], ...] = ()  # AND of column == value (a GX row condition)


@dataclass(frozen=True)
class SuiteSpec:
    mart: str
    severity: str  # error | warning
    rules: list[Rule] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"marts__{self.mart}__{self.severity}"


def _p(name: str) -> dict[str, str]:
    return {"$PARAMETER": name}


def _codes(mart: str, levels: tuple[str, ...] = ("kecamatan", "desa", "pair")) -> list[Rule]:
    """Kecamatan and desa codes exist in the Kemendagri reference and belong to the region.

    (region_code itself needs no rule: the gate reads the slice `where region_code = ?`.)
    """
    rules = {
        "kecamatan": Rule(f"{mart}.kecamatan_in_region", "ExpectColumnValuesToBeInSet",
             {"column": "kecamatan_code", "value_set": _p("kecamatan_codes")},
             "{unexpected_count} baris di {mart} memakai kode kecamatan yang tidak ada di referensi "
             "Kemendagri untuk kab/kota ini",
             "{unexpected_count} rows in {mart} carry a kecamatan code that is not a Kemendagri kecamatan "
             "of this region"),
        "desa": Rule(f"{mart}.desa_in_region", "ExpectColumnValuesToBeInSet",
             {"column": "desa_code", "value_set": _p("desa_codes")},
             "{unexpected_count} baris di {mart} memakai kode desa/kelurahan yang tidak ada di referensi "
             "Kemendagri untuk kab/kota ini",
             "{unexpected_count} rows in {mart} carry a desa/kelurahan code that is not a Kemendagri "
             "village of this region"),
        # Kemendagri codes are hierarchical (81.71.01.1001 lies in 81.71.01); GX's pandas column-pair
        # metric loops over rows in Python, so the gate derives the boolean in DuckDB.
        "pair": Rule(f"{mart}.desa_in_kecamatan", "ExpectColumnValuesToBeInSet",
             {"column": DERIVED["desa_in_kecamatan"], "value_set": [True]},
             "{unexpected_count} baris di {mart}: desa/kelurahan tidak terletak di kecamatan yang tercatat",
             "{unexpected_count} rows in {mart}: the desa/kelurahan is not in the recorded kecamatan"),
    }
    return [rules[level] for level in levels]


def _desil(mart: str, column: str = "desil") -> Rule:
    return Rule(f"{mart}.{column}_1_to_10", "ExpectColumnValuesToBeBetween",
                {"column": column, "min_value": 1, "max_value": 10},
                f"{{unexpected_count}} baris di {{mart}} memiliki {column} di luar 1–10",
                f"{{unexpected_count}} rows in {{mart}} have a {column} outside 1–10")


def _unique_key(mart: str, column: str) -> list[Rule]:
    return [
        Rule(f"{mart}.{column}_not_null", "ExpectColumnValuesToNotBeNull", {"column": column},
             f"{{unexpected_count}} baris di {{mart}} tanpa {column}",
             f"{{unexpected_count}} rows in {{mart}} have no {column}"),
        Rule(f"{mart}.{column}_unique", "ExpectColumnValuesToBeUnique", {"column": column},
             f"{{unexpected_count}} baris di {{mart}} memakai {column} yang sama",
             f"{{unexpected_count}} rows in {{mart}} share a {column}"),
    ]


def suite_specs() -> list[SuiteSpec]:
    persons = "dim_persons"
    dead_recipient_rules = [
        Rule(f"{persons}.dead_{column}_flagged", "ExpectColumnValuesToBeInSet",
             {"column": DERIVED["dead_recipient_flagged"], "value_set": [True]},
             f"{{unexpected_count}} orang yang sudah meninggal masih tercatat penerima {programme} "
             "tanpa flag dead_recipient",
             f"{{unexpected_count}} dead persons are still current {programme} recipients without a "
             "dead_recipient flag",
             condition=(("is_alive", False), (column, True)))
        for column, programme in PROGRAMMES.items()
    ]
    return [
        SuiteSpec(persons, "error", [
            Rule(f"{persons}.not_empty", "ExpectTableRowCountToBeBetween", {"min_value": 1},
                 "tidak ada data penduduk untuk kab/kota ini", "no persons for this region"),
            *_unique_key(persons, "person_id"),
            Rule(f"{persons}.valid_nik_16_digits", "ExpectColumnValuesToMatchRegex",
                 {"column": "nik", "regex": r"^\d{16}$"},
                 "{unexpected_count} NIK berstatus valid tetapi bukan 16 digit",
                 "{unexpected_count} NIKs marked valid are not 16 digits",
                 condition=(("nik_status", "valid"),)),
            Rule(f"{persons}.valid_nik_present", "ExpectColumnValuesToNotBeNull", {"column": "nik"},
                 "{unexpected_count} orang berstatus NIK valid tetapi NIK-nya kosong",
                 "{unexpected_count} persons with nik_status valid have no NIK",
                 condition=(("nik_status", "valid"),)),
            Rule(f"{persons}.nik_status_known", "ExpectColumnValuesToBeInSet",
                 {"column": "nik_status", "value_set": NIK_STATUSES},
                 "{unexpected_count} baris di {mart} memiliki nik_status yang tidak dikenal",
                 "{unexpected_count} rows in {mart} have an unknown nik_status"),
            *_codes(persons),
            Rule(f"{persons}.family_exists", "ExpectColumnValuesToBeInSet",
                 {"column": DERIVED["family_exists"], "value_set": [True]},
                 "{unexpected_count} orang merujuk ke keluarga yang tidak ada di dim_families",
                 "{unexpected_count} persons point to a family that is not in dim_families",
                 condition=(("family_id", NOT_NULL),)),
            _desil(persons),
            Rule(f"{persons}.sex_l_or_p", "ExpectColumnValuesToBeInSet",
                 {"column": "sex", "value_set": ["L", "P"]},
                 "{unexpected_count} baris di {mart} memiliki jenis kelamin selain L/P",
                 "{unexpected_count} rows in {mart} have a sex other than L/P"),
            *dead_recipient_rules,
        ]),
        SuiteSpec(persons, "warning", [
            Rule(f"{persons}.desil_balance", "ExpectColumnKLDivergenceToBeLessThan",
                 {"column": "desil", "threshold": DESIL_KL_THRESHOLD,
                  "partition_object": {"values": list(range(1, 11)), "weights": [0.1] * 10}},
                 "sebaran desil jauh dari sepuluh kelompok yang seimbang (divergensi KL {observed_value})",
                 "desil shares are far from ten equal groups (KL divergence {observed_value})"),
            Rule(f"{persons}.nik_valid_share", "ExpectColumnValuesToBeInSet",
                 {"column": "nik_status", "value_set": ["valid"], "mostly": NIK_VALID_MIN_SHARE},
                 f"{{unexpected_count}} dari {{element_count}} orang tanpa NIK valid (lebih dari "
                 f"{1 - NIK_VALID_MIN_SHARE:.0%})",
                 f"{{unexpected_count}} of {{element_count}} persons lack a valid NIK (more than "
                 f"{1 - NIK_VALID_MIN_SHARE:.0%})"),
            Rule(f"{persons}.row_count_vs_previous_release", "ExpectTableRowCountToBeBetween",
                 {"min_value": _p("previous_release_min"), "max_value": _p("previous_release_max")},
                 f"jumlah penduduk ({{observed_value}}) berubah lebih dari {PREVIOUS_RELEASE_TOLERANCE:.0%} "
                 "dibanding rilis sebelumnya",
                 f"persons ({{observed_value}}) changed by more than {PREVIOUS_RELEASE_TOLERANCE:.0%} "
                 "since the previous release"),
        ]),
        SuiteSpec("dim_families", "error", [
            *_unique_key("dim_families", "family_id"),
            *_codes("dim_families"),
            _desil("dim_families"),
            _desil("dim_families", "desil_province"),
            Rule("dim_families.members_positive", "ExpectColumnValuesToBeBetween",
                 {"column": "members", "min_value": 1},
                 "{unexpected_count} keluarga tanpa anggota", "{unexpected_count} families have no members"),
        ]),
        SuiteSpec("fct_person_flags", "error", [
            Rule("fct_person_flags.flag_type_known", "ExpectColumnValuesToBeInSet",
                 {"column": "flag_type", "value_set": FLAG_TYPES},
                 "{unexpected_count} flag memiliki jenis yang tidak dikenal",
                 "{unexpected_count} flags have an unknown flag_type"),
            Rule("fct_person_flags.person_exists", "ExpectColumnValuesToBeInSet",
                 {"column": DERIVED["person_exists"], "value_set": [True]},
                 "{unexpected_count} flag merujuk ke orang yang tidak ada di dim_persons",
                 "{unexpected_count} flags point to a person who is not in dim_persons"),
            *_codes("fct_person_flags", ("kecamatan",)),  # a flag without a desa still goes on a worklist
        ]),
        SuiteSpec("fct_region_readiness", "error", [
            Rule("fct_region_readiness.one_row", "ExpectTableRowCountToEqual", {"value": 1},
                 "fct_region_readiness harus berisi tepat satu baris untuk kab/kota ini (ada {observed_value})",
                 "fct_region_readiness must hold exactly one row for this region ({observed_value} found)"),
            *[Rule(f"fct_region_readiness.{column}_0_to_1", "ExpectColumnValuesToBeBetween",
                   {"column": column, "min_value": 0, "max_value": 1},
                   f"{column} di luar rentang 0–1", f"{column} is outside 0–1")
              for column in [*READINESS_RATES, "readiness_score"]],
            *[Rule(f"fct_region_readiness.{column}_not_negative", "ExpectColumnValuesToBeBetween",
                   {"column": column, "min_value": 0}, f"{column} negatif", f"{column} is negative")
              for column in READINESS_COUNTS],
        ]),
        SuiteSpec("fct_region_readiness", "warning", [
            Rule("fct_region_readiness.reconciles_with_dukcapil", "ExpectColumnValuesToBeBetween",
                 {"column": "persons_integrated", "min_value": _p("dukcapil_min"),
                  "max_value": _p("dukcapil_max")},
                 f"jumlah penduduk terpadu berbeda lebih dari {DUKCAPIL_TOLERANCE:.0%} dari jumlah yang "
                 "dikirim Dukcapil",
                 f"integrated persons differ by more than {DUKCAPIL_TOLERANCE:.0%} from the population "
                 "Dukcapil delivered"),
            Rule("fct_region_readiness.persons_match_dim_persons", "ExpectColumnValuesToBeBetween",
                 {"column": "persons_integrated", "min_value": _p("persons_rows"),
                  "max_value": _p("persons_rows")},
                 "persons_integrated tidak sama dengan jumlah baris dim_persons",
                 "persons_integrated does not equal the rows of dim_persons"),
        ]),
        SuiteSpec("analyst_persons", "error", [
            Rule("analyst_persons.no_clear_nik", "ExpectColumnValuesToNotMatchRegex",
                 {"column": ROW_TEXT_COLUMN, "regex": CLEAR_NIK_IN_ROW},
                 "{unexpected_count} NIK di analyst_persons tidak disamarkan",
                 "{unexpected_count} clear NIKs in analyst_persons"),
            *_codes("analyst_persons", ("kecamatan", "desa")),
            _desil("analyst_persons"),
        ]),
        *_participation_suites(),
    ]


def _in_set(mart: str, column: str, values: list[str], what_id: str, what_en: str) -> Rule:
    return Rule(f"{mart}.{column}_known", "ExpectColumnValuesToBeInSet", {"column": column, "value_set": values},
                f"{{unexpected_count}} baris di {{mart}} memiliki {what_id} yang tidak dikenal",
                f"{{unexpected_count}} rows in {{mart}} have an unknown {what_en}")


def _participation_suites() -> list[SuiteSpec]:
    """Region-only worklist marts (clear NIK allowed): sanggahan, usulan, ground checks, the linkage's
    clerical review and the changes between periods."""
    sanggahan, usulan, checks = "fct_sanggahan", "fct_usulan", "fct_ground_checks"
    review, changes = "fct_clerical_review", "fct_family_changes"
    return [
        SuiteSpec(sanggahan, "error", [
            *_unique_key(sanggahan, "sanggahan_id"),
            *_codes(sanggahan),
            _in_set(sanggahan, "verification_status", SANGGAHAN_STATUSES, "status verifikasi", "verification status"),
            Rule(f"{sanggahan}.days_open_not_negative", "ExpectColumnValuesToBeBetween",
                 {"column": "days_open", "min_value": 0},
                 "{unexpected_count} sanggahan memiliki umur (hari terbuka) negatif: tanggal keputusan sebelum "
                 "tanggal sanggahan, atau tanggal sanggahan sesudah tanggal acuan",
                 "{unexpected_count} sanggahan have a negative age: decided before they were filed, or filed "
                 "after the as-of date"),
            Rule(f"{sanggahan}.sla_consistent", "ExpectColumnValuesToBeInSet",
                 {"column": DERIVED["sla_consistent"], "value_set": [True]},
                 "{unexpected_count} sanggahan dengan status terbuka/lewat batas waktu yang tidak sesuai dengan "
                 "status verifikasi dan umurnya",
                 "{unexpected_count} sanggahan whose open / past-SLA marks contradict their status and age"),
        ]),
        SuiteSpec(sanggahan, "warning", [
            Rule(f"{sanggahan}.none_past_sla", "ExpectColumnValuesToBeInSet",
                 {"column": "is_past_sla", "value_set": [False]},
                 "{unexpected_count} sanggahan belum diverifikasi melewati batas waktu (SLA): menurut aturan "
                 "Cek Bansos dianggap tidak diterima",
                 "{unexpected_count} sanggahan are undecided past the SLA: under the Cek Bansos rules they "
                 "count as not accepted"),
        ]),
        SuiteSpec(usulan, "error", [
            *_unique_key(usulan, "usulan_id"),
            *_codes(usulan),
            _in_set(usulan, "outcome", USULAN_OUTCOMES, "hasil pemeriksaan (outcome)", "outcome"),
        ]),
        SuiteSpec(checks, "error", [
            *_unique_key(checks, "ground_check_id"),
            *_codes(checks),
            _in_set(checks, "result", GROUND_CHECK_RESULTS, "hasil ground check", "ground-check result"),
            _in_set(checks, "application_status", GROUND_CHECK_STATUSES, "status penerapan", "application status"),
        ]),
        SuiteSpec(review, "error", [
            *_unique_key(review, "review_id"),
            *_codes(review),
            _in_set(review, "source", REVIEW_SOURCES, "sumber rekaman", "record source"),
            Rule(f"{review}.match_probability_0_to_1", "ExpectColumnValuesToBeBetween",
                 {"column": "match_probability", "min_value": 0, "max_value": 1},
                 "{unexpected_count} pasangan tinjauan memiliki probabilitas kecocokan di luar 0–1",
                 "{unexpected_count} review pairs have a match probability outside 0–1"),
        ]),
        SuiteSpec(changes, "error", [
            *_codes(changes),
            _in_set(changes, "direction", CHANGE_DIRECTIONS, "arah perubahan desil", "desil direction"),
            _in_set(changes, "change", PROGRAMME_CHANGES, "perubahan program", "programme change"),
            _desil(changes, "desil_from"),
            _desil(changes, "desil_to"),
        ]),
    ]


def build_suites() -> dict[str, dict]:
    """Suite name → the suite as GX JSON (built with GX's own classes, so GX validates the kwargs)."""
    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column

    suites: dict[str, dict] = {}
    for spec in suite_specs():
        expectations = []
        for rule in spec.rules:
            kwargs = dict(rule.kwargs)
            if rule.condition:
                conditions = [Column(column).is_not_null() if value == NOT_NULL else Column(column) == value
                              for column, value in rule.condition]
                condition = conditions[0]
                for more in conditions[1:]:
                    condition = condition & more
                kwargs["row_condition"] = condition
            meta = {"rule": rule.rule, "mart": spec.mart,
                    "id": rule.id.replace("{mart}", spec.mart), "en": rule.en.replace("{mart}", spec.mart)}
            expectations.append(getattr(gx.expectations, rule.expectation)(**kwargs, meta=meta))
        suite = gx.ExpectationSuite(
            name=spec.name, expectations=expectations,
            meta={"mart": spec.mart, "severity": spec.severity, "generated_by": "terpadu quality write-suites"},
        )
        data = suite.to_json_dict()
        data["id"] = str(uuid.uuid5(_ID_NAMESPACE, spec.name))
        for expectation in data["expectations"]:
            expectation["id"] = str(uuid.uuid5(_ID_NAMESPACE, f"{spec.name}/{expectation['meta']['rule']}"))
        suites[spec.name] = data
    return suites


def suites_dir(settings: Settings) -> Path:
    """Where the File Data Context keeps its suites (expectations/gx/expectations/)."""
    return settings.expectations_dir / "gx" / "expectations"


def _render(data: dict) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_suites(settings: Settings, check: bool = False) -> dict[str, list[str]]:
    """Write the suites into the committed File Data Context, or with check=True only compare.

    Returns {"written" | "drifted": [...], "stale": [...]}: `stale` are committed suite files that no
    longer exist in code (write removes them).
    """
    target = suites_dir(settings)
    if not check and not (settings.expectations_dir / "gx" / "great_expectations.yml").exists():
        import great_expectations as gx

        gx.get_context(mode="file", project_root_dir=settings.expectations_dir)  # scaffolds gx/
    wanted = {name: _render(data) for name, data in build_suites().items()}
    existing = {path.stem: path for path in target.glob("*.json")} if target.exists() else {}
    stale = sorted(set(existing) - set(wanted))
    changed = sorted(name for name, text in wanted.items()
                     if name not in existing or existing[name].read_text(encoding="utf-8") != text)
    if check:
        return {"drifted": changed, "stale": stale}
    target.mkdir(parents=True, exist_ok=True)
    for name in changed:
        (target / f"{name}.json").write_text(wanted[name], encoding="utf-8")
    for name in stale:
        existing[name].unlink()
    return {"written": changed, "stale": stale}


def load_suites(settings: Settings) -> dict[str, dict]:
    """The committed suites as JSON dicts (what the gate runs: the files, not the code)."""
    target = suites_dir(settings)
    suites = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(target.glob("*.json"))}
    if not suites:
        raise FileNotFoundError(f"no expectation suites in {target}: run `terpadu quality write-suites`")
    return suites

"""The simulator's Arrow CSV writer must write exactly what the csv module writes (the format the
readers and the contract pages promise), and runs must not depend on the process's hash salt."""

import csv
import hashlib
import io
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
from terpadu.simulate.writers import CsvAppender, csv_bytes

TRICKY = ["plain", "", None, "a;b", "a,b", 'say "hi"', "line\nbreak", "cr\rret", "Résidence", "Zoë, S.Pd.",
          ' lead space', '"', "ÆØ€"]


def _reference(rows, delimiter):
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def test_csv_bytes_match_csv_module():
    col_a = np.array(TRICKY, dtype=object)
    col_b = np.array(list(reversed(TRICKY)), dtype=object)
    for delimiter in (";", ","):
        rows = [tuple("" if v is None else v for v in r) for r in zip(col_a, col_b, strict=True)]
        assert csv_bytes([col_a, pa.array(col_b, pa.string()), "K"], len(col_a), delimiter) == \
            _reference([(*r, "K") for r in rows], delimiter)


def test_cp1252_appender_replaces_what_1252_lacks(tmp_path):
    w = CsvAppender(tmp_path / "x.csv", ["A", "B"], ";", "cp1252")
    w.append({"A": np.array(["Résidence", "Ŝ"], dtype=object), "B": np.array(["€", "x;y"], dtype=object)})
    assert (tmp_path / "x.csv").read_bytes() == "A;B\r\nRésidence;€\r\n?;\"x;y\"\r\n".encode("cp1252")
    assert w.rows == 2


_RUN = """
import dataclasses, pathlib, sys
from terpadu.settings import Settings
from terpadu.simulate import simulate
s = dataclasses.replace(Settings.from_env(), state_dir=pathlib.Path(sys.argv[1]))
simulate(s, regions=["81.71", "35.10"], persons=3000, seed=5, period="202610", progress=lambda *_: None)
"""


def test_output_does_not_depend_on_hash_seed(tmp_path):
    digests = []
    for salt in ("1", "2"):
        out = tmp_path / salt
        subprocess.run([sys.executable, "-c", _RUN, str(out)], check=True,
                       env={**os.environ, "PYTHONHASHSEED": salt})
        digests.append({p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in sorted(out.rglob("*")) if p.is_file()})
    assert digests[0] == digests[1] and len(digests[0]) == 16  # 12 deliveries (2 regions) + 4 truth tables

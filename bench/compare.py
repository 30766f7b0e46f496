#!/usr/bin/env python3
"""Check that the baselines computed the same thing as jiucuo.

    compare.py bench/out/N

Compares the analyze outputs (deadlines, repeats, hotspots, outcomes, validate)
of run-duckdb-analyze and run-pandas-analyze with run-jiucuo-analyze, as
multisets of rows after normalising types (dates as text, floats to 6
significant digits, lists as text); the free-text `message` column of the
findings is left out (the baselines phrase messages more briefly).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import duckdb

TABLES = ["deadlines", "repeats", "hotspots", "outcomes", "validate"]


def norm_select(con, path):
    cols = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
    out = []
    for name, ty, *_ in cols:
        if name == "message":
            continue
        c = f'"{name}"'
        if ty.startswith("TIMESTAMP"):
            e = f"CAST(CAST({c} AS DATE) AS VARCHAR)"
        elif ty in ("DOUBLE", "FLOAT"):
            e = f"CASE WHEN {c} IS NULL OR isnan({c}) THEN NULL ELSE printf('%.6e', {c}) END"
        else:
            e = f"CAST({c} AS VARCHAR)"
        out.append(f"{e} AS {c}")
    return f"SELECT {', '.join(out)} FROM read_parquet('{path}')"


def main():
    d = Path(sys.argv[1])
    ref = d / "run-jiucuo-analyze"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    # spill into the system's temporary folder, not `.tmp` where it runs
    spill = os.path.join(tempfile.gettempdir(), "duckdb-bench")
    con.execute(f"SET temp_directory = '{spill}'")
    print(f"== {d.name} rows")
    if not (ref / "deadlines.parquet").exists():
        print("  no jiucuo analyze output to compare with")
        return
    for other in ("duckdb", "pandas"):
        od = d / f"run-{other}-analyze"
        if not (od / "deadlines.parquet").exists():
            print(f"  {other}: no output (did not finish)")
            continue
        verdicts = []
        for t in TABLES:
            a, b = norm_select(con, ref / f"{t}.parquet"), norm_select(con, od / f"{t}.parquet")
            try:
                na = con.execute(f"SELECT count(*) FROM ({a})").fetchall()[0][0]
                nb = con.execute(f"SELECT count(*) FROM ({b})").fetchall()[0][0]
                only_a = con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchall()[0][0]
                only_b = con.execute(f"SELECT count(*) FROM ({b} EXCEPT ALL {a})").fetchall()[0][0]
            except Exception as e:  # noqa: BLE001
                verdicts.append(f"{t}: error {str(e).splitlines()[0]}")
                continue
            if only_a == only_b == 0:
                verdicts.append(f"{t}: same ({na} rows)")
            else:
                verdicts.append(f"{t}: DIFFERS ({na} vs {nb} rows; {only_a} only in jiucuo, {only_b} only in {other})")
        print(f"  {other}: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()

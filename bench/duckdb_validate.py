#!/usr/bin/env python3
"""DuckDB baseline for `jiucuo validate`: ingest + casts + checks.

    duckdb_validate.py LEDGER.csv --output findings.csv [--rejects rejects.csv]

Mirrors src/ingest/: every cell read as VARCHAR, trimmed, missing markers to
NULL, dates through try_strptime over the five written forms (COALESCE),
booleans from 是/否 etc., ints, enum checks, officer lists split, clause
citations parsed (on the distinct texts), then the row checks (required
fields, taxonomy, clause range/outcome, chronology, limits, pilot period) and
the duplicate-id rule. Prints `read N, analysed A, rejected R`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common as C  # noqa: E402


def q(s: str) -> str:
    """SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def qi(s: str) -> str:
    """SQL identifier."""
    return '"' + s.replace('"', '""') + '"'


def str_list(values) -> str:
    return "[" + ", ".join(q(v) for v in values) + "]"


MISSING = str_list(C.MISSING)


# Unicode white space (Rust's str::trim) plus BOM / zero-width space, as an RE2 class.
WS_CLASS = r"[\s\x{0b}\x{85}\x{a0}\x{1680}\x{2000}-\x{200b}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}]"
TRIM_RE = q(f"^{WS_CLASS}+|{WS_CLASS}+$")


WS = q(C.WHITESPACE)


def trimmed(raw: str) -> str:
    # trim(s, chars) with a long character set is slow in DuckDB, and so is a regex
    # on every cell: only cells that start or end with white space go through it.
    return (f"(CASE WHEN contains({WS}, left({raw}, 1)) OR contains({WS}, right({raw}, 1)) "
            f"THEN regexp_replace({raw}, {TRIM_RE}, '', 'g') ELSE {raw} END)")



def cleaned_fast(raw: str) -> str:
    # list_contains is cheaper than IN (subquery)
    t = trimmed(raw)
    return f"(CASE WHEN list_contains({MISSING}, {t}) THEN NULL ELSE {t} END)"


def stage1_expr(name: str, ty, raw: str) -> list[str]:
    """First stage: trimmed / cleaned text of one input column (computed once)."""
    if ty == "clause":
        return []
    if ty == "list":
        parts = (f"list_filter(list_transform(regexp_split_to_array({trimmed(raw)}, {q(C.LIST_SPLIT)}), "
                 f"lambda x: {trimmed('x')}), lambda x: x <> '')")
        # a missing marker ("无") means no officers: a unit-level case
        return [f"CASE WHEN {cleaned_fast(raw)} IS NULL THEN NULL ELSE {parts} END AS p_{name}"]
    if ty == "bool":
        return [f"lower({trimmed(raw)}) AS l_{name}", f"{cleaned_fast(raw)} AS t_{name}"]
    if ty == "text" and name == "summary":
        return [f"nullif({trimmed(raw)}, '') AS t_{name}"]
    return [f"{cleaned_fast(raw)} AS t_{name}"]


def typed_expr(name: str, ty) -> tuple[str, str | None]:
    """Second stage: (typed expression, 'bad' expression or None); bad = input text
    present but unreadable (a finding)."""
    t = f"t_{name}"
    if ty == "text":
        return t, None
    if isinstance(ty, list):
        sq = f"regexp_replace({t}, '\\s+', '', 'g')"
        return (f"(CASE WHEN list_contains({str_list(ty)}, {sq}) THEN {sq} END)",
                f"({t} IS NOT NULL AND NOT list_contains({str_list(ty)}, {sq}))")
    if ty == "bool":
        low = f"l_{name}"
        expr = (f"(CASE WHEN list_contains({str_list(C.TRUE_WORDS)}, {low}) THEN true "
                f"WHEN list_contains({str_list(C.FALSE_WORDS)}, {low}) THEN false END)")
        bad = f"({t} IS NOT NULL AND NOT list_contains({str_list(C.TRUE_WORDS + C.FALSE_WORDS)}, {low}))"
        return expr, bad
    if ty == "int":
        return f"TRY_CAST({t} AS BIGINT)", f"({t} IS NOT NULL AND TRY_CAST({t} AS BIGINT) IS NULL)"
    if ty == "date":
        parts = ", ".join(f"try_strptime({t}, {q(f)})" for f in C.DATE_FORMATS)
        # years outside 1900-2200 are nulled in the outer stage
        return f"CAST(COALESCE({parts}) AS DATE)", None
    if ty == "list":
        p = f"p_{name}"
        return f"nullif(list_filter({p}, lambda x, i: list_position({p}, x) = i), [])", None
    raise ValueError(ty)


def ingest(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Create tables raw, typed, findings and cases (the analysed rows)."""
    # 1. Read every cell as text, keep input order; row = spreadsheet row number.
    con.execute(f"""
        CREATE TABLE raw AS
        SELECT * FROM read_csv({q(path)}, all_varchar = true, header = true, delim = ',',
                               quote = '"', escape = '"')
    """)
    headers = [r[0] for r in con.execute("DESCRIBE raw").fetchall()]
    missing = [h for n, h, _, req in C.FIELDS if req and h not in headers]
    if missing:
        raise SystemExit(f"missing required columns: {missing}")
    # Spreadsheet row number = rowid + 2 (insertion order is kept); fully blank
    # records are skipped when the typed table is built.
    any_filled = " OR ".join(f"coalesce({trimmed('r.' + qi(h))}, '') <> ''" for h in headers)

    # 2. Distinct clause texts → (article, item) once each.
    clause_vals = [r[0] for r in con.execute(
        f"SELECT DISTINCT {qi(C.HEADER['clause'])} FROM raw").fetchall()]
    con.execute("CREATE TABLE clause_map (txt VARCHAR, article INTEGER, item INTEGER, invalid BOOLEAN)")
    rows = [r for r in C.clause_table(clause_vals) if r[0] is not None]
    if rows:
        con.executemany("INSERT INTO clause_map VALUES (?, ?, ?, ?)", rows)

    # 3. Typed frame (all rows, before rejection) plus per-field "unreadable" flags.
    s1, sel, bads, date_fields = ["r.rowid + 2 AS row"], ["row"], [], []
    for name, header, ty, _ in C.FIELDS:
        if header not in headers:
            sel.append(f"NULL AS {name}")
            continue
        raw = f"r.{qi(header)}"
        s1 += stage1_expr(name, ty, raw)
        if ty == "clause":
            s1.append("cm.article AS clause_article, cm.item AS clause_item")
            s1.append("coalesce(cm.invalid, false) AS bad_clause")
            sel.append("CASE WHEN clause_article IS NULL THEN NULL ELSE clause_article::VARCHAR "
                       "|| coalesce('.' || clause_item::VARCHAR, '') END AS clause")
            sel += ["clause_article", "clause_item", "bad_clause"]
            bads.append(name)
            continue
        expr, bad = typed_expr(name, ty)
        sel.append(f"{expr} AS {name}")
        if bad is not None:
            sel.append(f"{bad} AS bad_{name}")
            bads.append(name)
        if ty == "date":
            # text present, not a missing marker, not parsed → unreadable
            sel.append(f"(t_{name} IS NOT NULL) AS has_{name}")
            date_fields.append(name)
            bads.append(name)
    in_years = {n: f"year({n}) BETWEEN 1900 AND 2200" for n in date_fields}
    # A record repeating the header (two exports concatenated) is rejected.
    named = [h for h in headers if h]
    same = " + ".join(f"CAST(coalesce({trimmed('r.' + qi(h))} = {q(h)}, false) AS INTEGER)" for h in named)
    s1.append(f"({same}) * 2 > {len(named)} AS repeated_header")
    sel.append("repeated_header")
    outer = ["* EXCLUDE (" + ", ".join(f"has_{n}" for n in date_fields) + ") REPLACE ("
             + ", ".join(f"CASE WHEN {in_years[n]} THEN {n} END AS {n}" for n in date_fields) + ")"]
    outer += [f"(has_{n} AND NOT coalesce({in_years[n]}, false)) AS bad_{n}" for n in date_fields]
    con.execute(f"""
        CREATE TABLE typed AS
        SELECT {', '.join(outer)} FROM (
            SELECT {', '.join(sel)} FROM (
                SELECT {', '.join(s1)}
                FROM raw r LEFT JOIN clause_map cm ON cm.txt = r.{qi(C.HEADER['clause'])}
                WHERE {any_filled}
            )
        )
    """)

    # 4. Findings, from the typed table alone; `{v}` in a message stands for the
    # raw cell, filled in after the (small) findings are joined back to raw.
    parts = []

    def finding(field, severity, code, message_sql, where):
        parts.append(f"""
            SELECT row, case_id, {q(field)} AS field, {q(severity)} AS severity,
                   {q(code)} AS code, {message_sql} AS message
            FROM typed WHERE {where}""")

    for name, header, ty, _ in C.FIELDS:
        if name not in bads:
            continue
        h = C.HEADER[name]
        if ty == "date":
            finding(name, "error", "date-invalid",
                    f"'“{h}”列的“{{v}}”不是有效日期（可用格式：2025-03-01、2025/3/1、2025.3.1、20250301、2025年3月1日）'",
                    f"bad_{name}")
        elif ty == "int":
            finding(name, "warning", "int-invalid", f"'“{h}”列的“{{v}}”不是有效整数（该值不予采用）'", f"bad_{name}")
        elif ty == "bool":
            finding(name, "warning", "bool-invalid", f"'“{h}”列的“{{v}}”不是有效的是/否值（该值不予采用）'", f"bad_{name}")
        elif isinstance(ty, list):
            strict = name in C.STRICT_ENUMS
            finding(name, "error" if strict else "warning", "enum-invalid" if strict else "enum-unknown",
                    f"'“{h}”列的“{{v}}”不是允许的取值（可选：{'、'.join(ty)}）'", f"bad_{name}")
        elif ty == "clause":
            finding(name, "warning", "clause-invalid",
                    f"'“{h}”列的“{{v}}”无法识别为条款（该条款不计入条款统计）'", "bad_clause")
    for name, header, ty, req in C.FIELDS:
        if not req:
            continue
        h = C.HEADER[name]
        unreadable = f"bad_{name}" if name in bads else "false"
        finding(name, "error", "required-missing", f"'必填的“{h}”为空，请补填后重新导入'",
                f"{name} IS NULL AND NOT {unreadable}")
    finding("error_type", "warning", "error-type-unknown",
            "'“问题类型”列的“{v}”不在问题类型表中（已保留）'",
            f"error_type IS NOT NULL AND NOT list_contains({str_list(C.ERROR_TYPES)}, error_type)")
    mx = "(CASE clause_article WHEN 9 THEN 9 WHEN 10 THEN 10 WHEN 11 THEN 3 WHEN 12 THEN 7 END)"
    ok_range = f"({mx} IS NOT NULL AND (clause_item IS NULL OR clause_item BETWEEN 1 AND {mx}))"
    supports = ("(CASE clause_article WHEN 9 THEN outcome = '履职尽责' "
                "WHEN 10 THEN outcome IN ('免责', '减轻', '从轻') "
                "WHEN 11 THEN outcome IN ('减轻', '从轻') WHEN 12 THEN outcome = '不予容错' ELSE false END)")
    finding("clause", "warning", "clause-out-of-range",
            "'“适用条款”列的“{v}”超出办法条款范围'",
            f"clause_article IS NOT NULL AND NOT {ok_range}")
    finding("clause", "warning", "clause-outcome-mismatch",
            "'“适用条款”列的“{v}”（第' || clause_article || '条）不支撑认定结果“' || outcome || '”'",
            f"clause_article IS NOT NULL AND {ok_range} AND outcome IS NOT NULL AND NOT {supports}")
    for a, b in C.CHRONOLOGY:
        finding(b, "warning", "chronology",
                f"'“{C.HEADER[b]}”' || {b} || ' 早于“{C.HEADER[a]}”' || {a} || '，时间顺序不可能，请核对'",
                f"{b} < {a}")
    finding("extension_days", "warning", "extension-over-30",
            "'延长 ' || extension_days || ' 天超过第十七条规定的 30 天上限（期限计算按 30 天计）'",
            "extension_days > 30")
    for name, _, ty, _ in C.FIELDS:
        if ty == "int":
            finding(name, "warning", "int-negative",
                    f"'“{C.HEADER[name]}”为负数 ' || {name} || '（该值不予采用）'", f"{name} < 0")
    parts.append("""
            SELECT row, NULL AS case_id, '（整行）' AS field, 'error' AS severity,
                   'header-repeated' AS code,
                   '本行是重复的表头（常见于把几个导出文件拼在一起），已拒收；删除此行即可' AS message
            FROM typed WHERE repeated_header""")
    a, b = C.PILOT
    finding("filed_on", "warning", "outside-pilot",
            f"'立案日期 ' || filed_on || ' 不在试点期间（{a} 至 {b}，第二十四条）内'",
            f"filed_on < DATE '{a}' OR filed_on > DATE '{b}'")
    value_of = "CASE f.field " + " ".join(
        f"WHEN {q(n)} THEN r.{qi(h)}" for n, h, _, _ in C.FIELDS if h in headers) + " END"
    header_of = ("CASE f.field " + " ".join(f"WHEN {q(n)} THEN {q(h)}" for n, h, _, _ in C.FIELDS)
                 + " ELSE f.field END")
    con.execute(f"""
        CREATE TABLE findings0 AS
        SELECT f.row, f.case_id, {header_of} AS "column", coalesce({value_of}, '') AS value,
               f.severity, f.code, replace(f.message, '{{v}}', left(coalesce({value_of}, ''), 40)) AS message
        FROM ({' UNION ALL '.join(parts)}) f JOIN raw r ON r.rowid + 2 = f.row
    """)

    # 5. Duplicate case ids: first copy without other errors stays (warning), the rest are rejected.
    h = C.HEADER["case_id"]
    con.execute(f"""
        CREATE TABLE findings AS
        WITH rejected AS (SELECT DISTINCT row FROM findings0 WHERE severity = 'error'),
        ids AS (
            SELECT t.row, t.case_id, rj.row IS NOT NULL AS rej
            FROM typed t LEFT JOIN rejected rj USING (row)
            WHERE t.case_id IN (SELECT case_id FROM typed WHERE case_id IS NOT NULL
                                GROUP BY case_id HAVING count(*) > 1)
        ),
        kept AS (
            SELECT case_id, coalesce(min(row) FILTER (WHERE NOT rej), min(row)) AS kept,
                   string_agg('第' || row || '行', '、' ORDER BY row) AS all_rows
            FROM ids GROUP BY case_id
        ),
        dups AS (
            SELECT i.row, i.case_id, {q(h)} AS "column", i.case_id AS value,
                   'warning' AS severity, 'duplicate-kept' AS code,
                   '案件编号“' || i.case_id || '”重复：保留本行，其余拒收' AS message
            FROM ids i JOIN kept k USING (case_id) WHERE i.row = k.kept AND NOT i.rej
            UNION ALL
            SELECT i.row, i.case_id, {q(h)}, i.case_id, 'error', 'duplicate-case',
                   '案件编号“' || i.case_id || '”与第' || k.kept || '行重复，本行拒收'
            FROM ids i JOIN kept k USING (case_id) WHERE i.row <> k.kept
        )
        SELECT DISTINCT * FROM (SELECT * FROM findings0 UNION ALL SELECT * FROM dups)
        ORDER BY row, "column", code, message
    """)
    con.execute("DROP TABLE findings0")
    con.execute("CREATE TABLE rejected_rows AS SELECT DISTINCT row FROM findings WHERE severity = 'error'")
    # 6. Analysed rows; negative ints are not used (NULL).
    cols = [r[0] for r in con.execute("DESCRIBE typed").fetchall()]
    keep = []
    for c in cols:
        if c.startswith("bad_") or c == "repeated_header":
            continue
        ty = next((f[2] for f in C.FIELDS if f[0] == c), None)
        keep.append(f"CASE WHEN {c} < 0 THEN NULL ELSE {c} END AS {c}" if ty == "int" else c)
    con.execute(f"""
        CREATE TABLE cases AS SELECT {', '.join(keep)} FROM typed
        WHERE row NOT IN (SELECT row FROM rejected_rows)
    """)


def accounting(con):
    read = con.execute("SELECT count(*) FROM typed").fetchall()[0][0]
    analysed = con.execute("SELECT count(*) FROM cases").fetchall()[0][0]
    return read, analysed, read - analysed


def connect(threads: int | None = None):
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    # spill into the system's temporary folder, not `.tmp` in the folder the
    # benchmark runs from (the repository)
    con.execute(f"SET temp_directory = {q(os.path.join(tempfile.gettempdir(), 'duckdb-bench'))}")
    if threads:
        con.execute(f"SET threads = {threads}")
    return con


def write_findings_csv(con, output):
    # UTF-8 with BOM, like jiucuo's CSV output.
    con.execute(f"COPY findings TO {q(output + '.tmp')} (HEADER, DELIMITER ',')")
    with open(output + ".tmp", "rb") as src, open(output, "wb") as dst:
        dst.write(b"\xef\xbb\xbf")
        while chunk := src.read(1 << 20):
            dst.write(chunk)
    Path(output + ".tmp").unlink()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ledger")
    ap.add_argument("--output", required=True)
    ap.add_argument("--rejects")
    ap.add_argument("--threads", type=int)
    a = ap.parse_args()
    con = connect(a.threads)
    ingest(con, a.ledger)
    write_findings_csv(con, a.output)
    n, ok, rej = accounting(con)
    if rej and a.rejects:
        con.execute(f"""
            COPY (SELECT r.*, f.reasons AS 拒收原因
                  FROM raw r JOIN (SELECT row, string_agg(message, '；' ORDER BY "column", code) AS reasons
                                   FROM findings WHERE severity = 'error' GROUP BY row) f ON r.rowid + 2 = f.row
                  ORDER BY f.row) TO {q(a.rejects)} (HEADER)
        """)
    print(f"read {n}, analysed {ok}, rejected {rej}", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""DuckDB baseline for `jiucuo analyze`: ingest + validate (duckdb_validate.ingest),
then deadlines, repeats, hotspots and outcomes, each written as Parquet.

    duckdb_analyze.py LEDGER.csv --volume volume.csv --as-of 2026-11-30 --out DIR

- deadlines: the dated rules as a long table; the period end is found by a join
  with a day-by-day calendar table built from data/holidays-cn.csv (each day
  carries its next working day and a running count of working days, so the
  roll-forward and the due-soon count are both plain equi-joins);
- repeats: officer lists unnested, rows numbered per (officer, problem) by a
  window, earlier cases found by a self-join on (officer, problem, rn < rn);
- hotspots: cell counts by group-by per quarter and cell kind; the exact
  Poisson tests, funnel limits and BH run in Python on that small table
  (common.hotspot_cells); case ids of the flagged cells by a join back;
- outcomes: group-bys joined onto the item grids.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common as C  # noqa: E402
import duckdb_validate as V  # noqa: E402
from duckdb_validate import q, str_list  # noqa: E402

TOL = str_list(C.TOLERANCE)


def deadlines(con, as_of: dt.date):
    # (DuckDB's least() ignores NULLs, hence the CASE)
    ext = "CASE WHEN extension_days > 30 THEN 30 ELSE coalesce(extension_days, 0) END"
    rules = [
        ("D15-handle", 15, "transferred_on", "handled_on", "30", None),
        ("D15-report", 15, "handled_on", "handling_reported_on", "7", None),
        ("D17-decide", 17, "filed_on", "decided_on", f"30 + coalesce(appraisal_days, 0) + {ext}", None),
        ("D17-notify", 17, "decided_on", "notified_on", "7", None),
        ("D19-apply", 19, "notified_on", "review_applied_on", "15",
         "notified_on IS NOT NULL AND review_applied_on IS NOT NULL"),
        ("D19-decide", 19, "review_applied_on", "review_decided_on", "30", None),
        ("D20-rectify", 20, "decided_on", "rectified_on", None,
         "rectify_due IS NOT NULL OR rectify_extended_to IS NOT NULL"),
    ]
    parts = []
    for rid, art, start, actual, days, applies in rules:
        applies = applies or f"{start} IS NOT NULL"
        days_sql = f"CAST({days} AS BIGINT)" if days else "CAST(NULL AS BIGINT)"
        fixed = "CAST(NULL AS DATE)" if days else "coalesce(rectify_extended_to, rectify_due)"
        parts.append(f"""SELECT case_id, unit, {q(rid)} AS rule, {art} AS article, {start} AS start,
                         {days_sql} AS days, {fixed} AS fixed_deadline, {actual} AS actual
                         FROM cases WHERE {applies}""")
    con.execute("CREATE TABLE dl_long AS " + " UNION ALL ".join(parts))

    # Calendar table over every day the deadlines can touch.
    lo, hi, maxdays = con.execute(
        "SELECT min(least(start, fixed_deadline)), max(greatest(start, fixed_deadline)), max(days) FROM dl_long"
    ).fetchall()[0]
    lo = min(lo or as_of, as_of) - dt.timedelta(10)
    hi = max(hi or as_of, as_of) + dt.timedelta(int(maxdays or 0) + 90)
    days, working, nxt, cum, cov, covered = C.calendar_rows(lo, hi)
    cal = pd.DataFrame({"day": days, "working": working, "next_working": nxt, "cum": cum, "covered": cov})
    cal["day"] = pd.to_datetime(cal["day"]).dt.date
    cal["next_working"] = pd.to_datetime(cal["next_working"]).dt.date
    con.register("cal_df", cal)
    con.execute("CREATE TABLE cal AS SELECT * FROM cal_df")
    con.unregister("cal_df")
    cum_asof = con.execute(f"SELECT cum FROM cal WHERE day = DATE '{as_of}'").fetchall()[0][0]
    note_cases = " ".join(f"WHEN {y} THEN {q(C.assumed_note(y, covered))}" for y in range(lo.year, hi.year + 1))
    con.execute(f"""
        CREATE TABLE deadlines AS
        WITH d AS (
            SELECT l.*, c.next_working AS period_end,
                   NOT (c.covered AND coalesce(c2.covered, false)) AS assumed
            FROM dl_long l
            LEFT JOIN cal c ON c.day = CAST(l.start + CAST(l.days AS INTEGER) AS DATE)
            LEFT JOIN cal c2 ON c2.day = c.next_working
        ), d2 AS (
            SELECT d.*, coalesce(fixed_deadline, period_end) AS deadline FROM d
        ), d3 AS (
            SELECT d2.*, CASE WHEN d2.deadline <= DATE '{as_of}' THEN 0 ELSE c.cum - {cum_asof} END AS wd_left
            FROM d2 LEFT JOIN cal c ON c.day = d2.deadline
        )
        SELECT case_id, unit, rule, article, start, deadline, actual,
               CAST(CASE WHEN actual IS NOT NULL AND actual > deadline THEN actual - deadline
                         WHEN actual IS NULL AND deadline < DATE '{as_of}' THEN DATE '{as_of}' - deadline
                         ELSE 0 END AS BIGINT) AS days_late,
               CASE WHEN actual IS NOT NULL AND actual <= deadline THEN 'met'
                    WHEN actual IS NOT NULL THEN 'late'
                    WHEN deadline < DATE '{as_of}' THEN 'overdue'
                    WHEN wd_left <= {C.DUE_SOON_DAYS} THEN 'due-soon'
                    ELSE 'pending' END AS status,
               CASE WHEN fixed_deadline IS NULL AND assumed THEN CASE year(deadline) {note_cases} END END AS note
        FROM d3
        UNION ALL
        SELECT case_id, unit, 'D16-two', 16, NULL, NULL, NULL, 0,
               CASE WHEN investigators >= 2 THEN 'met' ELSE 'breach' END, NULL
        FROM cases WHERE investigators IS NOT NULL
        UNION ALL
        SELECT case_id, unit, 'D16-recusal', 16, NULL, NULL, NULL, 0,
               CASE WHEN NOT recusal_breach THEN 'met' ELSE 'breach' END, NULL
        FROM cases WHERE recusal_breach IS NOT NULL
        UNION ALL
        SELECT case_id, unit, 'D17-extend', 17, NULL, NULL, NULL, 0,
               CASE WHEN extension_days <= 30 THEN 'met' ELSE 'breach' END, NULL
        FROM cases WHERE extension_days IS NOT NULL
        UNION ALL
        SELECT case_id, unit, 'D22-feedback', 22, NULL, NULL, NULL, 0,
               CASE WHEN reporter_feedback_on IS NOT NULL THEN 'met' ELSE 'breach' END, NULL
        FROM cases
        WHERE source = '实名举报' AND decided_on IS NOT NULL
          AND (coalesce(complaint_finding IN ('不属实', '查无实据'), false)
               OR coalesce(list_contains({TOL}, outcome), false))
        ORDER BY case_id, rule
    """)


def repeats(con):
    con.execute(f"""
        CREATE TABLE co AS
        SELECT *, row_number() OVER (PARTITION BY officer, problem ORDER BY filed_on, case_id) AS rn
        FROM (
            SELECT case_id, unnest(officers) AS officer, unit, error_type AS problem,
                   coalesce(subjective_fault, false) AS subjective, filed_on, decided_on, outcome,
                   coalesce(list_contains({TOL}, outcome), false) AS tolerated
            FROM cases WHERE officers IS NOT NULL AND filed_on IS NOT NULL
        ) WHERE officer IS NOT NULL
    """)
    con.execute(f"""
        CREATE TABLE repeats AS
        WITH pairs AS (
            SELECT a.case_id, a.officer, a.unit, a.problem, a.filed_on, a.outcome,
                   'R-subjective' AS kind, b.case_id AS prior_id, b.filed_on AS prior_filed, b.rn AS prior_rn
            FROM co a JOIN co b ON a.officer = b.officer AND a.problem = b.problem AND b.rn < a.rn
            WHERE a.subjective AND b.subjective
            UNION ALL
            SELECT a.case_id, a.officer, a.unit, a.problem, a.filed_on, a.outcome,
                   'R-after-tolerance', b.case_id, b.filed_on, b.rn
            FROM co a JOIN co b ON a.officer = b.officer AND a.problem = b.problem AND b.rn < a.rn
            WHERE b.tolerated AND b.decided_on <= a.filed_on
        )
        SELECT case_id, officer, unit, problem, kind,
               list(prior_id ORDER BY prior_rn) AS prior_case_ids,
               arg_min(prior_filed, prior_rn) AS first_prior_on,
               CAST(filed_on - arg_max(prior_filed, prior_rn) AS BIGINT) AS gap_days,
               outcome,
               coalesce(list_contains({TOL}, outcome), false) AS inconsistent,
               filed_on AS __filed
        FROM pairs
        GROUP BY case_id, officer, unit, problem, kind, filed_on, outcome
        ORDER BY officer, __filed, case_id, kind
    """)


def hotspots(con, volume_path):
    lo, hi = con.execute("SELECT min(filed_on), max(filed_on) FROM cases").fetchall()[0]
    if lo is None:
        con.execute("CREATE TABLE hotspots AS SELECT NULL AS window WHERE false")
        return
    data_first = max(lo, C.PILOT[0])
    data_last = max(min(hi, C.PILOT[1]), data_first)
    qa, qb = C.q_first(C.quarter_of(data_first)), C.q_last(C.quarter_of(data_last))
    weight = " ".join(f"WHEN {q(o)} THEN {w}" for o, w in C.WEIGHTS.items())
    # unit_repeat: the unit already had an earlier case of the error type,
    # both subjective, or one tolerated and decided by this one's filing day
    # (rules.md §3 at unit level; earlier cases before the pilot count too).
    con.execute(f"""
        CREATE TABLE hs AS
        WITH r AS (
            SELECT case_id, unit, domain, error_type, filed_on, outcome,
                   coalesce(subjective_fault, false) AS subj,
                   max(CASE WHEN subjective_fault THEN 1 END) OVER earlier AS prior_subj,
                   min(CASE WHEN list_contains({TOL}, outcome) THEN decided_on END) OVER earlier
                       AS first_tol_decided
            FROM cases WHERE filed_on IS NOT NULL
            WINDOW earlier AS (PARTITION BY unit, error_type ORDER BY filed_on, case_id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        )
        SELECT case_id, unit, domain, error_type,
               year(filed_on) || 'Q' || quarter(filed_on) AS win,
               CASE WHEN outcome IS NULL THEN {C.WEIGHT_UNDECIDED}
                    ELSE CASE outcome {weight} ELSE 1.0 END END AS weight,
               (subj AND prior_subj IS NOT NULL) OR coalesce(first_tol_decided <= filed_on, false)
                   AS unit_repeat
        FROM r WHERE filed_on BETWEEN DATE '{qa}' AND DATE '{qb}'
    """)
    counts = []
    for dims, k1, k2 in C.DIMS:
        counts += con.execute(f"""
            SELECT win, {q(dims)}, {k1}, {k2}, count(*), sum(weight) FROM hs
            WHERE {k1} IS NOT NULL AND {k2} IS NOT NULL GROUP BY ALL
        """).fetchall()
    vol = C.Volume(C.read_volume(volume_path)) if volume_path else None
    cells = C.hotspot_rows(C.hotspot_cells(counts, data_first, data_last, vol))
    flagged = pd.DataFrame(cells, columns=["window", "dims", "unit", "domain", "error_type", "k1", "k2",
                                           "count", "weighted", "expected", "ratio", "p_value",
                                           "q_value", "signals", "level"])
    flagged["order"] = range(len(flagged))
    con.register("flagged_df", flagged)
    con.execute("CREATE TABLE flagged AS SELECT * FROM flagged_df")
    con.unregister("flagged_df")
    ids = " UNION ALL ".join(f"""
        SELECT f."order", list(h.case_id ORDER BY h.case_id) AS case_ids,
               {"count_if(h.unit_repeat)" if dims == "unit×error_type" else "NULL"}::BIGINT
                   AS unit_repeats
        FROM flagged f JOIN hs h ON h.win = f.window AND h.{k1} = f.k1 AND h.{k2} = f.k2
        WHERE f.dims = {q(dims)} GROUP BY f."order" """ for dims, k1, k2 in C.DIMS)
    con.execute(f"""
        CREATE TABLE hotspots AS
        SELECT f.window, f.dims, f.unit, f.domain, f.error_type, f.count, f.weighted, f.expected,
               f.ratio, f.p_value, f.q_value, f.signals, f.level, coalesce(i.case_ids, []) AS case_ids,
               CASE WHEN f.dims = 'unit×error_type' THEN coalesce(i.unit_repeats, 0) END AS unit_repeats
        FROM flagged f LEFT JOIN ({ids}) i USING ("order")
        ORDER BY f.window, f.weighted DESC, f.dims, f.unit NULLS FIRST, f.domain NULLS FIRST,
                 f.error_type NULLS FIRST
    """)


def outcomes(con):
    con.execute("CREATE TABLE decided AS SELECT * FROM cases WHERE decided_on IS NOT NULL AND outcome IS NOT NULL")
    outcomes_list = str_list(C.OUTCOMES)
    unfounded = "coalesce(complaint_finding IN ('不属实', '查无实据'), false)"
    rect_state = ("CASE WHEN rectified_on IS NULL THEN '未完成' "
                  "WHEN rectified_on <= coalesce(rectify_extended_to, rectify_due) THEN '按期完成' "
                  "ELSE '逾期完成' END")
    # (section, source rows, group expr, item expr, base rows, items, groups from)
    due = "(SELECT * FROM cases WHERE rectify_due IS NOT NULL OR rectify_extended_to IS NOT NULL)"
    owed = (f"(SELECT * FROM decided WHERE source = '实名举报' AND ({unfounded} "
            f"OR list_contains({str_list(C.TOLERANCE)}, outcome)))")
    secs = [
        ("outcome_by_quarter", "decided", "year(decided_on) || 'Q' || quarter(decided_on)", "outcome",
         "decided", outcomes_list, "decided"),
        ("outcome_by_unit", "decided", "unit", "outcome", "decided", outcomes_list, "decided"),
        ("outcome_by_domain", "decided", "domain", "outcome", "decided", outcomes_list, "decided"),
        ("clause_use", "(SELECT * FROM decided WHERE clause_article IS NOT NULL AND clause_item IS NOT NULL)",
         "'全部'", "clause_article || '.' || clause_item",
         "(SELECT * FROM decided WHERE clause_article IS NOT NULL AND clause_item IS NOT NULL)",
         str_list(C.CLAUSE_ITEMS), "(SELECT '全部' AS unit)"),
        ("review_by_unit", "(SELECT * FROM decided WHERE review_applied_on IS NOT NULL)", "unit",
         "'复核申请'", "decided", "['复核申请']", "decided"),
        ("review_changed_by_unit", "(SELECT * FROM decided WHERE review_result IS NOT NULL AND review_result <> '维持')",
         "unit", "'变更或撤销'", "(SELECT * FROM decided WHERE review_result IS NOT NULL)", "['变更或撤销']",
         "decided"),
        ("rectification_by_unit", due, "unit", rect_state, due, "['按期完成', '逾期完成', '未完成']", due),
        ("reporter_feedback", f"(SELECT * FROM {owed} WHERE reporter_feedback_on IS NOT NULL)", "'实名举报'",
         "'已反馈'", owed, "['已反馈']", "(SELECT '实名举报' AS unit)"),
        ("clarification", f"(SELECT * FROM cases WHERE {unfounded} AND clarified_on IS NOT NULL)",
         "'举报不属实或查无实据'", "'已澄清正名'", f"(SELECT * FROM cases WHERE {unfounded})", "['已澄清正名']",
         "(SELECT '举报不属实或查无实据' AS unit)"),
    ]
    parts = []
    for name, src, group, item, base, items, groups_from in secs:
        gexpr = group if groups_from not in ("(SELECT '全部' AS unit)", "(SELECT '实名举报' AS unit)",
                                              "(SELECT '举报不属实或查无实据' AS unit)") else "unit"
        parts.append(f"""
            SELECT {q(name)} AS section, g."group", it.item, coalesce(c.count, 0) AS count,
                   coalesce(b.base, 0) AS base, it.ord
            FROM (SELECT DISTINCT {gexpr} AS "group" FROM {groups_from} WHERE {gexpr} IS NOT NULL) g
            CROSS JOIN (SELECT unnest({items}) AS item, generate_subscripts({items}, 1) AS ord) it
            LEFT JOIN (SELECT {group} AS "group", {item} AS item, count(*) AS count FROM {src} GROUP BY ALL) c
                   ON c."group" = g."group" AND c.item = it.item
            LEFT JOIN (SELECT {group} AS "group", count(*) AS base FROM {base} GROUP BY ALL) b
                   ON b."group" = g."group"
        """)
    con.execute(f"""
        CREATE TABLE outcomes AS
        SELECT section, "group", item, CAST(count AS BIGINT) AS count, CAST(base AS BIGINT) AS base,
               CASE WHEN base > 0 THEN count / base END AS share
        FROM ({' UNION ALL '.join(parts)}) ORDER BY section, "group", ord
    """)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ledger")
    ap.add_argument("--volume")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int)
    a = ap.parse_args()
    as_of = dt.date.fromisoformat(a.as_of)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    con = V.connect(a.threads)
    V.ingest(con, a.ledger)
    deadlines(con, as_of)
    repeats(con)
    hotspots(con, a.volume)
    outcomes(con)
    for name, sql in [("deadlines", "SELECT * FROM deadlines"),
                      ("repeats", "SELECT * EXCLUDE (__filed) FROM repeats"),
                      ("hotspots", "SELECT * FROM hotspots"),
                      ("outcomes", "SELECT * FROM outcomes"),
                      ("validate", "SELECT * FROM findings")]:
        con.execute(f"COPY ({sql}) TO {q(str(out / (name + '.parquet')))} (FORMAT parquet)")
    n, ok, rej = V.accounting(con)
    print(f"read {n}, analysed {ok}, rejected {rej}", file=sys.stderr)


if __name__ == "__main__":
    main()

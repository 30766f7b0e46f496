#!/usr/bin/env python3
"""DuckDB baseline for `jiucuo analyze`: ingest + validate (duckdb_validate.ingest),
then the ledger as of the as-of date, deadlines, repeats, hotspots and
outcomes, each written as Parquet.

    duckdb_analyze.py LEDGER.csv --volume volume.csv --as-of 2026-11-30 --out DIR

- as-of view: one `SELECT * REPLACE (…) … WHERE` keeps the cases filed in the
  pilot by the as-of date and empties later events (with what they decided);
  every analysis reads that table (`scoped`);
- deadlines: the dated rules as a long table; the period end is found by a join
  with a day-by-day calendar table built from data/holidays-cn.csv (each day
  carries its next working day and a running count of working days, so the
  roll-forward and the due-soon count are both plain equi-joins); the art. 17
  extension is a second join from the rolled deadline;
- repeats: officer lists unnested, rows numbered per (officer, problem) by a
  window, earlier cases found by a self-join on (officer, problem, rn < rn),
  the established, tolerated and pending ones gathered by filtered `list`
  aggregates;
- hotspots: established / undecided / weighted counts by group-by per quarter
  × unit × domain × error type; expectations, over-dispersion, the exact tests
  and BH run in Python on that small table (common.hotspot_cells); case ids of
  the flagged cells by a join back, `after_correction` by an ASOF join on the
  rectification days (each with its count of cases and the previous day, so a
  case's own rectification is stepped over), `officer_repeats` by a join with
  the repeats table;
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

UNFOUNDED = f"coalesce(list_contains({str_list(C.UNFOUNDED)}, complaint_finding), false)"
# determination.rs: established error, cleared, treatment code (0 none,
# 1 容错免责, 2 容错免责 without an art. 10/11 clause), feedback owed.
ESTABLISHED = (f"(decided_on IS NOT NULL AND outcome IS NOT NULL AND outcome <> {q(C.NO_ERROR)} "
               f"AND NOT {UNFOUNDED})")
CLEARED = f"(decided_on IS NOT NULL AND (coalesce(outcome = {q(C.NO_ERROR)}, false) OR {UNFOUNDED}))"
TREATMENT = (f"(CASE WHEN outcome = '免责' THEN 1 WHEN list_contains({str_list(C.MITIGATED)}, outcome) "
             "THEN CASE WHEN clause_article = 10 THEN 1 WHEN clause_article = 11 THEN 0 ELSE 2 END "
             "ELSE 0 END)")
FEEDBACK_OWED = (f"(decided_on IS NOT NULL AND coalesce(source = '实名举报', false) "
                 f"AND ({UNFOUNDED} OR {TREATMENT} > 0))")


def scope(con, as_of: dt.date):
    """Table `scoped`: the cases as they stood on the as-of date (scope.rs)."""
    d = f"DATE '{as_of}'"
    a, b = C.PILOT
    cols = {r[0] for r in con.execute("DESCRIBE cases").fetchall()}
    repl = []
    for event, decided in C.EVENTS:
        for name in [event] + decided:
            if name in cols:
                e = f"CASE WHEN {event} > {d} THEN NULL ELSE {name} END"
                if name == "malicious_report":  # NULL-typed when the column is absent
                    e = f"CAST({e} AS BOOLEAN)"
                repl.append(f"{e} AS {name}")
    con.execute(f"""
        CREATE TABLE scoped AS SELECT * REPLACE ({', '.join(repl)}) FROM cases
        WHERE filed_on <= {d} AND filed_on BETWEEN DATE '{a}' AND DATE '{b}'
    """)


def deadlines(con, as_of: dt.date):
    # (DuckDB's least() ignores NULLs, hence the CASE)
    ext = "CASE WHEN extension_days > 0 THEN CASE WHEN extension_days > 30 THEN 30 ELSE extension_days END END"
    rules = [
        ("D15-handle", 15, "transferred_on", "handled_on", "30", None, None),
        ("D15-report", 15, "handled_on", "handling_reported_on", "7", None, None),
        # art. 15 replaces the office's own investigation
        ("D17-decide", 17, "filed_on", "decided_on", "30 + coalesce(appraisal_days, 0)", ext,
         "filed_on IS NOT NULL AND transferred_on IS NULL"),
        ("D17-notify", 17, "decided_on", "notified_on", "7", None, None),
        ("D19-apply", 19, "notified_on", "review_applied_on", "15", None,
         "notified_on IS NOT NULL AND review_applied_on IS NOT NULL"),
        ("D19-decide", 19, "review_applied_on", "review_decided_on", "30", None, None),
        ("D20-rectify", 20, "decided_on", "rectified_on", None, None,
         "decided_on IS NOT NULL AND (rectify_due IS NOT NULL OR rectify_extended_to IS NOT NULL)"),
    ]
    parts = []
    for rid, art, start, actual, days, extension, applies in rules:
        applies = applies or f"{start} IS NOT NULL"
        days_sql = f"CAST({days} AS BIGINT)" if days else "CAST(NULL AS BIGINT)"
        ext_sql = f"CAST({extension} AS BIGINT)" if extension else "CAST(NULL AS BIGINT)"
        fixed = "CAST(NULL AS DATE)" if days else "coalesce(rectify_extended_to, rectify_due)"
        parts.append(f"""SELECT case_id, unit, {q(rid)} AS rule, {art} AS article, {start} AS start,
                         {days_sql} AS days, {ext_sql} AS ext, {fixed} AS fixed_deadline, {actual} AS actual
                         FROM scoped WHERE {applies}""")
    con.execute("CREATE TABLE dl_long AS " + " UNION ALL ".join(parts))

    # Calendar table over every day the deadlines can touch.
    lo, hi, maxdays = con.execute(
        "SELECT min(least(start, fixed_deadline)), max(greatest(start, fixed_deadline)), "
        "max(days + coalesce(ext, 0)) FROM dl_long"
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
    asof = f"DATE '{as_of}'"
    con.execute(f"""
        CREATE TABLE deadlines AS
        WITH d AS (
            -- start + days, rolled to a working day
            SELECT l.*, c.next_working AS base,
                   coalesce(c.covered AND c2.covered, false) AS covered1
            FROM dl_long l
            LEFT JOIN cal c ON c.day = CAST(l.start + CAST(l.days AS INTEGER) AS DATE)
            LEFT JOIN cal c2 ON c2.day = c.next_working
        ), d1 AS (
            -- the art. 17 extension runs from the rolled deadline and is rolled again
            SELECT d.*, CASE WHEN d.ext IS NULL THEN d.base ELSE c.next_working END AS period_end,
                   NOT (d.covered1 AND (d.ext IS NULL OR coalesce(c.covered AND c2.covered, false)))
                       AS assumed
            FROM d
            LEFT JOIN cal c ON c.day = CAST(d.base + CAST(d.ext AS INTEGER) AS DATE)
            LEFT JOIN cal c2 ON c2.day = c.next_working
        ), d2 AS (
            SELECT d1.*, coalesce(fixed_deadline, period_end) AS deadline FROM d1
        ), d3 AS (
            SELECT d2.*, CASE WHEN d2.deadline <= {asof} THEN 0 ELSE c.cum - {cum_asof} END AS wd_left
            FROM d2 LEFT JOIN cal c ON c.day = d2.deadline
        )
        SELECT case_id, unit, rule, article, start, deadline, actual,
               CAST(CASE WHEN actual IS NOT NULL AND actual > deadline THEN actual - deadline
                         WHEN actual IS NULL AND deadline < {asof} THEN {asof} - deadline
                         ELSE 0 END AS BIGINT) AS days_late,
               CASE WHEN actual IS NOT NULL AND actual <= deadline THEN 'met'
                    WHEN actual IS NOT NULL THEN 'late'
                    WHEN deadline < {asof} THEN 'overdue'
                    WHEN wd_left <= {C.DUE_SOON_DAYS} THEN 'due-soon'
                    ELSE 'pending' END AS status,
               CASE WHEN fixed_deadline IS NULL AND assumed THEN CASE year(deadline) {note_cases} END END AS note
        FROM d3
        UNION ALL
        SELECT case_id, unit, 'D16-two', 16, NULL, NULL, NULL, 0,
               CASE WHEN investigators >= 2 THEN 'met' ELSE 'breach' END, NULL
        FROM scoped WHERE investigators IS NOT NULL
        UNION ALL
        SELECT case_id, unit, 'D16-recusal', 16, NULL, NULL, NULL, 0,
               CASE WHEN NOT recusal_breach THEN 'met' ELSE 'breach' END, NULL
        FROM scoped WHERE recusal_breach IS NOT NULL
        UNION ALL
        SELECT case_id, unit, 'D17-extend', 17, NULL, NULL, NULL, 0,
               CASE WHEN extension_days <= 30 THEN 'met' ELSE 'breach' END, NULL
        FROM scoped WHERE extension_days > 0
        UNION ALL
        -- art. 22 sets no period: met once feedback is recorded, pending until then
        SELECT case_id, unit, 'D22-feedback', 22, decided_on, NULL, reporter_feedback_on, 0,
               CASE WHEN reporter_feedback_on IS NOT NULL THEN 'met' ELSE 'pending' END, NULL
        FROM scoped WHERE {FEEDBACK_OWED}
        ORDER BY case_id, rule
    """)


def repeats(con):
    con.execute(f"""
        CREATE TABLE co AS
        SELECT *, row_number() OVER (PARTITION BY officer, problem ORDER BY filed_on, case_id) AS rn
        FROM (
            SELECT case_id, unnest(officers) AS officer, unit, error_type AS problem,
                   coalesce(subjective_fault, false) AS subjective, filed_on, decided_on, outcome,
                   {ESTABLISHED} AS established, {CLEARED} AS cleared, {TREATMENT} AS treatment
            FROM scoped
            WHERE officers IS NOT NULL AND filed_on IS NOT NULL AND error_type IS NOT NULL
              AND NOT list_contains({str_list(C.CATCH_ALL)}, error_type)
        ) WHERE officer IS NOT NULL
    """)
    # Every earlier case of the officer and problem: a basis when it was an
    # established error decided by the later filing day, else (unless cleared)
    # pending. A cleared later case repeats nothing.
    subj = "est_then AND both_subjective"
    tol = "est_then AND prior_treatment > 0"
    con.execute(f"""
        CREATE TABLE repeats AS
        WITH pairs AS (
            SELECT a.case_id, a.officer, a.unit, a.problem, a.filed_on, a.outcome,
                   a.treatment AS own_treatment, b.case_id AS prior_id, b.filed_on AS prior_filed,
                   b.rn AS prior_rn, b.treatment AS prior_treatment,
                   b.established AND b.decided_on <= a.filed_on AS est_then,
                   a.subjective AND b.subjective AS both_subjective
            FROM co a JOIN co b ON a.officer = b.officer AND a.problem = b.problem AND b.rn < a.rn
            WHERE NOT a.cleared AND NOT b.cleared
        ), per_case AS (
            SELECT case_id, officer, unit, problem, filed_on, outcome, own_treatment,
                   list(prior_id ORDER BY prior_rn) FILTER (WHERE {subj}) AS subj_ids,
                   min(prior_filed) FILTER (WHERE {subj}) AS subj_first,
                   max(prior_filed) FILTER (WHERE {subj}) AS subj_last,
                   list(prior_id ORDER BY prior_rn) FILTER (WHERE {tol}) AS tol_ids,
                   min(prior_filed) FILTER (WHERE {tol}) AS tol_first,
                   max(prior_filed) FILTER (WHERE {tol}) AS tol_last,
                   coalesce(bool_or(prior_treatment = 2) FILTER (WHERE {tol}), false) AS uncertain,
                   coalesce(list(prior_id ORDER BY prior_rn) FILTER (WHERE NOT est_then), [])
                       AS pending_priors
            FROM pairs
            GROUP BY case_id, officer, unit, problem, filed_on, outcome, own_treatment
            HAVING count(*) FILTER (WHERE {subj} OR {tol}) > 0
        )
        SELECT case_id, officer, unit, problem, 'R-subjective' AS kind, subj_ids AS prior_case_ids,
               subj_first AS first_prior_on, CAST(filed_on - subj_last AS BIGINT) AS gap_days, outcome,
               own_treatment > 0 AS inconsistent, false AS basis_uncertain, pending_priors,
               filed_on AS __filed
        FROM per_case WHERE subj_ids IS NOT NULL
        UNION ALL
        SELECT case_id, officer, unit, problem, 'R-after-tolerance', tol_ids, tol_first,
               CAST(filed_on - tol_last AS BIGINT), outcome, own_treatment > 0, uncertain,
               pending_priors, filed_on
        FROM per_case WHERE tol_ids IS NOT NULL
        ORDER BY officer, __filed, case_id, kind
    """)


def hotspots(con, volume_path, as_of: dt.date):
    lo, hi = con.execute("SELECT min(filed_on), max(filed_on) FROM scoped").fetchall()[0]
    if lo is None:
        con.execute("CREATE TABLE hotspots AS SELECT NULL AS window WHERE false")
        return
    data_first, data_last = C.hotspot_range(lo, hi, as_of)
    weight = " ".join(f"WHEN {q(o)} THEN {w}" for o, w in C.WEIGHTS.items())
    con.execute(f"""
        CREATE TABLE hs AS
        SELECT case_id, unit, domain, error_type, filed_on, rectified_on,
               year(filed_on) || 'Q' || quarter(filed_on) AS win,
               {ESTABLISHED} AS established, decided_on IS NULL AS pending,
               CASE outcome {weight} ELSE 0.0 END AS weight
        FROM scoped
        WHERE filed_on IS NOT NULL AND unit IS NOT NULL AND domain IS NOT NULL AND error_type IS NOT NULL
    """)
    fine = con.execute("""
        SELECT win, unit, domain, error_type, count(*) FILTER (WHERE established),
               count(*) FILTER (WHERE pending), coalesce(sum(weight) FILTER (WHERE established), 0)
        FROM hs GROUP BY ALL
    """).fetchall()
    vol = C.Volume(C.read_volume(volume_path)) if volume_path else None
    cells = C.hotspot_rows(C.hotspot_cells(fine, data_first, data_last, as_of, vol))
    flagged = pd.DataFrame(cells, columns=["window", "dims", "unit", "domain", "error_type", "k1", "k2",
                                           "count", "pending", "weighted", "expected", "ratio", "p_value",
                                           "q_value", "rising_p", "rising_q", "signals", "level"])
    flagged["order"] = range(len(flagged))
    con.register("flagged_df", flagged)
    con.execute("CREATE TABLE flagged AS SELECT * FROM flagged_df")
    con.unregister("flagged_df")
    # The counted (established) cases of each flagged cell; the rectification
    # days of the established errors of each cell key (any window).
    members = " UNION ALL ".join(f"""
        SELECT f."order", {q(dims)} AS dims, h.{k1} AS k1, h.{k2} AS k2, h.case_id, h.filed_on
        FROM flagged f JOIN hs h ON h.win = f.window AND h.{k1} = f.k1 AND h.{k2} = f.k2
        WHERE f.dims = {q(dims)} AND h.established""" for dims, k1, k2 in C.DIMS)
    # Per rectification day: how many cases, one of them, and the key's
    # previous day, so that a case's own rectification can be stepped over.
    rect = " UNION ALL ".join(f"""
        SELECT {q(dims)} AS dims, {k1} AS k1, {k2} AS k2, rectified_on AS rd, count(*) AS n,
               min(case_id) AS one_id
        FROM hs WHERE established AND rectified_on IS NOT NULL GROUP BY ALL""" for dims, k1, k2 in C.DIMS)
    con.execute(f"CREATE TABLE members AS {members}")
    con.execute(f"""CREATE TABLE rect AS SELECT *, lag(rd) OVER (PARTITION BY dims, k1, k2 ORDER BY rd) AS prev_rd
                    FROM ({rect})""")
    con.execute(f"""
        CREATE TABLE hotspots AS
        WITH ids AS (
            SELECT m."order", list(m.case_id ORDER BY m.case_id) AS case_ids,
                   -- the latest rectification before the filing of another case: the
                   -- day before when the latest day is the case's own alone
                   count(*) FILTER (WHERE m.filed_on - CASE WHEN r.n = 1 AND r.one_id = m.case_id
                                                            THEN r.prev_rd ELSE r.rd END
                                          <= {C.AFTER_CORRECTION_DAYS}) AS after_correction
            FROM members m
            ASOF LEFT JOIN rect r ON m.dims = r.dims AND m.k1 = r.k1 AND m.k2 = r.k2 AND m.filed_on > r.rd
            GROUP BY m."order"
        ), reps AS (
            SELECT m."order", count(DISTINCT m.case_id) AS n_cases, count(DISTINCT r.officer) AS n_officers
            FROM members m JOIN (SELECT DISTINCT case_id, officer FROM repeats) r USING (case_id)
            GROUP BY m."order"
        )
        SELECT f.window, f.dims, f.unit, f.domain, f.error_type, f.count, f.pending, f.weighted,
               f.expected, f.ratio, f.p_value, f.q_value, f.rising_p, f.rising_q, f.signals, f.level,
               CASE WHEN r.n_cases > 0 THEN r.n_cases || '件/' || r.n_officers || '人' END AS officer_repeats,
               CAST(coalesce(i.after_correction, 0) AS BIGINT) AS after_correction,
               coalesce(i.case_ids, []) AS case_ids
        FROM flagged f LEFT JOIN ids i USING ("order") LEFT JOIN reps r USING ("order")
        ORDER BY f.window, f.weighted DESC, f.dims, f.unit NULLS FIRST, f.domain NULLS FIRST,
                 f.error_type NULLS FIRST
    """)


def outcomes(con, as_of: dt.date):
    con.execute("CREATE TABLE decided AS SELECT * FROM scoped WHERE decided_on IS NOT NULL AND outcome IS NOT NULL")
    outcomes_list = str_list(C.OUTCOMES)
    deadline = "coalesce(rectify_extended_to, rectify_due)"
    rect_state = (f"CASE WHEN rectified_on IS NOT NULL AND rectified_on <= {deadline} THEN '按期完成' "
                  "WHEN rectified_on IS NOT NULL THEN '逾期完成' "
                  f"WHEN {deadline} < DATE '{as_of}' THEN '逾期未完成' ELSE '未到期' END")
    days = "reporter_feedback_on - decided_on"
    b = C.FEEDBACK_DAYS
    bucket = (f"CASE WHEN {days} <= 7 THEN {q(b[0])} WHEN {days} <= 15 THEN {q(b[1])} "
              f"WHEN {days} <= 30 THEN {q(b[2])} ELSE {q(b[3])} END")
    due = "(SELECT * FROM decided WHERE rectify_due IS NOT NULL OR rectify_extended_to IS NOT NULL)"
    owed = f"(SELECT * FROM scoped WHERE {FEEDBACK_OWED})"
    given = f"(SELECT * FROM {owed} WHERE reporter_feedback_on IS NOT NULL)"
    malicious = "(SELECT * FROM decided WHERE coalesce(malicious_report, false))"
    cited = "(SELECT * FROM decided WHERE clause_article IS NOT NULL AND clause_item IS NOT NULL)"

    def fixed(label):
        return f"(SELECT {q(label)} AS g)"

    def groups(src, expr):
        return f"(SELECT DISTINCT {expr} AS g FROM {src} WHERE {expr} IS NOT NULL)"

    quarter = "year(decided_on) || 'Q' || quarter(decided_on)"
    # (section, counted rows, group, item, base rows, items, groups)
    secs = [
        ("outcome_by_quarter", "decided", quarter, "outcome", "decided", outcomes_list,
         groups("decided", quarter)),
        ("outcome_by_unit", "decided", "unit", "outcome", "decided", outcomes_list, groups("decided", "unit")),
        ("outcome_by_domain", "decided", "domain", "outcome", "decided", outcomes_list,
         groups("decided", "domain")),
        ("clause_use", cited, "'全部'", "clause_article || '.' || clause_item", cited,
         str_list(C.CLAUSE_ITEMS), fixed("全部")),
        # the catch-all item of each article, among the unit's decisions citing a clause
        ("catch_all_by_unit", cited, "unit", "clause_article || '.' || clause_item", cited,
         str_list(C.CATCH_ALL_ITEMS), groups(cited, "unit")),
        ("review_by_unit", "(SELECT * FROM decided WHERE review_applied_on IS NOT NULL)", "unit",
         "'复核申请'", "decided", "['复核申请']", groups("decided", "unit")),
        ("review_changed_by_unit",
         "(SELECT * FROM decided WHERE review_result IS NOT NULL AND review_result <> '维持')",
         "unit", "'变更或撤销'", "(SELECT * FROM decided WHERE review_result IS NOT NULL)", "['变更或撤销']",
         groups("decided", "unit")),
        ("rectification_by_unit", due, "unit", rect_state, due, str_list(C.RECTIFY_STATES),
         groups(due, "unit")),
        ("reporter_feedback", given, "'实名举报'", "'已反馈'", owed, "['已反馈']", fixed("实名举报")),
        ("feedback_days", given, "'已反馈'", bucket, given, str_list(C.FEEDBACK_DAYS), fixed("已反馈")),
        ("clarification", f"(SELECT * FROM {malicious} WHERE clarified_on IS NOT NULL)", "'恶意举报'",
         "'已澄清正名'", malicious, "['已澄清正名']", fixed("恶意举报")),
        ("transfer_by_unit", "(SELECT * FROM scoped WHERE transferred_on IS NOT NULL)", "unit",
         "'移交调查'", "scoped", "['移交调查']", groups("scoped", "unit")),
    ]
    parts = []
    for name, src, group, item, base, items, groups_sql in secs:
        parts.append(f"""
            SELECT {q(name)} AS section, g.g AS "group", it.item, coalesce(c.count, 0) AS count,
                   coalesce(b.base, 0) AS base, it.ord
            FROM {groups_sql} g
            CROSS JOIN (SELECT unnest({items}) AS item, generate_subscripts({items}, 1) AS ord) it
            LEFT JOIN (SELECT {group} AS g, {item} AS item, count(*) AS count FROM {src} GROUP BY ALL) c
                   ON c.g = g.g AND c.item = it.item
            LEFT JOIN (SELECT {group} AS g, count(*) AS base FROM {base} GROUP BY ALL) b ON b.g = g.g
        """)
    # Decisions of 不予容错 citing 12(5) that no earlier case flags (repeats.rs
    # cited_without_basis), against the unit's 12(5) citations.
    parts.append("""
        SELECT 'cited_without_basis', c.unit, c.case_id, 1, b.base, 0
        FROM scoped c
        JOIN (SELECT unit, count(*) AS base FROM scoped
              WHERE decided_on IS NOT NULL AND clause_article = 12 AND clause_item = 5 GROUP BY unit) b
          USING (unit)
        WHERE c.decided_on IS NOT NULL AND c.outcome = '不予容错' AND c.clause_article = 12
          AND c.clause_item = 5 AND c.case_id NOT IN (SELECT case_id FROM repeats)
    """)
    con.execute(f"""
        CREATE TABLE outcomes AS
        SELECT section, "group", item, CAST(count AS BIGINT) AS count, CAST(base AS BIGINT) AS base,
               CASE WHEN base > 0 THEN count / base END AS share
        FROM ({' UNION ALL '.join(parts)}) ORDER BY section, "group", ord, item
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
    scope(con, as_of)
    deadlines(con, as_of)
    repeats(con)
    hotspots(con, a.volume, as_of)
    outcomes(con, as_of)
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

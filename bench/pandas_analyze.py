#!/usr/bin/env python3
"""pandas baseline for `jiucuo analyze`: pandas_validate.Ingest, then deadlines,
repeats, hotspots and outcomes (the same plan as duckdb_analyze.py: calendar
merge for the roll-forward, explode + cumcount + self-merge for repeats,
groupby for hotspot cells and outcomes), each written as Parquet (pyarrow).

    pandas_analyze.py LEDGER.csv --volume volume.csv --as-of 2026-11-30 --out DIR
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common as C  # noqa: E402
from pandas_validate import Ingest  # noqa: E402


def deadlines(cases: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    asof = pd.Timestamp(as_of)
    ext = cases["extension_days"].clip(upper=30).fillna(0)
    rules = [
        ("D15-handle", 15, "transferred_on", "handled_on", 30, None),
        ("D15-report", 15, "handled_on", "handling_reported_on", 7, None),
        ("D17-decide", 17, "filed_on", "decided_on",
         30 + cases["appraisal_days"].fillna(0) + ext, None),
        ("D17-notify", 17, "decided_on", "notified_on", 7, None),
        ("D19-apply", 19, "notified_on", "review_applied_on", 15,
         cases["notified_on"].notna() & cases["review_applied_on"].notna()),
        ("D19-decide", 19, "review_applied_on", "review_decided_on", 30, None),
        ("D20-rectify", 20, "decided_on", "rectified_on", None,
         cases["rectify_due"].notna() | cases["rectify_extended_to"].notna()),
    ]
    parts = []
    for rid, art, start, actual, days, applies in rules:
        m = cases[start].notna() if applies is None else applies
        sub = cases.loc[m]
        d = pd.DataFrame({"case_id": sub["case_id"], "unit": sub["unit"], "rule": rid,
                          "article": np.int32(art), "start": sub[start], "actual": sub[actual]})
        if days is None:
            d["days"] = pd.NA
            d["fixed"] = sub["rectify_extended_to"].fillna(sub["rectify_due"])
        else:
            d["days"] = (days[m] if isinstance(days, pd.Series) else days)
            d["fixed"] = pd.NaT
        parts.append(d)
    long = pd.concat(parts, ignore_index=True)
    long["days"] = pd.to_numeric(long["days"]).astype("Int64")
    long["fixed"] = pd.to_datetime(long["fixed"])

    nominal = long["start"] + pd.to_timedelta(long["days"].astype("float64"), unit="D")
    lo = min(long["start"].min(), long["fixed"].min(), asof) - pd.Timedelta(days=10)
    hi = max(long["start"].max(), long["fixed"].max(), asof) + pd.Timedelta(days=int(long["days"].max()) + 90)
    days, working, nxt, cum, cov, covered = C.calendar_rows(lo.date(), hi.date())
    cal = pd.DataFrame({"day": pd.to_datetime(days), "next_working": pd.to_datetime(nxt),
                        "cum": cum, "covered": cov}).set_index("day")
    period_end = nominal.map(cal["next_working"])
    cov_nominal = nominal.map(cal["covered"]).astype("boolean")
    cov_end = period_end.map(cal["covered"]).astype("boolean")
    assumed = ~(cov_nominal.fillna(False) & cov_end.fillna(False))
    long["deadline"] = long["fixed"].fillna(period_end)
    cum_asof = cal.loc[asof, "cum"]
    wd_left = long["deadline"].map(cal["cum"]) - cum_asof
    wd_left = wd_left.where(long["deadline"] > asof, 0)
    act, dl = long["actual"], long["deadline"]
    status = np.select(
        [act.notna() & (act <= dl), act.notna(), dl < asof, wd_left <= C.DUE_SOON_DAYS],
        ["met", "late", "overdue", "due-soon"], "pending")
    late = np.select([act.notna() & (act > dl), act.isna() & (dl < asof)],
                     [(act - dl).dt.days, (asof - dl).dt.days], 0)
    notes = {y: C.assumed_note(y, covered) for y in range(lo.year, hi.year + 1)}
    note = long["deadline"].dt.year.map(notes).where(long["fixed"].isna() & assumed)
    dated = pd.DataFrame({"case_id": long["case_id"], "unit": long["unit"], "rule": long["rule"],
                          "article": long["article"], "start": long["start"], "deadline": dl,
                          "actual": act, "days_late": late.astype(np.int64), "status": status,
                          "note": note})
    checks = []
    unfounded = cases["complaint_finding"].isin(["不属实", "查无实据"])
    owed = ((cases["source"] == "实名举报") & cases["decided_on"].notna()
            & (unfounded | cases["outcome"].isin(C.TOLERANCE)))
    for rid, art, applies, ok in [
        ("D16-two", 16, cases["investigators"].notna(), cases["investigators"] >= 2),
        ("D16-recusal", 16, cases["recusal_breach"].notna(), ~cases["recusal_breach"].fillna(True)),
        ("D17-extend", 17, cases["extension_days"].notna(), cases["extension_days"] <= 30),
        ("D22-feedback", 22, owed, cases["reporter_feedback_on"].notna()),
    ]:
        sub = cases.loc[applies.fillna(False).astype(bool)]
        okm = ok.loc[sub.index].fillna(False).astype(bool)
        checks.append(pd.DataFrame({"case_id": sub["case_id"], "unit": sub["unit"], "rule": rid,
                                    "article": np.int32(art), "start": pd.NaT, "deadline": pd.NaT,
                                    "actual": pd.NaT, "days_late": np.int64(0),
                                    "status": np.where(okm, "met", "breach"), "note": None}))
    out = pd.concat([dated] + checks, ignore_index=True)
    return out.sort_values(["case_id", "rule"], kind="stable").reset_index(drop=True)


def repeats(cases: pd.DataFrame) -> pd.DataFrame:
    co = cases.loc[cases["officers"].notna() & cases["filed_on"].notna(),
                   ["case_id", "officers", "unit", "error_type", "subjective_fault", "filed_on",
                    "decided_on", "outcome"]].explode("officers")
    co = co.rename(columns={"officers": "officer", "error_type": "problem"})
    co = co[co["officer"].notna()]
    co["subjective"] = co["subjective_fault"].fillna(False).astype(bool)
    co["tolerated"] = co["outcome"].isin(C.TOLERANCE)
    co = co.sort_values(["officer", "problem", "filed_on", "case_id"], kind="stable")
    co["rn"] = co.groupby(["officer", "problem"], sort=False).cumcount()
    keys = ["officer", "problem"]
    left_cols = ["case_id", "officer", "unit", "problem", "filed_on", "outcome", "rn"]
    right_cols = ["officer", "problem", "case_id", "filed_on", "decided_on", "rn"]

    def pairs(a, b, kind, extra=None):
        p = a[left_cols].merge(b[right_cols], on=keys, suffixes=("", "_p"))
        m = p["rn_p"] < p["rn"]
        if extra is not None:
            m &= extra(p)
        p = p[m]
        p["kind"] = kind
        return p

    subj = co[co["subjective"]]
    tol = co[co["tolerated"]]
    p = pd.concat([
        pairs(subj, subj, "R-subjective"),
        pairs(co, tol, "R-after-tolerance", lambda p: p["decided_on"] <= p["filed_on"]),
    ], ignore_index=True)
    p = p.sort_values(["officer", "problem", "case_id", "kind", "rn_p"], kind="stable")
    g = p.groupby(["case_id", "officer", "unit", "problem", "kind", "filed_on"], sort=False, dropna=False)
    out = g.agg(prior_case_ids=("case_id_p", list), first_prior_on=("filed_on_p", "first"),
                last_prior=("filed_on_p", "last"), outcome=("outcome", "first")).reset_index()
    out["gap_days"] = (out["filed_on"] - out["last_prior"]).dt.days.astype(np.int64)
    out["inconsistent"] = out["outcome"].isin(C.TOLERANCE)
    out = out.sort_values(["officer", "filed_on", "case_id", "kind"], kind="stable")
    return out[["case_id", "officer", "unit", "problem", "kind", "prior_case_ids", "first_prior_on",
                "gap_days", "outcome", "inconsistent"]].reset_index(drop=True)


def hotspots(cases: pd.DataFrame, volume_path) -> pd.DataFrame:
    if cases["filed_on"].notna().sum() == 0:
        return pd.DataFrame()
    lo, hi = cases["filed_on"].min().date(), cases["filed_on"].max().date()
    data_first = max(lo, C.PILOT[0])
    data_last = max(min(hi, C.PILOT[1]), data_first)
    qa, qb = C.q_first(C.quarter_of(data_first)), C.q_last(C.quarter_of(data_last))
    # unit_repeat: the unit already had an earlier case of the error type,
    # both subjective, or one tolerated and decided by this one's filing day
    # (rules.md §3 at unit level; earlier cases before the pilot count too).
    r = cases.loc[cases["filed_on"].notna(),
                  ["case_id", "unit", "domain", "error_type", "filed_on", "outcome",
                   "subjective_fault", "decided_on"]]
    r = r.sort_values(["unit", "error_type", "filed_on", "case_id"], kind="stable")
    subj = r["subjective_fault"].fillna(False).astype(bool)
    tol_decided = r["decided_on"].where(r["outcome"].isin(C.TOLERANCE))
    g = [r["unit"], r["error_type"]]
    prior_subj = subj.astype(int).groupby(g, dropna=False).cumsum() - subj.astype(int) > 0
    # cummin leaves NaT rows NaT (it does not carry the minimum over them):
    # a far-future day stands for "not tolerated"
    never = pd.Timestamp("2262-01-01")
    first_tol = tol_decided.fillna(never).groupby(g, dropna=False).cummin()
    first_tol = first_tol.groupby(g, dropna=False).shift(1)
    r = r.assign(unit_repeat=(subj & prior_subj) | (first_tol <= r["filed_on"]).fillna(False))
    f = r["filed_on"]
    hs = r.loc[(f >= pd.Timestamp(qa)) & (f <= pd.Timestamp(qb)),
               ["case_id", "unit", "domain", "error_type", "filed_on", "outcome", "unit_repeat"]].copy()
    hs["win"] = hs["filed_on"].dt.year.astype(str) + "Q" + hs["filed_on"].dt.quarter.astype(str)
    hs["weight"] = hs["outcome"].map(C.WEIGHTS).fillna(1.0)
    hs.loc[hs["outcome"].isna(), "weight"] = C.WEIGHT_UNDECIDED
    counts = []
    for dims, k1, k2 in C.DIMS:
        g = hs.dropna(subset=[k1, k2]).groupby(["win", k1, k2], sort=False)["weight"].agg(["size", "sum"])
        counts += [(w, dims, a, b, n, s) for (w, a, b), n, s in zip(g.index, g["size"], g["sum"])]
    vol = C.Volume(C.read_volume(volume_path)) if volume_path else None
    flagged = pd.DataFrame(C.hotspot_rows(C.hotspot_cells(counts, data_first, data_last, vol)))
    if flagged.empty:
        return flagged
    flagged["order"] = np.arange(len(flagged))
    lists = []
    for dims, k1, k2 in C.DIMS:
        fd = flagged[flagged["dims"] == dims][["order", "window", "k1", "k2"]]
        j = fd.merge(hs[["win", k1, k2, "case_id", "unit_repeat"]], left_on=["window", "k1", "k2"],
                     right_on=["win", k1, k2])
        lists.append(j.sort_values(["order", "case_id"]).groupby("order")["case_id"].agg(list))
        if dims == "unit×error_type":
            repeats = j.groupby("order")["unit_repeat"].sum()
    ids = pd.concat(lists)
    flagged["case_ids"] = flagged["order"].map(ids)
    flagged["case_ids"] = flagged["case_ids"].map(lambda v: v if isinstance(v, list) else [])
    unit_cells = flagged["dims"] == "unit×error_type"
    flagged["unit_repeats"] = pd.Series(pd.NA, index=flagged.index, dtype="Int64")
    flagged.loc[unit_cells, "unit_repeats"] = (
        flagged.loc[unit_cells, "order"].map(repeats).fillna(0).astype("int64"))
    flagged = flagged.sort_values(["window", "weighted", "dims", "unit", "domain", "error_type"],
                                  ascending=[True, False, True, True, True, True],
                                  na_position="first", kind="stable")
    return flagged[["window", "dims", "unit", "domain", "error_type", "count", "weighted", "expected",
                    "ratio", "p_value", "q_value", "signals", "level", "case_ids",
                    "unit_repeats"]].reset_index(drop=True)


def outcomes(cases: pd.DataFrame) -> pd.DataFrame:
    decided = cases[cases["decided_on"].notna() & cases["outcome"].notna()]
    unfounded_all = cases["complaint_finding"].isin(["不属实", "查无实据"])
    due = cases[cases["rectify_due"].notna() | cases["rectify_extended_to"].notna()]
    owed = decided[(decided["source"] == "实名举报")
                   & (decided["complaint_finding"].isin(["不属实", "查无实据"])
                      | decided["outcome"].isin(C.TOLERANCE))]
    cited = decided[decided["clause_article"].notna() & decided["clause_item"].notna()]

    def qlabel(df):
        return df["decided_on"].dt.year.astype(str) + "Q" + df["decided_on"].dt.quarter.astype(str)

    def const(df, v):
        return pd.Series(v, index=df.index, dtype=object)

    rect_deadline = due["rectify_extended_to"].fillna(due["rectify_due"])
    rect_state = pd.Series(np.select([due["rectified_on"].isna(), due["rectified_on"] <= rect_deadline],
                                     ["未完成", "按期完成"], "逾期完成"), index=due.index)
    applied = decided[decided["review_applied_on"].notna()]
    reviewed = decided[decided["review_result"].notna()]
    changed = reviewed[reviewed["review_result"] != "维持"]
    given = owed[owed["reporter_feedback_on"].notna()]
    unfounded = cases[unfounded_all]
    cleared = unfounded[unfounded["clarified_on"].notna()]
    units = sorted(decided["unit"].dropna().unique())
    secs = [
        ("outcome_by_quarter", qlabel(decided), decided["outcome"], qlabel(decided),
         sorted(qlabel(decided).dropna().unique()), C.OUTCOMES),
        ("outcome_by_unit", decided["unit"], decided["outcome"], decided["unit"], units, C.OUTCOMES),
        ("outcome_by_domain", decided["domain"], decided["outcome"], decided["domain"],
         sorted(decided["domain"].dropna().unique()), C.OUTCOMES),
        ("clause_use", const(cited, "全部"),
         cited["clause_article"].astype(str) + "." + cited["clause_item"].astype(str),
         const(cited, "全部"), ["全部"], C.CLAUSE_ITEMS),
        ("review_by_unit", applied["unit"], const(applied, "复核申请"), decided["unit"], units, ["复核申请"]),
        ("review_changed_by_unit", changed["unit"], const(changed, "变更或撤销"), reviewed["unit"], units,
         ["变更或撤销"]),
        ("rectification_by_unit", due["unit"], rect_state, due["unit"], sorted(due["unit"].dropna().unique()),
         ["按期完成", "逾期完成", "未完成"]),
        ("reporter_feedback", const(given, "实名举报"), const(given, "已反馈"), const(owed, "实名举报"),
         ["实名举报"], ["已反馈"]),
        ("clarification", const(cleared, "举报不属实或查无实据"), const(cleared, "已澄清正名"),
         const(unfounded, "举报不属实或查无实据"), ["举报不属实或查无实据"], ["已澄清正名"]),
    ]
    frames = []
    for name, group, item, base_group, groups, items in secs:
        counts = pd.DataFrame({"g": group, "i": item}).groupby(["g", "i"]).size()
        base = base_group.value_counts()
        grid = pd.MultiIndex.from_product([groups, items], names=["group", "item"])
        f = pd.DataFrame(index=grid).reset_index()
        f["count"] = counts.reindex(grid).fillna(0).astype(np.int64).to_numpy()
        f["base"] = f["group"].map(base).fillna(0).astype(np.int64)
        f["section"] = name
        f["ord"] = np.tile(np.arange(len(items)), len(groups))
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    out["share"] = (out["count"] / out["base"]).where(out["base"] > 0)
    out = out.sort_values(["section", "group", "ord"], kind="stable")
    return out[["section", "group", "item", "count", "base", "share"]].reset_index(drop=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ledger")
    ap.add_argument("--volume")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    ing = Ingest(a.ledger)
    cases = ing.cases
    tables = {
        "deadlines": deadlines(cases, dt.date.fromisoformat(a.as_of)),
        "repeats": repeats(cases),
        "hotspots": hotspots(cases, a.volume),
        "outcomes": outcomes(cases),
        "validate": ing.findings,
    }
    for name, df in tables.items():
        df.to_parquet(out / f"{name}.parquet", index=False)
    n, ok, rej = ing.accounting()
    print(f"read {n}, analysed {ok}, rejected {rej}", file=sys.stderr)


if __name__ == "__main__":
    main()

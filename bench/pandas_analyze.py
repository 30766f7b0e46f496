#!/usr/bin/env python3
"""pandas baseline for `jiucuo analyze`: pandas_validate.Ingest, then the ledger
as of the as-of date (boolean masks, `.mask` on later events), deadlines,
repeats, hotspots and outcomes (the same plan as duckdb_analyze.py: calendar
`.map` for the roll-forward, applied twice for the art. 17 extension; explode +
cumcount + self-merge for repeats; groupby for the hotspot counts, the shared
Python statistics, merge back and `merge_asof` for the rectifications (stepping
over a case's own); groupby / reindex for outcomes), each written as Parquet
(pyarrow).

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


def scope(cases: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The cases as they stood on the as-of date (src/analysis/scope.rs)."""
    asof = pd.Timestamp(as_of)
    a, b = (pd.Timestamp(x) for x in C.PILOT)
    f = cases["filed_on"]
    out = cases[(f <= asof) & (f >= a) & (f <= b)].copy()
    for event, decided in C.EVENTS:
        later = (out[event] > asof).fillna(False).astype(bool)
        if later.any():
            for name in [event] + decided:
                out[name] = out[name].mask(later)
    return out.reset_index(drop=True)


# determination.rs, as boolean Series over the (scoped) cases.
def unfounded(df):
    return df["complaint_finding"].isin(C.UNFOUNDED)


def established(df):
    return (df["decided_on"].notna() & df["outcome"].notna() & (df["outcome"] != C.NO_ERROR).fillna(False)
            & ~unfounded(df))


def cleared(df):
    return df["decided_on"].notna() & ((df["outcome"] == C.NO_ERROR).fillna(False) | unfounded(df))


def treatment(df):
    """0 none, 1 容错免责, 2 容错免责 resting on no art. 10/11 clause."""
    art = df["clause_article"]
    mitigated = np.select([(art == 10).fillna(False), (art == 11).fillna(False)], [1, 0], 2)
    return pd.Series(np.select([(df["outcome"] == "免责").fillna(False), df["outcome"].isin(C.MITIGATED)],
                               [1, mitigated], 0), index=df.index)


def feedback_owed(df):
    return (df["decided_on"].notna() & (df["source"] == "实名举报").fillna(False)
            & (unfounded(df) | (treatment(df) > 0)))


def deadlines(cases: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    asof = pd.Timestamp(as_of)
    ext = cases["extension_days"].where(cases["extension_days"] > 0).clip(upper=30)
    rules = [
        ("D15-handle", 15, "transferred_on", "handled_on", 30, None, None),
        ("D15-report", 15, "handled_on", "handling_reported_on", 7, None, None),
        # art. 15 replaces the office's own investigation
        ("D17-decide", 17, "filed_on", "decided_on", 30 + cases["appraisal_days"].fillna(0), ext,
         cases["filed_on"].notna() & cases["transferred_on"].isna()),
        ("D17-notify", 17, "decided_on", "notified_on", 7, None, None),
        ("D19-apply", 19, "notified_on", "review_applied_on", 15, None,
         cases["notified_on"].notna() & cases["review_applied_on"].notna()),
        ("D19-decide", 19, "review_applied_on", "review_decided_on", 30, None, None),
        ("D20-rectify", 20, "decided_on", "rectified_on", None, None,
         cases["decided_on"].notna() & (cases["rectify_due"].notna() | cases["rectify_extended_to"].notna())),
    ]
    parts = []
    for rid, art, start, actual, days, extension, applies in rules:
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
        d["ext"] = extension[m] if extension is not None else pd.NA
        parts.append(d)
    long = pd.concat(parts, ignore_index=True)
    long["days"] = pd.to_numeric(long["days"]).astype("Int64")
    long["ext"] = pd.to_numeric(long["ext"]).astype("Int64")
    long["fixed"] = pd.to_datetime(long["fixed"])

    nominal = long["start"] + pd.to_timedelta(long["days"].astype("float64"), unit="D")
    lo = min(long["start"].min(), long["fixed"].min(), asof) - pd.Timedelta(days=10)
    longest = int((long["days"].fillna(0) + long["ext"].fillna(0)).max())
    hi = max(long["start"].max(), long["fixed"].max(), asof) + pd.Timedelta(days=longest + 90)
    days, working, nxt, cum, cov, covered = C.calendar_rows(lo.date(), hi.date())
    cal = pd.DataFrame({"day": pd.to_datetime(days), "next_working": pd.to_datetime(nxt),
                        "cum": cum, "covered": cov}).set_index("day")

    def covered_at(days_):
        return days_.map(cal["covered"]).astype("boolean").fillna(False)

    base = nominal.map(cal["next_working"])
    # the art. 17 extension runs from the rolled deadline and is rolled again
    nominal2 = base + pd.to_timedelta(long["ext"].astype("float64"), unit="D")
    extended = nominal2.map(cal["next_working"])
    has_ext = long["ext"].notna()
    period_end = extended.where(has_ext, base)
    assumed = ~(covered_at(nominal) & covered_at(base)
                & (~has_ext | (covered_at(nominal2) & covered_at(extended))))
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
    for rid, art, applies, ok in [
        ("D16-two", 16, cases["investigators"].notna(), cases["investigators"] >= 2),
        ("D16-recusal", 16, cases["recusal_breach"].notna(), ~cases["recusal_breach"].fillna(True)),
        ("D17-extend", 17, cases["extension_days"] > 0, cases["extension_days"] <= 30),
    ]:
        sub = cases.loc[applies.fillna(False).astype(bool)]
        okm = ok.loc[sub.index].fillna(False).astype(bool)
        checks.append(pd.DataFrame({"case_id": sub["case_id"], "unit": sub["unit"], "rule": rid,
                                    "article": np.int32(art), "start": pd.NaT, "deadline": pd.NaT,
                                    "actual": pd.NaT, "days_late": np.int64(0),
                                    "status": np.where(okm, "met", "breach"), "note": None}))
    # art. 22 sets no period: met once feedback is recorded, pending until then
    owed = cases.loc[feedback_owed(cases)]
    checks.append(pd.DataFrame({"case_id": owed["case_id"], "unit": owed["unit"], "rule": "D22-feedback",
                                "article": np.int32(22), "start": owed["decided_on"], "deadline": pd.NaT,
                                "actual": owed["reporter_feedback_on"], "days_late": np.int64(0),
                                "status": np.where(owed["reporter_feedback_on"].notna(), "met", "pending"),
                                "note": None}))
    out = pd.concat([dated] + checks, ignore_index=True)
    return out.sort_values(["case_id", "rule"], kind="stable").reset_index(drop=True)


def repeats(cases: pd.DataFrame) -> pd.DataFrame:
    et = cases["error_type"]
    facts = cases.assign(established=established(cases), cleared=cleared(cases),
                         treatment=treatment(cases),
                         subjective=cases["subjective_fault"].fillna(False).astype(bool))
    # A cleared case neither repeats nor is repeated; the catch-all types are
    # never "the same problem".
    keep = (facts["officers"].notna() & facts["filed_on"].notna() & et.notna() & ~et.isin(C.CATCH_ALL)
            & ~facts["cleared"])
    co = facts.loc[keep, ["case_id", "officers", "unit", "error_type", "subjective", "filed_on",
                          "decided_on", "outcome", "established", "treatment"]].explode("officers")
    co = co.rename(columns={"officers": "officer", "error_type": "problem"})
    co = co[co["officer"].notna()]
    co = co.sort_values(["officer", "problem", "filed_on", "case_id"], kind="stable")
    co["rn"] = co.groupby(["officer", "problem"], sort=False).cumcount()
    keys = ["officer", "problem"]
    prior = co[["officer", "problem", "case_id", "filed_on", "decided_on", "subjective", "established",
                "treatment", "rn"]]
    prior = prior.rename(columns={c: c + "_p" for c in prior.columns if c not in keys})
    p = co[["case_id", "officer", "problem", "filed_on", "subjective", "rn"]].merge(prior, on=keys)
    p = p[p["rn_p"] < p["rn"]]
    est_then = p["established_p"] & (p["decided_on_p"] <= p["filed_on"]).fillna(False)
    p = p.assign(subj=est_then & p["subjective"] & p["subjective_p"],
                 tol=est_then & (p["treatment_p"] > 0), pend=~est_then,
                 uncertain=p["treatment_p"] == 2)
    p = p.sort_values(["officer", "problem", "rn", "rn_p"], kind="stable")
    later = ["officer", "problem", "rn"]
    pending = p[p["pend"]].groupby(later, sort=False)["case_id_p"].agg(list).rename("pending_priors")
    info = co.set_index(later)[["case_id", "unit", "filed_on", "outcome", "treatment"]]
    frames = []
    for kind, m in (("R-subjective", "subj"), ("R-after-tolerance", "tol")):
        g = p[p[m]].groupby(later, sort=False).agg(
            prior_case_ids=("case_id_p", list), first_prior_on=("filed_on_p", "min"),
            last_prior=("filed_on_p", "max"), basis_uncertain=("uncertain", "any"))
        if kind == "R-subjective":
            g["basis_uncertain"] = False
        g = g.join(info).join(pending)
        g["kind"] = kind
        frames.append(g.reset_index())
    out = pd.concat(frames, ignore_index=True)
    out["pending_priors"] = out["pending_priors"].map(lambda v: v if isinstance(v, list) else [])
    out["gap_days"] = (out["filed_on"] - out["last_prior"]).dt.days.astype(np.int64)
    out["inconsistent"] = out["treatment"] > 0
    out["basis_uncertain"] = out["basis_uncertain"].astype(bool)
    out = out.sort_values(["officer", "filed_on", "case_id", "kind"], kind="stable")
    return out[["case_id", "officer", "unit", "problem", "kind", "prior_case_ids", "first_prior_on",
                "gap_days", "outcome", "inconsistent", "basis_uncertain",
                "pending_priors"]].reset_index(drop=True)


def hotspots(cases: pd.DataFrame, volume_path, as_of: dt.date, reps: pd.DataFrame) -> pd.DataFrame:
    hs = cases.loc[cases["filed_on"].notna() & cases["unit"].notna() & cases["domain"].notna()
                   & cases["error_type"].notna(),
                   ["case_id", "unit", "domain", "error_type", "filed_on", "rectified_on", "outcome",
                    "decided_on", "complaint_finding"]].copy()
    if hs.empty:
        return pd.DataFrame(columns=C.HOTSPOT_COLUMNS)
    data_first, data_last = C.hotspot_range(hs["filed_on"].min().date(), hs["filed_on"].max().date(), as_of)
    hs["win"] = hs["filed_on"].dt.year.astype(str) + "Q" + hs["filed_on"].dt.quarter.astype(str)
    hs["established"] = established(hs)
    hs["pending"] = hs["decided_on"].isna()
    hs["weight"] = hs["outcome"].map(C.WEIGHTS).fillna(0.0).where(hs["established"], 0.0)
    g = hs.groupby(["win", "unit", "domain", "error_type"], sort=False).agg(
        n=("established", "sum"), pending=("pending", "sum"), weighted=("weight", "sum"))
    fine = [(w, u, d, e, n, pe, s) for (w, u, d, e), n, pe, s
            in zip(g.index, g["n"], g["pending"], g["weighted"])]
    vol = C.Volume(C.read_volume(volume_path)) if volume_path else None
    flagged = pd.DataFrame(C.hotspot_rows(C.hotspot_cells(fine, data_first, data_last, as_of, vol)))
    if flagged.empty:
        return pd.DataFrame(columns=C.HOTSPOT_COLUMNS)
    flagged["order"] = np.arange(len(flagged))
    est = hs[hs["established"]]
    members, after = [], []
    for dims, k1, k2 in C.DIMS:
        fd = flagged.loc[flagged["dims"] == dims, ["order", "window", "k1", "k2"]]
        if fd.empty:
            continue
        j = fd.merge(est[["win", k1, k2, "case_id", "filed_on"]],
                     left_on=["window", "k1", "k2"], right_on=["win", k1, k2])
        members.append(j[["order", "case_id"]])
        # after_correction: filed within 365 days after the latest earlier
        # rectification of another case's established error of the same cell
        # key. Per rectification day: how many cases, one of them, and the
        # key's previous day (to step over a case's own rectification).
        rect = (est.loc[est["rectified_on"].notna(), [k1, k2, "rectified_on", "case_id"]]
                .rename(columns={k1: "k1", k2: "k2"})
                .groupby(["k1", "k2", "rectified_on"], sort=True)
                .agg(n=("case_id", "size"), one_id=("case_id", "min")).reset_index())
        rect["prev_rd"] = rect.groupby(["k1", "k2"], sort=False)["rectified_on"].shift()
        rect = rect.sort_values("rectified_on", kind="stable")
        a = pd.merge_asof(j[["order", "k1", "k2", "filed_on", "case_id"]].sort_values("filed_on"), rect,
                          left_on="filed_on", right_on="rectified_on", by=["k1", "k2"],
                          allow_exact_matches=False, direction="backward")
        own = (a["n"] == 1).fillna(False) & (a["one_id"] == a["case_id"]).fillna(False)
        latest = a["rectified_on"].where(~own, a["prev_rd"])
        a["hit"] = (a["filed_on"] - latest).dt.days <= C.AFTER_CORRECTION_DAYS
        after.append(a.groupby("order")["hit"].sum())
    m = pd.concat(members, ignore_index=True)
    ids = m.sort_values(["order", "case_id"]).groupby("order")["case_id"].agg(list)
    flagged["case_ids"] = flagged["order"].map(ids)
    flagged["case_ids"] = flagged["case_ids"].map(lambda v: v if isinstance(v, list) else [])
    flagged["after_correction"] = flagged["order"].map(pd.concat(after)).fillna(0).astype(np.int64)
    # officer_repeats: the cell's cases flagged under art. 12(5), and their officers
    r = m.merge(reps[["case_id", "officer"]].drop_duplicates(), on="case_id")
    counts = r.groupby("order").agg(n=("case_id", "nunique"), k=("officer", "nunique"))
    text = counts["n"].astype(str) + "件/" + counts["k"].astype(str) + "人"
    flagged["officer_repeats"] = flagged["order"].map(text)
    flagged = flagged.sort_values(["window", "weighted", "dims", "unit", "domain", "error_type"],
                                  ascending=[True, False, True, True, True, True],
                                  na_position="first", kind="stable")
    for c in ("count", "pending"):
        flagged[c] = flagged[c].astype(np.int64)
    return flagged[C.HOTSPOT_COLUMNS].reset_index(drop=True)


def outcomes(cases: pd.DataFrame, as_of: dt.date, reps: pd.DataFrame) -> pd.DataFrame:
    asof = pd.Timestamp(as_of)
    decided = cases[cases["decided_on"].notna() & cases["outcome"].notna()]
    due = decided[decided["rectify_due"].notna() | decided["rectify_extended_to"].notna()]
    owed = cases[feedback_owed(cases)]
    cited = decided[decided["clause_article"].notna() & decided["clause_item"].notna()]

    def qlabel(df):
        return df["decided_on"].dt.year.astype(str) + "Q" + df["decided_on"].dt.quarter.astype(str)

    def const(df, v):
        return pd.Series(v, index=df.index, dtype=object)

    rect_deadline = due["rectify_extended_to"].fillna(due["rectify_due"])
    done = due["rectified_on"].notna()
    rect_state = pd.Series(np.select([done & (due["rectified_on"] <= rect_deadline), done,
                                      rect_deadline < asof], C.RECTIFY_STATES[:3], C.RECTIFY_STATES[3]),
                           index=due.index)
    applied = decided[decided["review_applied_on"].notna()]
    reviewed = decided[decided["review_result"].notna()]
    changed = reviewed[reviewed["review_result"] != "维持"]
    given = owed[owed["reporter_feedback_on"].notna()]
    days = (given["reporter_feedback_on"] - given["decided_on"]).dt.days
    bucket = pd.Series(np.select([days <= 7, days <= 15, days <= 30], C.FEEDBACK_DAYS[:3],
                                 C.FEEDBACK_DAYS[3]), index=given.index)
    malicious = decided[(decided["malicious_report"] == True).fillna(False).astype(bool)]  # noqa: E712
    clarified = malicious[malicious["clarified_on"].notna()]
    transferred = cases[cases["transferred_on"].notna()]
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
        # the catch-all item of each article, among the unit's decisions citing a clause
        ("catch_all_by_unit", cited["unit"],
         cited["clause_article"].astype(str) + "." + cited["clause_item"].astype(str), cited["unit"],
         sorted(cited["unit"].dropna().unique()), C.CATCH_ALL_ITEMS),
        ("review_by_unit", applied["unit"], const(applied, "复核申请"), decided["unit"], units, ["复核申请"]),
        ("review_changed_by_unit", changed["unit"], const(changed, "变更或撤销"), reviewed["unit"], units,
         ["变更或撤销"]),
        ("rectification_by_unit", due["unit"], rect_state, due["unit"], sorted(due["unit"].dropna().unique()),
         C.RECTIFY_STATES),
        ("reporter_feedback", const(given, "实名举报"), const(given, "已反馈"), const(owed, "实名举报"),
         ["实名举报"], ["已反馈"]),
        ("feedback_days", const(given, "已反馈"), bucket, const(given, "已反馈"), ["已反馈"], C.FEEDBACK_DAYS),
        ("clarification", const(clarified, "恶意举报"), const(clarified, "已澄清正名"),
         const(malicious, "恶意举报"), ["恶意举报"], ["已澄清正名"]),
        ("transfer_by_unit", transferred["unit"], const(transferred, "移交调查"), cases["unit"],
         sorted(cases["unit"].dropna().unique()), ["移交调查"]),
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
    # Decisions of 不予容错 citing 12(5) that no earlier case flags (repeats.rs
    # cited_without_basis), against the unit's 12(5) citations.
    c125 = cases[cases["decided_on"].notna() & (cases["clause_article"] == 12).fillna(False)
                 & (cases["clause_item"] == 5).fillna(False)]
    listed = c125[(c125["outcome"] == "不予容错").fillna(False) & ~c125["case_id"].isin(reps["case_id"])]
    frames.append(pd.DataFrame({"group": listed["unit"], "item": listed["case_id"], "count": np.int64(1),
                                "base": listed["unit"].map(c125["unit"].value_counts()).astype(np.int64),
                                "section": "cited_without_basis", "ord": 0}))
    out = pd.concat(frames, ignore_index=True)
    out["share"] = (out["count"] / out["base"]).where(out["base"] > 0)
    out = out.sort_values(["section", "group", "ord", "item"], kind="stable")
    return out[["section", "group", "item", "count", "base", "share"]].reset_index(drop=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ledger")
    ap.add_argument("--volume")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    as_of = dt.date.fromisoformat(a.as_of)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    ing = Ingest(a.ledger)
    cases = scope(ing.cases, as_of)
    reps = repeats(cases)
    tables = {
        "deadlines": deadlines(cases, as_of),
        "repeats": reps,
        "hotspots": hotspots(cases, a.volume, as_of, reps),
        "outcomes": outcomes(cases, as_of, reps),
        "validate": ing.findings,
    }
    for name, df in tables.items():
        df.to_parquet(out / f"{name}.parquet", index=False)
    n, ok, rej = ing.accounting()
    print(f"read {n}, analysed {ok}, rejected {rej}", file=sys.stderr)


if __name__ == "__main__":
    main()

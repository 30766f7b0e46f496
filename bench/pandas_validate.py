#!/usr/bin/env python3
"""pandas baseline for `jiucuo validate`: the same casts and checks as
duckdb_validate.py, written the way a pandas user would (vectorised .str / isin
/ to_datetime where pandas has them; Python-level .map for the officer lists).

    pandas_validate.py LEDGER.csv --output findings.csv [--rejects rejects.csv]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common as C  # noqa: E402

_SPLIT = re.compile(C.LIST_SPLIT)
_WS = C.WHITESPACE


def strip(s: pd.Series) -> pd.Series:
    return s.str.strip(_WS)


def cleaned(s: pd.Series) -> pd.Series:
    t = strip(s)
    return t.mask(t.isin(C.MISSING) | t.isna())


def split_list(cell):
    if cell is None or cell is np.nan or cell != cell:
        return None
    if cell.strip(_WS) in C.MISSING:  # "无": a unit-level case, no officers
        return None
    seen, out = set(), []
    for p in _SPLIT.split(cell):
        p = p.strip(_WS)
        if p and p not in seen:
            seen.add(p)
            out.append(p)
    return out or None


def parse_dates(t: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=t.index, dtype="datetime64[s]")
    todo = t.notna()
    for fmt in C.DATE_FORMATS:
        if not todo.any():
            break
        d = pd.to_datetime(t[todo], format=fmt, errors="coerce")
        out.loc[d.index] = out.loc[d.index].fillna(d)
        todo = todo & out.isna()
    ok = out.dt.year.between(1900, 2200)
    return out.where(ok)


class Ingest:
    """Attributes: raw (text frame with `row`), typed, findings, cases."""

    def __init__(self, path: str):
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                          encoding="utf-8-sig")
        raw.columns = [c.strip() for c in raw.columns]
        raw.insert(0, "row", np.arange(2, len(raw) + 2, dtype=np.int64))
        headers = [c for c in raw.columns if c != "row"]
        missing = [h for n, h, _, req in C.FIELDS if req and h not in headers]
        if missing:
            raise SystemExit(f"missing required columns: {missing}")
        filled = np.zeros(len(raw), dtype=bool)
        for h in headers:
            filled |= (strip(raw[h]).fillna("") != "").to_numpy()
        raw = raw[filled].reset_index(drop=True)
        self.raw = raw

        typed = pd.DataFrame({"row": raw["row"]})
        bad = {}
        for name, header, ty, _ in C.FIELDS:
            if header not in raw.columns:
                typed[name] = None
                continue
            col = raw[header]
            if ty == "text":
                typed[name] = strip(col).replace("", np.nan) if name == "summary" else cleaned(col)
            elif isinstance(ty, list):
                t = cleaned(col)
                sq = t.str.replace(r"\s+", "", regex=True)
                ok = sq.isin(ty)
                typed[name] = sq.where(ok)
                bad[name] = t.notna() & ~ok
            elif ty == "bool":
                t = cleaned(col)
                low = strip(col).str.lower()
                m = {w: True for w in C.TRUE_WORDS} | {w: False for w in C.FALSE_WORDS}
                v = low.map(m)
                typed[name] = v.astype("boolean")
                bad[name] = t.notna() & v.isna()
            elif ty == "int":
                t = cleaned(col)
                v = pd.to_numeric(t, errors="coerce")
                v = v.where(v == np.floor(v))
                typed[name] = v.astype("Int64")
                bad[name] = t.notna() & v.isna()
            elif ty == "date":
                t = cleaned(col)
                d = parse_dates(t)
                typed[name] = d
                bad[name] = t.notna() & d.isna()
            elif ty == "list":
                typed[name] = col.map(split_list)
            elif ty == "clause":
                uniq = col.dropna().unique()
                table = pd.DataFrame(C.clause_table(uniq), columns=["txt", "a", "i", "invalid"])
                table = table.set_index("txt")
                typed["clause_article"] = col.map(table["a"]).astype("Int64")
                typed["clause_item"] = col.map(table["i"]).astype("Int64")
                typed[name] = np.where(typed["clause_article"].isna(), None,
                                       typed["clause_article"].astype(str)
                                       + np.where(typed["clause_item"].isna(), "",
                                                  "." + typed["clause_item"].astype(str)))
                bad[name] = col.map(table["invalid"]).fillna(False).astype(bool)
        self.typed = typed

        # Findings.
        parts = []

        def finding(field, severity, code, mask, message):
            mask = mask.fillna(False).astype(bool).to_numpy()
            if not mask.any():
                return
            sub = typed.loc[mask]
            h = C.HEADER[field]
            value = raw.loc[mask, h].fillna("") if h in raw.columns else pd.Series("", index=sub.index)
            msg = message(sub, value) if callable(message) else message
            parts.append(pd.DataFrame({"row": sub["row"], "case_id": sub["case_id"], "column": h,
                                       "value": value, "severity": severity, "code": code,
                                       "message": msg}))

        def v40(value):
            return value.str.slice(0, 40)

        for name, header, ty, _ in C.FIELDS:
            if name not in bad:
                continue
            h = C.HEADER[name]
            if ty == "date":
                finding(name, "error", "date-invalid", bad[name],
                        lambda s, v, h=h: f"“{h}”列的“" + v40(v) + "”不是有效日期（可用格式：2025-03-01、2025/3/1、2025.3.1、20250301、2025年3月1日）")
            elif ty == "int":
                finding(name, "warning", "int-invalid", bad[name],
                        lambda s, v, h=h: f"“{h}”列的“" + v40(v) + "”不是有效整数（该值不予采用）")
            elif ty == "bool":
                finding(name, "warning", "bool-invalid", bad[name],
                        lambda s, v, h=h: f"“{h}”列的“" + v40(v) + "”不是有效的是/否值（该值不予采用）")
            elif isinstance(ty, list):
                strict = name in C.STRICT_ENUMS
                finding(name, "error" if strict else "warning", "enum-invalid" if strict else "enum-unknown",
                        bad[name], lambda s, v, h=h, ty=ty: f"“{h}”列的“" + v40(v) + f"”不是允许的取值（可选：{'、'.join(ty)}）")
            elif ty == "clause":
                finding(name, "warning", "clause-invalid", bad[name],
                        lambda s, v, h=h: f"“{h}”列的“" + v40(v) + "”无法识别为条款（该条款不计入条款统计）")
        for name, header, ty, req in C.FIELDS:
            if req:
                unreadable = bad.get(name, pd.Series(False, index=typed.index))
                finding(name, "error", "required-missing", typed[name].isna() & ~unreadable,
                        f"必填的“{C.HEADER[name]}”为空，请补填后重新导入")
        et = typed["error_type"]
        finding("error_type", "warning", "error-type-unknown", et.notna() & ~et.isin(C.ERROR_TYPES),
                lambda s, v: "“问题类型”列的“" + v40(v) + "”不在问题类型表中（已保留）")
        art, item, outc = typed["clause_article"], typed["clause_item"], typed["outcome"]
        mx = art.map({9: 9, 10: 10, 11: 3, 12: 7})
        ok_range = mx.notna() & (item.isna() | ((item >= 1) & (item <= mx)).fillna(False))
        supports = pd.Series(False, index=typed.index)
        for a, allowed in ((9, ["履职尽责"]), (10, C.TOLERANCE), (11, ["减轻", "从轻"]), (12, ["不予容错"])):
            supports |= (art == a).fillna(False) & outc.isin(allowed)
        finding("clause", "warning", "clause-out-of-range", art.notna() & ~ok_range,
                lambda s, v: "“适用条款”列的“" + v40(v) + "”超出办法条款范围")
        finding("clause", "warning", "clause-outcome-mismatch",
                art.notna() & ok_range & outc.notna() & ~supports,
                lambda s, v: "“适用条款”列的“" + v40(v) + "”（第" + s["clause_article"].astype(str)
                + "条）不支撑认定结果“" + s["outcome"] + "”")
        for a, b in C.CHRONOLOGY:
            finding(b, "warning", "chronology", typed[b] < typed[a],
                    lambda s, v, a=a, b=b: f"“{C.HEADER[b]}”" + s[b].dt.strftime("%Y-%m-%d")
                    + f" 早于“{C.HEADER[a]}”" + s[a].dt.strftime("%Y-%m-%d") + "，时间顺序不可能，请核对")
        finding("extension_days", "warning", "extension-over-30", typed["extension_days"] > 30,
                lambda s, v: "延长 " + s["extension_days"].astype(str) + " 天超过第十七条规定的 30 天上限（期限计算按 30 天计）")
        for name, _, ty, _ in C.FIELDS:
            if ty == "int":
                finding(name, "warning", "int-negative", typed[name] < 0,
                        lambda s, v, name=name: f"“{C.HEADER[name]}”为负数 " + s[name].astype(str) + "（该值不予采用）")
        # A record repeating the header (two exports concatenated) is rejected.
        named = [h for h in headers if h]
        same = sum((strip(raw[h]) == h).fillna(False).astype(np.int64) for h in named)
        rep_rows = typed.loc[(same * 2 > len(named)).to_numpy()]
        if len(rep_rows):
            parts.append(pd.DataFrame({"row": rep_rows["row"], "case_id": None, "column": "（整行）",
                                       "value": "", "severity": "error", "code": "header-repeated",
                                       "message": "本行是重复的表头（常见于把几个导出文件拼在一起），已拒收；删除此行即可"}))
        a, b = (pd.Timestamp(x) for x in C.PILOT)
        f = typed["filed_on"]
        finding("filed_on", "warning", "outside-pilot", (f < a) | (f > b),
                lambda s, v: "立案日期 " + s["filed_on"].dt.strftime("%Y-%m-%d")
                + f" 不在试点期间（{C.PILOT[0]} 至 {C.PILOT[1]}，第二十四条）内")
        findings = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=["row", "case_id", "column", "value", "severity", "code", "message"])

        # Duplicates.
        rejected = set(findings.loc[findings["severity"] == "error", "row"])
        ids = typed.loc[typed["case_id"].notna(), ["row", "case_id"]]
        dup = ids[ids["case_id"].duplicated(keep=False)].copy()
        if len(dup):
            dup["rej"] = dup["row"].isin(rejected)
            first_ok = dup[~dup["rej"]].groupby("case_id")["row"].min()
            first_any = dup.groupby("case_id")["row"].min()
            kept = first_ok.reindex(first_any.index).fillna(first_any).astype(np.int64)
            dup["kept"] = dup["case_id"].map(kept)
            h = C.HEADER["case_id"]
            keep_rows = dup[(dup["row"] == dup["kept"]) & ~dup["rej"]]
            other = dup[dup["row"] != dup["kept"]]
            findings = pd.concat([findings, pd.DataFrame({
                "row": keep_rows["row"], "case_id": keep_rows["case_id"], "column": h,
                "value": keep_rows["case_id"], "severity": "warning", "code": "duplicate-kept",
                "message": "案件编号“" + keep_rows["case_id"] + "”重复：保留本行，其余拒收"}),
                pd.DataFrame({
                "row": other["row"], "case_id": other["case_id"], "column": h,
                "value": other["case_id"], "severity": "error", "code": "duplicate-case",
                "message": "案件编号“" + other["case_id"] + "”与第" + other["kept"].astype(str) + "行重复，本行拒收"})],
                ignore_index=True)
        findings = findings.drop_duplicates().sort_values(["row", "column", "code", "message"],
                                                          kind="stable").reset_index(drop=True)
        self.findings = findings
        rej_rows = findings.loc[findings["severity"] == "error", "row"].unique()
        cases = typed[~typed["row"].isin(rej_rows)].copy()
        for name, _, ty, _ in C.FIELDS:
            if ty == "int":
                cases[name] = cases[name].mask(cases[name] < 0)
        self.cases = cases.reset_index(drop=True)
        self.rejected_rows = rej_rows

    def accounting(self):
        n, ok = len(self.raw), len(self.cases)
        return n, ok, n - ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ledger")
    ap.add_argument("--output", required=True)
    ap.add_argument("--rejects")
    a = ap.parse_args()
    ing = Ingest(a.ledger)
    ing.findings.to_csv(a.output, index=False, encoding="utf-8-sig")
    n, ok, rej = ing.accounting()
    if rej and a.rejects:
        f = ing.findings[ing.findings["severity"] == "error"]
        reasons = f.groupby("row")["message"].agg("；".join)
        r = ing.raw[ing.raw["row"].isin(reasons.index)].copy()
        r["拒收原因"] = r["row"].map(reasons)
        r.drop(columns="row").to_csv(a.rejects, index=False, encoding="utf-8-sig")
    print(f"read {n}, analysed {ok}, rejected {rej}", file=sys.stderr)


if __name__ == "__main__":
    main()

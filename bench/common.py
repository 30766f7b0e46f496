"""Shared pieces of the DuckDB and pandas baselines.

Only work on small tables lives here: the ledger schema (mirrors src/schema.rs),
the clause-citation parser applied to the *distinct* clause texts (jiucuo also
parses each distinct text once, through a cache), the holiday calendar, the
enforcement volume, and the hotspot statistics (exact Poisson tests, funnel
limits, Benjamini-Hochberg) run on the aggregated cell counts.

The per-row work (CSV parsing, casts, checks, joins, windows, group-bys) is done
by each engine itself, in duckdb_*.py and pandas_*.py.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

from scipy import stats as sps

REPO = Path(__file__).resolve().parent.parent
HOLIDAYS_CSV = REPO / "data" / "holidays-cn.csv"

# ---------------------------------------------------------------------------
# Schema (src/schema.rs)
# ---------------------------------------------------------------------------

UNIT_KINDS = ["街道办事处", "区政府部门"]
MATTER_TYPES = ["行政处罚", "行政许可", "行政强制", "行政检查", "行政收费", "行政确认",
                "行政登记", "行政给付", "行政裁决", "行政征收征用"]
SOURCES = ["执法监督检查", "实名举报", "匿名举报", "上级交办", "部门移送", "其他"]
OUTCOMES = ["履职尽责", "免责", "减轻", "从轻", "不予容错"]
TOLERANCE = ["免责", "减轻", "从轻"]
REVIEW_RESULTS = ["维持", "变更", "撤销"]
COMPLAINT_FINDINGS = ["属实", "部分属实", "不属实", "查无实据"]
ERROR_TYPES = ["违反法定程序", "事实不清证据不足", "适用依据错误", "超越职权", "滥用职权",
               "不履行法定职责", "超期办理", "未执行执法公示制度", "未执行执法全过程记录制度",
               "未执行重大执法决定法制审核制度", "裁量不当", "文书瑕疵", "应移送未移送", "其他"]

# (name, header, type, required); type: text, date, int, bool, list, clause, or a list (enum)
FIELDS = [
    ("case_id", "案件编号", "text", True),
    ("unit", "执法单位", "text", True),
    ("unit_kind", "单位类型", UNIT_KINDS, False),
    ("domain", "执法领域", "text", True),
    ("matter_type", "执法事项类别", MATTER_TYPES, True),
    ("officers", "涉及人员", "list", False),
    ("error_type", "问题类型", "text", True),
    ("subjective_fault", "主观过错", "bool", False),
    ("source", "案件来源", SOURCES, False),
    ("filed_on", "立案日期", "date", True),
    ("verified_on", "核实日期", "date", False),
    ("decided_on", "认定日期", "date", False),
    ("notified_on", "告知日期", "date", False),
    ("corrected_on", "纠错日期", "date", False),
    ("archived_on", "归档日期", "date", False),
    ("appraisal_days", "技术调查天数", "int", False),
    ("extension_days", "延长天数", "int", False),
    ("investigators", "调查人数", "int", False),
    ("recusal_breach", "应回避未回避", "bool", False),
    ("hearing_held", "是否听证", "bool", False),
    ("joint_investigation", "联合调查", "bool", False),
    ("transferred_on", "移交日期", "date", False),
    ("handled_on", "移交办结日期", "date", False),
    ("handling_reported_on", "办结报备日期", "date", False),
    ("outcome", "认定结果", OUTCOMES, False),
    ("clause", "适用条款", "clause", False),
    ("review_applied_on", "复核申请日期", "date", False),
    ("review_decided_on", "复核决定日期", "date", False),
    ("review_result", "复核结果", REVIEW_RESULTS, False),
    ("rectify_due", "整改期限", "date", False),
    ("rectify_extended_to", "整改延期至", "date", False),
    ("rectified_on", "整改完成日期", "date", False),
    ("complaint_finding", "举报核查结论", COMPLAINT_FINDINGS, False),
    ("reporter_feedback_on", "反馈举报人日期", "date", False),
    ("clarified_on", "澄清正名日期", "date", False),
    ("summary", "简要案情", "text", False),
]
HEADER = {f[0]: f[1] for f in FIELDS}
STRICT_ENUMS = {"matter_type", "outcome"}

CHRONOLOGY = [
    ("filed_on", "verified_on"), ("filed_on", "decided_on"), ("filed_on", "transferred_on"),
    ("filed_on", "archived_on"), ("decided_on", "notified_on"), ("decided_on", "corrected_on"),
    ("decided_on", "review_applied_on"), ("transferred_on", "handled_on"),
    ("handled_on", "handling_reported_on"), ("review_applied_on", "review_decided_on"),
]
PILOT = (dt.date(2025, 3, 1), dt.date(2027, 2, 28))

# Value forms of the vectorised pass of src/ingest/parse.rs, plus the extra
# boolean words and missing markers its per-cell pass accepts.
MISSING = ["", "-", "/", "无", "—", "－", "——", "N/A", "n/a", "NULL", "null"]
TRUE_WORDS = ["是", "有", "y", "yes", "true", "1", "√", "✓", "对"]
FALSE_WORDS = ["否", "无", "n", "no", "false", "0", "×", "✗", "错"]
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d", "%Y%m%d"]
# Unicode White_Space (what Rust's str::trim strips) plus BOM / zero-width.
WHITESPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u200b")
LIST_SPLIT = r"[、;；,，\n\r]"

WEIGHTS = {"不予容错": 3.0, "减轻": 2.0, "从轻": 2.0, "免责": 1.0, "履职尽责": 0.0}
WEIGHT_UNDECIDED = 1.0
MIN_COUNT = 3
Q_THRESHOLD = 0.05
RISING_P = 0.05
RISING_QUARTERS = 4
RISING_MIN_QUARTERS = 2
DUE_SOON_DAYS = 5

# ---------------------------------------------------------------------------
# Clause citations (src/ingest/values.rs parse_clause), on distinct texts
# ---------------------------------------------------------------------------

_FOLD = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "})
_CN = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
       "七": 7, "八": 8, "九": 9}
_NUM = r"([0-9]+|[零〇一二两三四五六七八九十]+)"
_CLAUSE_RE = re.compile(
    r"^(?:《[^》]*》)?(?:办法)?(第)?" + _NUM + r"(条)?"
    r"(?:(第)?\(" + _NUM + r"\)(项)?|(第)?" + _NUM + r"(项)?|([.\-、])" + _NUM + r"(项)?)?$"
)


def _cn_small(t: str) -> int | None:
    if t.isdigit():
        v = int(t)
        return v if v <= 255 else None
    if "十" in t:
        a, _, b = t.partition("十")
        if "十" in b:
            return None
        tens = 1 if a == "" else _CN.get(a) if len(a) == 1 else None
        ones = 0 if b == "" else _CN.get(b) if len(b) == 1 else None
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    return _CN.get(t) if len(t) == 1 else None


def parse_clause(text: str | None):
    """(article, item) or None for missing; raises ValueError when unreadable."""
    if text is None:
        return None
    t = "".join(text.translate(_FOLD).split())
    if t in MISSING:
        return None
    if "款" in t:
        raise ValueError("款")
    m = _CLAUSE_RE.match(t)
    if not m:
        raise ValueError("form")
    di, art, tiao = m.group(1), m.group(2), m.group(3)
    if di and not tiao:
        raise ValueError("form")
    article = _cn_small(art)
    if article is None:
        raise ValueError("number")
    if m.group(5) is not None:  # (N)
        if m.group(4) and not tiao:
            raise ValueError("form")
        item_txt = m.group(5)
    elif m.group(8) is not None:  # 第?N项
        if not tiao or not m.group(9):
            raise ValueError("form")
        item_txt = m.group(8)
    elif m.group(11) is not None:  # .N
        if tiao:
            raise ValueError("form")
        item_txt = m.group(11)
    else:
        return (article, None)
    item = _cn_small(item_txt)
    if item is None:
        raise ValueError("number")
    return (article, item)


def clause_table(values):
    """Rows (text, article, item, invalid) for the distinct clause texts."""
    out = []
    for v in values:
        try:
            c = parse_clause(v)
            out.append((v, c[0] if c else None, c[1] if c else None, False))
        except ValueError:
            out.append((v, None, None, True))
    return out


# ---------------------------------------------------------------------------
# Holiday calendar (src/calendar.rs)
# ---------------------------------------------------------------------------

def read_holidays(path: Path = HOLIDAYS_CSV):
    """({date: is_workday}, covered_years) from data/holidays-cn.csv."""
    special, covered = {}, set()
    for line in path.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if s.startswith("#"):
            m = re.match(r"#\s*covers:\s*(\d{4})", s)
            if m:
                covered.add(int(m.group(1)))
            continue
        if not s or s.startswith("date,"):
            continue
        d, kind = s.split(",")[:2]
        special[dt.date.fromisoformat(d)] = kind.strip() == "workday"
    return special, covered


def calendar_rows(first: dt.date, last: dt.date):
    """One row per day in [first, last]: (day, working, next_working_day, working_cum,
    covered). next_working_day is the day itself when it is a working day."""
    special, covered = read_holidays()
    days = [first + dt.timedelta(n) for n in range((last - first).days + 1)]
    working = [special.get(d, d.weekday() < 5) for d in days]
    nxt = [None] * len(days)
    upcoming = None
    for i in range(len(days) - 1, -1, -1):
        if working[i]:
            upcoming = days[i]
        nxt[i] = upcoming
    cum, acc = [], 0
    for w in working:
        acc += 1 if w else 0
        cum.append(acc)
    cov = [d.year in covered for d in days]
    return days, working, nxt, cum, cov, sorted(covered)


def assumed_note(year: int, covered) -> str:
    return (f"节假日表未覆盖{year}年（现有：{'、'.join(str(y) for y in covered)}），"
            "期限仅按周末顺延，请补充节假日安排后复核")


# ---------------------------------------------------------------------------
# Quarters, volume
# ---------------------------------------------------------------------------

def quarter_of(d: dt.date) -> tuple[int, int]:
    return (d.year, (d.month - 1) // 3 + 1)


def q_index(q):
    return q[0] * 4 + q[1] - 1


def q_from_index(i):
    return (i // 4, i % 4 + 1)


def q_label(q):
    return f"{q[0]}Q{q[1]}"


def q_first(q):
    return dt.date(q[0], 3 * q[1] - 2, 1)


def q_last(q):
    n = q_from_index(q_index(q) + 1)
    return q_first(n) - dt.timedelta(1)


def read_volume(path):
    """{(quarter, unit, domain or ''): actions} from volume.csv (small file)."""
    import csv
    out = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        r = csv.reader(f)
        header = next(r)
        iu, idm, iq, ia = (header.index(h) for h in ("执法单位", "执法领域", "季度", "执法量"))
        for row in r:
            if not row or not row[iu].strip():
                continue
            m = re.match(r"(\d{4})\s*[-年]?\s*[Qq](\d)", row[iq].strip())
            if not m:
                continue
            key = ((int(m.group(1)), int(m.group(2))), row[iu].strip(), row[idm].strip())
            out[key] = out.get(key, 0.0) + float(row[ia])
    return out


class Volume:
    def __init__(self, entries):
        self.e = entries

    def unit_total(self, q, unit):
        parts = [v for (eq, u, d), v in self.e.items() if eq == q and u == unit and d]
        if parts:
            return sum(parts)
        return self.e.get((q, unit, ""))

    def value(self, q, unit, domain):
        if unit is not None and domain is not None:
            return self.e.get((q, unit, domain))
        if unit is not None:
            return self.unit_total(q, unit)
        if domain is not None:
            parts = [v for (eq, _, d), v in self.e.items() if eq == q and d == domain]
            return sum(parts) if parts else None
        units = {u for (eq, u, _) in self.e if eq == q}
        if not units:
            return None
        return sum(self.unit_total(q, u) or 0.0 for u in units)


# ---------------------------------------------------------------------------
# Hotspot statistics on aggregated counts (src/analysis/hotspots.rs, stats.rs)
# ---------------------------------------------------------------------------

DIMS = [("unit×error_type", "unit", "error_type"),
        ("domain×error_type", "domain", "error_type"),
        ("unit×domain", "unit", "domain")]


def poisson_upper_tail(k, mu):
    if not math.isfinite(mu):
        return float("nan")
    if k == 0:
        return 1.0
    if mu <= 0:
        return 0.0
    return float(sps.poisson.sf(k - 1, mu))


def funnel_upper(expected, level):
    if expected <= 0:
        return 0.0
    p = 0.5 + level / 2
    r = int(sps.poisson.ppf(p, expected))
    f_r = sps.poisson.cdf(r, expected)
    f_prev = sps.poisson.cdf(r - 1, expected) if r > 0 else 0.0
    mass = f_r - f_prev
    alpha = min(max((f_r - p) / mass, 0.0), 1.0) if mass > 0 else 0.0
    return max(r - alpha, 0.0)


def funnel_level(count, expected):
    if not math.isfinite(expected):
        return "inside"
    if count > funnel_upper(expected, 0.998):
        return "alarm"
    if count > funnel_upper(expected, 0.95):
        return "warning"
    return "inside"


def bh(ps):
    q = [float("nan")] * len(ps)
    order = sorted((i for i in range(len(ps)) if not math.isnan(ps[i])),
                   key=lambda i: (min(max(ps[i], 0.0), 1.0), i))
    m = len(order)
    running = 1.0
    for pos in range(m - 1, -1, -1):
        i = order[pos]
        running = min(running, m * min(max(ps[i], 0.0), 1.0) / (pos + 1))
        q[i] = running
    return q


def hotspot_cells(counts, data_first, data_last, volume: Volume | None):
    """counts: iterable of (quarter_label, dims, k1, k2, n, weighted) for every
    quarter × cell kind × cell. Returns the flagged cells as dicts, in the
    order of src/analysis/hotspots.rs (before the final sort)."""
    by = {}
    for ql, dims, k1, k2, n, w in counts:
        by.setdefault((ql, dims), {})[(k1, k2)] = (int(n), float(w))
    qa, qb = quarter_of(data_first), quarter_of(data_last)
    quarters = [q_from_index(i) for i in range(q_index(qa), q_index(qb) + 1)]

    def coverage(q):
        a, b = max(q_first(q), data_first), min(q_last(q), data_last)
        if b < a:
            return 0.0
        return ((b - a).days + 1) / ((q_last(q) - q_first(q)).days + 1)

    out = []
    flagged_before = set()
    for q in quarters:
        label = q_label(q)
        cells = []
        prev = [q_from_index(q_index(q) - k) for k in range(1, RISING_QUARTERS + 1)]
        prev = [p for p in prev if coverage(p) > 0]
        prev_cov = sum(coverage(p) for p in prev)
        this_cov = coverage(q)
        for dims, _, _ in DIMS:
            counts_q = by.get((label, dims), {})
            total = sum(c[0] for c in counts_q.values())
            rows, cols = {}, {}
            for (a, b), (n, _) in counts_q.items():
                rows[a] = rows.get(a, 0) + n
                cols[b] = cols.get(b, 0) + n
            all_vol = None
            if volume is not None:
                all_vol = volume.value(q, None, None)
                all_vol = all_vol if all_vol and all_vol > 0 else None
            for key in sorted(counts_q):
                n, w = counts_q[key]
                if volume is None:
                    e = rows[key[0]] * cols[key[1]] / total if total > 0 else 0.0
                else:
                    numerator = total if dims == "unit×domain" else cols[key[1]]
                    if dims == "unit×error_type":
                        cv = volume.value(q, key[0], None)
                    elif dims == "domain×error_type":
                        cv = volume.value(q, None, key[0])
                    else:
                        cv = volume.value(q, key[0], key[1])
                    e = cv * numerator / all_vol if (cv is not None and all_vol) else None
                p = poisson_upper_tail(n, e) if (e is not None and e > 0) else None
                rising = False
                if len(prev) >= RISING_MIN_QUARTERS and n >= MIN_COUNT:
                    before = sum(by.get((q_label(pq), dims), {}).get(key, (0, 0))[0] for pq in prev)
                    mean = before / prev_cov * this_cov
                    rising = poisson_upper_tail(n, mean) < RISING_P
                funnel = funnel_level(n, e) if (volume is not None and e is not None) else None
                cells.append(dict(window=label, dims=dims, key=key, count=n, weighted=w,
                                  expected=e, p=p, rising=rising, funnel=funnel,
                                  frequent=n >= MIN_COUNT))
        qs = bh([c["p"] if c["p"] is not None else float("nan") for c in cells])
        for c, qv in zip(cells, qs):
            c["q"] = qv if math.isfinite(qv) else None
            c["concentrated"] = c["q"] is not None and c["q"] < Q_THRESHOLD
            stat = c["concentrated"] or c["rising"]
            c["persistent"] = stat and (c["dims"], c["key"]) in flagged_before
        flagged_before = {(c["dims"], c["key"]) for c in cells if c["concentrated"] or c["rising"]}
        for c in cells:
            sig = [s for s in ("frequent", "concentrated", "rising", "persistent") if c[s]]
            if not sig:
                continue
            if c["concentrated"]:
                alarm = c["funnel"] == "alarm" if volume is not None else (c["p"] is not None and c["p"] < 0.001)
                level = "alarm" if alarm else "warning"
            elif c["rising"] or c["persistent"]:
                level = "warning"
            else:
                level = "watch"
            c["signals"] = sig
            c["level"] = level
            out.append(c)
    return out


def hotspot_rows(cells):
    """Flat rows for a frame: window, dims, unit, domain, error_type, k1, k2, count,
    weighted, expected, ratio, p_value, q_value, signals, level."""
    rows = []
    for c in cells:
        _, a, b = next(d for d in DIMS if d[0] == c["dims"])
        vals = {"unit": None, "domain": None, "error_type": None}
        vals[a], vals[b] = c["key"]
        e = c["expected"]
        rows.append(dict(window=c["window"], dims=c["dims"], unit=vals["unit"],
                         domain=vals["domain"], error_type=vals["error_type"],
                         k1=c["key"][0], k2=c["key"][1], count=c["count"],
                         weighted=c["weighted"], expected=e,
                         ratio=(c["count"] / e) if (e is not None and e > 0) else None,
                         p_value=c["p"], q_value=c["q"], signals=c["signals"], level=c["level"]))
    return rows


CLAUSE_ITEMS = [f"{a}.{i}" for a, n in ((9, 9), (10, 10), (11, 3), (12, 7)) for i in range(1, n + 1)]


def clause_in_range(a, i):
    mx = {9: 9, 10: 10, 11: 3, 12: 7}.get(a)
    if mx is None:
        return False
    return i is None or 1 <= i <= mx


def clause_supports(a, outcome):
    return {9: ["履职尽责"], 10: ["免责", "减轻", "从轻"], 11: ["减轻", "从轻"],
            12: ["不予容错"]}.get(a, [])

"""Shared pieces of the DuckDB and pandas baselines.

Only work on small tables lives here: the ledger schema (mirrors src/schema.rs),
the rule parameters (the defaults of data/jiucuo.default.toml, rules revision 2)
and the as-of events (src/analysis/scope.rs), the clause-citation parser applied
to the *distinct* clause texts (jiucuo also parses each distinct text once,
through a cache), the holiday calendar, the enforcement volume, and the hotspot
statistics (expectations by indirect standardisation or volume, over-dispersion
τ², exact Poisson / negative-binomial and conditional binomial tests, funnel
limits, one Benjamini-Hochberg family per quarter) run on the aggregated counts
per quarter × unit × domain × error type.

The per-row work (CSV parsing, casts, checks, joins, windows, group-bys) is done
by each engine itself, in duckdb_*.py and pandas_*.py.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

from scipy import special
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
    ("malicious_report", "恶意举报", "bool", False),
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

# Defaults of data/jiucuo.default.toml ([deadlines], [repeats], [hotspots]).
WEIGHTS = {"不予容错": 3.0, "减轻": 2.0, "从轻": 2.0, "免责": 1.0}
MIN_COUNT = 3
Q_THRESHOLD = 0.05
ALARM_Q = 0.01
RISING_LOOKBACK = 4
RISING_MIN_QUARTERS = 2
PERSISTENT_QUARTERS = 2
OVERDISPERSION = True
WINSOR = 0.10
AFTER_CORRECTION_DAYS = 365
DUE_SOON_DAYS = 5

# What a decision established (src/analysis/determination.rs).
UNFOUNDED = ["不属实", "查无实据"]   # complaint findings that establish no error
NO_ERROR = "履职尽责"
MITIGATED = ["减轻", "从轻"]         # tolerance under art. 10, not under art. 11
CATCH_ALL = ["其他"]                 # never "the same problem" (rules.md §3)

# The as-of view (src/analysis/scope.rs): event dates emptied when after the
# as-of date, with what each event decided.
EVENTS = [
    ("verified_on", []),
    ("decided_on", ["outcome", "clause", "clause_article", "clause_item", "complaint_finding",
                    "malicious_report"]),
    ("notified_on", []), ("corrected_on", []), ("archived_on", []), ("transferred_on", []),
    ("handled_on", []), ("handling_reported_on", []), ("review_applied_on", []),
    ("review_decided_on", ["review_result"]), ("rectified_on", []),
    ("reporter_feedback_on", []), ("clarified_on", []),
]

# Outcomes sections (src/analysis/outcomes.rs).
RECTIFY_STATES = ["按期完成", "逾期完成", "逾期未完成", "未到期"]
FEEDBACK_DAYS = ["7日内", "8至15日", "16至30日", "30日以上"]

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
    """Enforcement volume with the totals of src/analysis/hotspots.rs::Volume
    (a unit's domain rows win over its total row; sums in sorted key order)."""

    def __init__(self, entries):
        self.e = entries
        by_domains, total_rows, self.domain_totals = {}, {}, {}
        for (q, u, d), v in sorted(entries.items()):
            if d:
                by_domains[(q, u)] = by_domains.get((q, u), 0.0) + v
                self.domain_totals[(q, d)] = self.domain_totals.get((q, d), 0.0) + v
            else:
                total_rows[(q, u)] = v
        self.unit_totals = {**total_rows, **by_domains}
        self.quarter_totals = {}
        for (q, _), v in sorted(self.unit_totals.items()):
            self.quarter_totals[q] = self.quarter_totals.get(q, 0.0) + v
        self.units = sorted({u for (_, u, _) in entries})
        self.domains = sorted({d for (_, _, d) in entries if d})
        self.unit_domains = sorted({(u, d) for (_, u, d) in entries if d})
        self._domains_of = {}
        for u, d in self.unit_domains:
            self._domains_of.setdefault(u, []).append(d)

    def value(self, q, unit=None, domain=None):
        if unit is not None and domain is not None:
            return self.e.get((q, unit, domain))
        if unit is not None:
            return self.unit_totals.get((q, unit))
        if domain is not None:
            return self.domain_totals.get((q, domain))
        return self.quarter_totals.get(q)

    def domains_of(self, unit):
        return self._domains_of.get(unit, [])


# ---------------------------------------------------------------------------
# Hotspot statistics on aggregated counts (src/analysis/hotspots.rs, stats.rs)
# ---------------------------------------------------------------------------

DIMS = [("unit×error_type", "unit", "error_type"),
        ("domain×error_type", "domain", "error_type"),
        ("unit×domain", "unit", "domain")]


def poisson_upper_tail(k, mu):
    """P(X >= k), X ~ Poisson(mu)."""
    if not math.isfinite(mu):
        return float("nan")
    if k == 0:
        return 1.0
    if mu <= 0:
        return 0.0
    return float(sps.poisson.sf(k - 1, mu))


def poisson_gamma_upper_tail(k, mean, tau2):
    """P(X >= k) for the negative binomial with Var = mean + tau2·mean²
    (size 1/tau2); the Poisson tail when tau2 is absent or negligible."""
    if not (math.isfinite(tau2) and tau2 > 0 and math.isfinite(mean)) or tau2 * mean < 1e-9:
        return poisson_upper_tail(k, mean)
    if k == 0:
        return 1.0
    if mean <= 0:
        return 0.0
    r = 1.0 / tau2
    return min(max(float(sps.nbinom.sf(k - 1, r, r / (r + mean))), 0.0), 1.0)


def binomial_upper_tail(k, n, pi):
    """P(X >= k), X ~ Binomial(n, pi), as I_pi(k, n - k + 1)."""
    if not math.isfinite(pi):
        return float("nan")
    if k == 0:
        return 1.0
    if k > n or pi <= 0:
        return 0.0
    if pi >= 1:
        return 1.0
    return min(max(float(special.betainc(k, n - k + 1, pi)), 0.0), 1.0)


def _quantile7(sorted_v, q):
    n = len(sorted_v)
    h = (n - 1) * min(max(q, 0.0), 1.0)
    lo = min(int(math.floor(h)), n - 1)
    hi = min(lo + 1, n - 1)
    return sorted_v[lo] + (h - lo) * (sorted_v[hi] - sorted_v[lo])


def overdispersion_tau2(observed, expected, winsor=WINSOR):
    """Additive τ² of Spiegelhalter (2005) from winsorised z-scores, or None
    when the cells are not over-dispersed (stats.rs::overdispersion)."""
    z, sw, sw2 = [], 0.0, 0.0
    for o, e in zip(observed, expected):
        if not (e > 0 and math.isfinite(e) and math.isfinite(o)):
            continue
        zi = (o - e) / math.sqrt(e)
        if not math.isfinite(zi):
            continue
        z.append(zi)
        sw += e
        sw2 += e * e
    if len(z) < 2:
        return None
    s = sorted(z)
    lo, hi = _quantile7(s, winsor), _quantile7(s, 1.0 - winsor)
    phi = sum(min(max(v, lo), hi) ** 2 for v in z) / len(z)
    i = float(len(z))
    excess = i * phi - (i - 1.0)
    if math.isnan(excess) or excess <= 0:
        return None
    denom = sw - sw2 / sw
    if not (denom > 0 and math.isfinite(denom)):
        return None
    tau2 = excess / denom
    return tau2 if (math.isfinite(tau2) and tau2 > 0) else None


def funnel_upper(expected, level):
    """Exact Poisson funnel limit with Spiegelhalter's interpolation."""
    if expected <= 0:
        return 0.0
    p = 0.5 + level / 2
    r = int(sps.poisson.ppf(p, expected))
    f_r = sps.poisson.cdf(r, expected)
    f_prev = sps.poisson.cdf(r - 1, expected) if r > 0 else 0.0
    mass = f_r - f_prev
    alpha = min(max((f_r - p) / mass, 0.0), 1.0) if mass > 0 else 0.0
    return max(r - alpha, 0.0)


def funnel_upper_limit(expected, level, tau2):
    exact = funnel_upper(expected, level)
    if tau2 is not None and math.isfinite(tau2) and tau2 > 0:
        if expected <= 0:
            return max(exact, 0.0)
        z = float(sps.norm.ppf(0.5 + level / 2))
        return max(exact, expected * (1 + z * math.sqrt(1 / expected + tau2)))
    return exact


def funnel_level(count, expected, tau2=None):
    if not math.isfinite(expected):
        return "inside"
    if count > funnel_upper_limit(expected, 0.998, tau2):
        return "alarm"
    if count > funnel_upper_limit(expected, 0.95, tau2):
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


def _full(q, as_of):
    return q_first(q) >= PILOT[0] and q_last(q) <= min(PILOT[1], as_of)


def _observed(q, as_of):
    return q_last(q) >= PILOT[0] and q_first(q) <= min(PILOT[1], as_of)


def hotspot_range(filed_min, filed_max, as_of):
    """(data_first, data_last) of the scoped cases' filing dates."""
    first = max(filed_min, PILOT[0])
    return first, max(min(filed_max, PILOT[1], as_of), first)


def hotspot_windows(data_first, data_last, as_of):
    """(computed, reported) quarters: every quarter of the data, plus the
    earlier quarters observed in the pilot that the rising and persistence
    tests look back on."""
    reported = [q_from_index(i) for i in range(q_index(quarter_of(data_first)),
                                               q_index(quarter_of(data_last)) + 1)]
    back = PERSISTENT_QUARTERS - 1 + RISING_LOOKBACK
    computed = set(reported)
    for q in reported:
        for k in range(1, back + 1):
            pq = q_from_index(q_index(q) - k)
            if _observed(pq, as_of):
                computed.add(pq)
    return sorted(computed, key=q_index), reported


def _get(m, k):
    return m.get(k, 0.0)


class _Window:
    """One window's tallies per cell kind and its margins of established errors."""

    def __init__(self, fine):
        # fine: {(unit, domain, error): (n, pending, weighted)}
        self.cells = {d: {} for d, _, _ in DIMS}
        self.unit, self.unit_domain, self.domain_error = {}, {}, {}
        self.domain, self.error, self.total = {}, {}, 0.0
        for (u, d, e), (n, pend, w) in sorted(fine.items()):
            for dims, key in (("unit×error_type", (u, e)), ("domain×error_type", (d, e)),
                              ("unit×domain", (u, d))):
                t = self.cells[dims].setdefault(key, [0, 0, 0.0])
                t[0] += n
                t[1] += pend
                t[2] += w
            if n == 0:
                continue
            n = float(n)
            self.unit[u] = self.unit.get(u, 0.0) + n
            self.unit_domain[(u, d)] = self.unit_domain.get((u, d), 0.0) + n
            self.domain_error[(d, e)] = self.domain_error.get((d, e), 0.0) + n
            self.domain[d] = self.domain.get(d, 0.0) + n
            self.error[e] = self.error.get(e, 0.0) + n
            self.total += n
        self.unit_domains = {}
        for u, d in sorted(self.unit_domain):
            self.unit_domains.setdefault(u, []).append(d)

    def n(self, dims, key):
        t = self.cells[dims].get(key)
        return t[0] if t else 0


def hotspot_cells(fine_rows, data_first, data_last, as_of, volume: Volume | None):
    """fine_rows: iterable of (window_label, unit, domain, error_type, count,
    pending, weighted) per (unit, domain, error type) of each quarter, count
    = established errors, pending = undecided cases. Returns the reported
    cells that carry a signal, as dicts."""
    computed, reported = hotspot_windows(data_first, data_last, as_of)
    labels = [q_label(q) for q in computed]
    by_label = {lb: {} for lb in labels}
    ledger_names = ({}, {})  # units, domains seen in the ledger (code order)
    for lb, u, d, e, n, pend, w in fine_rows:
        ledger_names[0][u] = True
        ledger_names[1][d] = True
        if lb in by_label:
            by_label[lb][(u, d, e)] = (int(n), int(pend), float(w))
    wins = [_Window(by_label[lb]) for lb in labels]
    pos = {q: i for i, q in enumerate(computed)}

    def vol_row_key(name, kind):
        # hotspots.rs codes: ledger names in text order, then the volume's own
        return (name not in ledger_names[kind], name)

    def expected(wi, dims, key):
        m, q = wins[wi], computed[wi]
        a, b = key
        if volume is None:
            if dims == "unit×error_type":
                doms = m.unit_domains.get(a)
                if doms is None:
                    return None
                total = 0.0
                for d in doms:
                    in_domain = _get(m.domain, d)
                    total += (_get(m.unit_domain, (a, d)) * _get(m.domain_error, (d, b)) / in_domain
                              if in_domain > 0 else 0.0)
                return total
            if dims == "domain×error_type":
                return _get(m.domain, a) * _get(m.error, b) / m.total if m.total > 0 else None
            return None
        pos_ = lambda x: x if (x is not None and x > 0) else None  # noqa: E731
        if dims == "unit×error_type":
            domains = volume.domains_of(a)
            if not domains:
                all_ = pos_(volume.value(q))
                mine = volume.value(q, a)
                if all_ is None or mine is None:
                    return None
                return mine * _get(m.error, b) / all_
            if not all(d in domains for d in m.unit_domains.get(a, [])):
                return None
            # every domain of the unit (any quarter's) needs a figure for the
            # window, the unit's and the district's: otherwise not tested
            total = 0.0
            for d in domains:
                mine, all_ = volume.value(q, a, d), pos_(volume.value(q, None, d))
                if mine is None or all_ is None:
                    return None
                total += mine * (_get(m.domain_error, (d, b)) / all_)
            return total
        if dims == "domain×error_type":
            all_, mine = pos_(volume.value(q)), volume.value(q, None, a)
            if all_ is None or mine is None:
                return None
            return mine * _get(m.error, b) / all_
        all_, mine = pos_(volume.value(q, None, b)), volume.value(q, a, b)
        if all_ is None or mine is None:
            return None
        return mine * _get(m.domain, b) / all_

    def grid(wi, dims):
        m = wins[wi]
        units, domains = set(m.unit_domains), set(m.domain)
        errors = set(m.error)
        if volume is not None:
            units |= set(volume.units)
            domains |= set(volume.domains)
            if dims == "unit×domain":
                g = set(volume.unit_domains) | set(m.unit_domain)
                return sorted(g, key=lambda k: (vol_row_key(k[0], 0), vol_row_key(k[1], 1)))
        elif dims == "unit×domain":
            return []
        rows, kind = (units, 0) if dims == "unit×error_type" else (domains, 1)
        return sorted(((r, e) for r in rows for e in errors),
                      key=lambda k: (vol_row_key(k[0], kind), k[1]))

    def tau2(wi, dims):
        if not OVERDISPERSION:
            return None
        o, e = [], []
        for key in grid(wi, dims):
            ex = expected(wi, dims, key)
            if ex is not None and ex > 0:
                o.append(float(wins[wi].n(dims, key)))
                e.append(ex)
        return overdispersion_tau2(o, e, WINSOR)

    def history(wi):
        q = computed[wi]
        earlier = [q_from_index(q_index(q) - k) for k in range(1, RISING_LOOKBACK + 1)]
        earlier = [pos[p] for p in earlier if _observed(p, as_of) and p in pos]
        full = sum(1 for i in earlier if _full(computed[i], as_of))
        return earlier if (full >= RISING_MIN_QUARTERS and earlier) else None

    def exposure(wi, dims, key):
        m, q = wins[wi], computed[wi]
        a, b = key
        column = m.total if dims == "unit×domain" else _get(m.error, b)
        if volume is None:
            if dims == "unit×error_type":
                row = _get(m.unit, a)
            elif dims == "domain×error_type":
                row = _get(m.domain, a)
            else:
                return None
            return row * column / m.total if m.total > 0 else 0.0
        if dims == "unit×error_type":
            row = volume.value(q, a)
        elif dims == "domain×error_type":
            row = volume.value(q, None, a)
        else:
            row = volume.value(q, a, b)
        all_ = volume.value(q)
        if row is None or all_ is None or not all_ > 0:
            return None
        return row * column / all_

    def rising_p(wi, hist, dims, key):
        now = wins[wi].n(dims, key)
        e_now = exposure(wi, dims, key)
        if e_now is None:
            return None
        total, expo = now, e_now
        for h in hist:
            total += wins[h].n(dims, key)
            eh = exposure(h, dims, key)
            if eh is None:
                return None
            expo += eh
        if not (e_now > 0 and expo > 0):
            return None
        return binomial_upper_tail(now, total, e_now / expo)

    tested = []
    for wi in range(len(computed)):
        hist = history(wi)
        cells = []
        for dims, _, _ in DIMS:
            if dims == "unit×domain" and volume is None:
                continue
            t2 = tau2(wi, dims)
            for key, (n, pend, w) in sorted(wins[wi].cells[dims].items()):
                if n == 0 and pend == 0:
                    continue
                e = expected(wi, dims, key)
                p = poisson_gamma_upper_tail(n, e, t2 or 0.0) if (e is not None and e > 0 and n > 0) else None
                rp = rising_p(wi, hist, dims, key) if (hist is not None and n > 0) else None
                cells.append(dict(window=labels[wi], dims=dims, key=key, count=n, pending=pend,
                                  weighted=w, expected=e, p=p, rising_p=rp, tau2=t2,
                                  frequent=n >= MIN_COUNT))
        nan = float("nan")
        qs = bh([c["p"] if c["p"] is not None else nan for c in cells]
                + [c["rising_p"] if c["rising_p"] is not None else nan for c in cells])
        for i, c in enumerate(cells):
            c["q"] = qs[i] if math.isfinite(qs[i]) else None
            c["rising_q"] = qs[len(cells) + i] if math.isfinite(qs[len(cells) + i]) else None
            c["concentrated"] = c["frequent"] and c["q"] is not None and c["q"] < Q_THRESHOLD
            c["rising"] = c["frequent"] and c["rising_q"] is not None and c["rising_q"] < Q_THRESHOLD
        tested.append(cells)
    flagged = [{(c["dims"], c["key"]) for c in cells if c["concentrated"] or c["rising"]}
               for cells in tested]
    out = []
    for wi, cells in enumerate(tested):
        q = computed[wi]
        before = [q_from_index(q_index(q) - k) for k in range(1, PERSISTENT_QUARTERS)]
        before = None if any(b not in pos for b in before) else [pos[b] for b in before]
        for c in cells:
            fl = c["concentrated"] or c["rising"]
            c["persistent"] = fl and before is not None and all(
                (c["dims"], c["key"]) in flagged[i] for i in before)
        if q not in reported:
            continue
        for c in cells:
            # with volume, above the 99.8 % funnel limit (widened by τ²) is an alarm too
            strong = c["concentrated"] and (
                (c["q"] is not None and c["q"] < ALARM_Q)
                or (volume is not None and c["expected"] is not None
                    and funnel_level(c["count"], c["expected"], c["tau2"]) == "alarm"))
            if c["persistent"] or strong:
                level = "alarm"
            elif c["concentrated"] or c["rising"]:
                level = "warning"
            elif c["frequent"]:
                level = "watch"
            else:
                continue
            c["signals"] = [s for s in ("frequent", "concentrated", "rising", "persistent") if c[s]]
            c["level"] = level
            out.append(c)
    return out


def hotspot_rows(cells):
    """Flat rows for a frame: window, dims, unit, domain, error_type, k1, k2, count,
    pending, weighted, expected, ratio, p_value, q_value, rising_p, rising_q,
    signals, level."""
    rows = []
    for c in cells:
        _, a, b = next(d for d in DIMS if d[0] == c["dims"])
        vals = {"unit": None, "domain": None, "error_type": None}
        vals[a], vals[b] = c["key"]
        e = c["expected"]
        rows.append(dict(window=c["window"], dims=c["dims"], unit=vals["unit"],
                         domain=vals["domain"], error_type=vals["error_type"],
                         k1=c["key"][0], k2=c["key"][1], count=c["count"], pending=c["pending"],
                         weighted=c["weighted"], expected=e,
                         ratio=(c["count"] / e) if (e is not None and e > 0) else None,
                         p_value=c["p"], q_value=c["q"], rising_p=c["rising_p"],
                         rising_q=c["rising_q"], signals=c["signals"], level=c["level"]))
    return rows


HOTSPOT_COLUMNS = ["window", "dims", "unit", "domain", "error_type", "count", "pending", "weighted",
                   "expected", "ratio", "p_value", "q_value", "rising_p", "rising_q", "signals",
                   "level", "officer_repeats", "after_correction", "case_ids"]


CLAUSE_ITEMS = [f"{a}.{i}" for a, n in ((9, 9), (10, 10), (11, 3), (12, 7)) for i in range(1, n + 1)]
CATCH_ALL_ITEMS = ["9.9", "10.10", "11.3", "12.7"]   # the catch-all item of each article


def clause_in_range(a, i):
    mx = {9: 9, 10: 10, 11: 3, 12: 7}.get(a)
    if mx is None:
        return False
    return i is None or 1 <= i <= mx


def clause_supports(a, outcome):
    return {9: ["履职尽责"], 10: ["免责", "减轻", "从轻"], 11: ["减轻", "从轻"],
            12: ["不予容错"]}.get(a, [])

#!/usr/bin/env python3
"""Run one command under `/usr/bin/time -v`, with a wall-time limit and a memory
guard, and append one JSON record to a results file.

    measure.py --results F --record '{"size": ..., "tool": ..., "task": ...}' \
               [--timeout S] [--mem-limit-mib M] [--cwd DIR] -- CMD ...

The command runs in its own process group. A watchdog sums the RSS of every
process in that group a few times a second; past --mem-limit-mib (or past
--timeout) the whole group is killed and the record says "OOM" / "timeout"
instead of a time. Peak RSS is the one `time -v` reports (largest process);
the watchdog's peak of the group total is recorded too.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

PAGE = os.sysconf("SC_PAGE_SIZE")


def group_rss(pgid: int) -> int:
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[2]) != pgid:  # field 5 (pgrp)
                continue
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            continue
    return total


def parse_time_v(text: str) -> dict:
    out = {}
    m = re.search(r"Elapsed \(wall clock\) time.*?: (?:(\d+):)?(\d+):([\d.]+)", text)
    if m:
        h = int(m.group(1) or 0)
        out["wall_s"] = h * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if m:
        out["max_rss_kib"] = int(m.group(1))
    for key, pat in (("user_s", r"User time \(seconds\): ([\d.]+)"),
                     ("sys_s", r"System time \(seconds\): ([\d.]+)"),
                     ("cpu_pct", r"Percent of CPU this job got: (\d+)%"),
                     ("exit_code", r"Exit status: (\d+)")):
        m = re.search(pat, text)
        if m:
            out[key] = float(m.group(1)) if "." in m.group(1) else int(m.group(1))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--record", default="{}")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--mem-limit-mib", type=float, default=18 * 1024)
    ap.add_argument("--cwd")
    ap.add_argument("--log")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    rec = json.loads(a.record)
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as tf:
        time_file = tf.name
    log = open(a.log, "ab") if a.log else subprocess.DEVNULL
    rec["loadavg_before"] = os.getloadavg()[0]
    start = time.monotonic()
    proc = subprocess.Popen(["/usr/bin/time", "-v", "-o", time_file] + cmd, cwd=a.cwd,
                            stdout=log, stderr=log, start_new_session=True)
    limit = a.mem_limit_mib * 1024 * 1024
    peak, status = 0, "ok"
    while proc.poll() is None:
        rss = group_rss(proc.pid)
        peak = max(peak, rss)
        elapsed = time.monotonic() - start
        if rss > limit or elapsed > a.timeout:
            status = "OOM" if rss > limit else "timeout"
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            break
        time.sleep(0.1 if elapsed < 5 else 0.25)
    wall = time.monotonic() - start
    with open(time_file) as f:
        tv = parse_time_v(f.read())
    os.unlink(time_file)
    rec.update(tv)
    rec["group_peak_rss_kib"] = peak // 1024
    rec.setdefault("wall_s", wall)
    if status == "ok" and proc.returncode != 0:
        status = f"failed (exit {proc.returncode})"
    rec["status"] = status
    if status == "timeout":
        rec["limit_s"] = a.timeout
    if status == "OOM":
        rec["limit_mib"] = a.mem_limit_mib
    with open(a.results, "a") as f:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    shown = (f"{rec['wall_s']:.2f} s, {rec.get('max_rss_kib', 0) / 1024:.0f} MiB"
             if status == "ok" else status)
    print(f"  {rec.get('size', '')} {rec.get('tool', '')} {rec.get('task', '')} "
          f"#{rec.get('rep', '')}: {shown}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

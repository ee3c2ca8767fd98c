"""What the benches read about processes, through psutil: CPU seconds of a process (its threads included),
the machine's busy CPU time, a process's children, its memory and threads. The peak RSS (``VmHWM``) is the
one figure psutil does not give; it is read from ``/proc/PID/status`` (Linux), 0 elsewhere."""

from __future__ import annotations

from pathlib import Path

import psutil


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far (NaN once it is gone)."""
    try:
        t = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return float("nan")
    return t.user + t.system


def busy_seconds() -> float:
    """CPU seconds every process on the machine has used so far (all but idle and iowait)."""
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def own_cpu_seconds() -> float:
    """User + system CPU seconds of this process."""
    t = psutil.Process().cpu_times()
    return t.user + t.system


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (none once it is gone)."""
    try:
        return [c.pid for c in psutil.Process(pid).children()]
    except psutil.Error:
        return []


def memory(pid: int) -> dict[str, float]:
    """``rss_mb`` and ``peak_rss_mb`` of ``pid`` and its ``threads`` ({} once it is gone)."""
    try:
        p = psutil.Process(pid)
        with p.oneshot():
            out = {"rss_mb": round(p.memory_info().rss / 2**20, 1), "threads": p.num_threads()}
    except psutil.Error:
        return {}
    out["peak_rss_mb"] = round(_peak_kb(pid) / 1024, 1)
    return out


def _peak_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                return int(line.split(":", 1)[1].split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return 0

"""Run one reader in a child process bounded in memory and time, and turn its failure into a reason.

The child (``python -P -m index.readers.isolate``, a request as JSON on stdin, the result as JSON on
stdout) sets its own address-space limit (``RLIMIT_AS``) and CPU limit before it imports a parser;
the parent kills it after a wall-clock timeout. A decompression bomb therefore ends as a
:class:`LimitError`, never as the caller's memory. Limits are set in the child, not through
``preexec_fn``, which is unsafe in a threaded server. On systems without ``resource`` (Windows) only
the wall-clock timeout applies; macOS does not enforce ``RLIMIT_AS``.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from index.readers.errors import ERRORS_BY_KIND, LimitError, ReadError

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])   # the folder holding the ``index`` package
_SIGSEGV, _SIGABRT, _SIGKILL, _SIGXCPU = 11, 6, 9, 24


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on reading one PDF or DOCX."""

    max_pages: int = 500          # a longer PDF is skipped
    max_seconds: float = 60.0     # CPU and wall-clock time for one file
    max_memory_mb: int = 512      # the child's address space (a decompression bomb stops here)


@dataclass(frozen=True)
class Extracted:
    """What a reader got from a file: its title (None when it has none) and its text, one paragraph a line."""

    title: str | None
    text: str


def read_isolated(kind: str, path: str | os.PathLike, limits: ReadLimits = ReadLimits()) -> Extracted:
    """Read ``path`` as ``kind`` ("pdf" or "docx") in a bounded child process. Raises a ReadError."""
    request = json.dumps({"kind": kind, "path": str(Path(path).resolve()), "limits": asdict(limits)})
    # a minimal environment: the child parses untrusted files, so it gets none of the tokens or keys
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")}
    env.update(PYTHONDONTWRITEBYTECODE="1",
               PYTHONPATH=os.pathsep.join(p for p in (_PACKAGE_ROOT, os.environ.get("PYTHONPATH")) if p))
    try:
        proc = subprocess.run([sys.executable, "-P", "-m", "index.readers.isolate"], input=request.encode(),
                              capture_output=True, timeout=limits.max_seconds + 5, env=env)
    except subprocess.TimeoutExpired:
        raise LimitError(f"timed out: reading took longer than {limits.max_seconds:g} s") from None
    if proc.returncode != 0:
        raise _crash_reason(proc, limits)
    try:
        result = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise ReadError("the reader returned no result (its output was cut off)") from None
    if "error" in result:
        raise ERRORS_BY_KIND.get(result["error"]["kind"], ReadError)(result["error"]["reason"])
    return Extracted(result.get("title") or None, result["text"])


def read_in_process(kind: str, path: str | os.PathLike, limits: ReadLimits = ReadLimits()) -> Extracted:
    """The same reading in this process: faster (no child start), but a bomb is bounded only by the
    time checks between pages. For trusted files and tests."""
    result = _read(kind, str(path), limits)
    return Extracted(result.get("title") or None, result["text"])


def _crash_reason(proc: subprocess.CompletedProcess, limits: ReadLimits) -> ReadError:
    signal = -proc.returncode if proc.returncode < 0 else None
    err = proc.stderr.decode("utf-8", "replace")
    if signal == _SIGSEGV:
        return ReadError("the PDF library crashed on this file (segmentation fault)")
    if signal in (_SIGABRT, _SIGKILL) or any(s in err for s in ("MemoryError", "bad_alloc", "Out of memory")):
        return LimitError(f"too large: reading went past the {limits.max_memory_mb} MB memory limit "
                          "(a decompression bomb or a huge page)")
    if signal == _SIGXCPU:
        return LimitError(f"timed out: reading used more than {limits.max_seconds:g} s of CPU")
    last = err.strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
    return ReadError(f"the reader crashed: {last[0][:300]}")


def _read(kind: str, path: str, limits: ReadLimits) -> dict:
    deadline = time.monotonic() + limits.max_seconds
    if kind == "pdf":
        from index.readers.pdf import pdf_text

        return pdf_text(path, limits.max_pages, deadline)
    if kind == "docx":
        from index.readers.docx import docx_text

        return docx_text(path)
    raise ValueError(f"unknown reader {kind!r}: use 'pdf' or 'docx'")


def _limit_self(limits: ReadLimits) -> None:
    try:
        import resource
    except ImportError:  # Windows: only the parent's wall-clock timeout applies
        return
    memory = limits.max_memory_mb << 20
    cpu = int(math.ceil(limits.max_seconds)) + 2
    for which, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu)):
        try:
            resource.setrlimit(which, (value, value if which == resource.RLIMIT_AS else value + 1))
        except (ValueError, OSError):  # a lower hard limit is already in place
            pass


def main() -> None:
    """The child: read the request, set the limits, read the file, write the result."""
    request = json.loads(sys.stdin.buffer.read())
    limits = ReadLimits(**request["limits"])
    _limit_self(limits)
    try:
        result = _read(request["kind"], request["path"], limits)
    except ReadError as exc:
        result = {"error": {"kind": exc.kind, "reason": exc.reason}}
    except MemoryError:
        result = {"error": {"kind": "limit", "reason": f"too large: reading went past the {limits.max_memory_mb} MB "
                                                         "memory limit (a decompression bomb or a huge page)"}}
    sys.stdout.write(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

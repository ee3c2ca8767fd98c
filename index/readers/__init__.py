"""Readers for files that are not plain text: PDF (pypdfium2) and DOCX (python-docx).

    from index.readers import read_pdf, read_docx, ReadError
    got = read_pdf("report.pdf")          # Extracted(title, text), or raises ReadError(reason)

Both run in a child process bounded in memory and time (:mod:`index.readers.isolate`); the text
has one paragraph per line, table rows as cells separated by a tab, letters in standard Unicode
forms and every line in reading order. :mod:`index.load` turns a ReadError into a skipped file.
"""

from __future__ import annotations

import os

from index.readers.errors import (SCANNED_REASON, DamagedError, EncryptedError, LimitError, ReadError,
                                  ScannedError)
from index.readers.isolate import Extracted, ReadLimits, read_in_process, read_isolated

__all__ = ["Extracted", "ReadLimits", "ReadError", "ScannedError", "EncryptedError", "DamagedError", "LimitError",
           "SCANNED_REASON", "read_pdf", "read_docx"]


def read_pdf(path: str | os.PathLike, limits: ReadLimits = ReadLimits(), *, isolate: bool = True) -> Extracted:
    """Title and text of a PDF. ``isolate=False`` reads in this process (no memory bound)."""
    return (read_isolated if isolate else read_in_process)("pdf", path, limits)


def read_docx(path: str | os.PathLike, limits: ReadLimits = ReadLimits(), *, isolate: bool = True) -> Extracted:
    """Title and text of a DOCX. ``isolate=False`` reads in this process (zip bombs are still
    refused from the declared sizes, before anything is inflated)."""
    return (read_isolated if isolate else read_in_process)("docx", path, limits)

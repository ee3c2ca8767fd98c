"""Why a PDF or DOCX could not be read: one exception type per kind, each with a plain-words ``reason``."""

from __future__ import annotations

from index.errors import AssistantError, Failure

SCANNED_REASON = "no text layer: scanned PDF, OCR is not supported"
ENCRYPTED_REASON = "encrypted"


class ReadError(AssistantError):
    """The file could not be read; ``reason`` says why in plain words (it is what ingest reports)."""

    kind = "error"   # what ingest reports (not the failure: every unreadable file is the caller's input)
    failure = Failure.INVALID

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ScannedError(ReadError):
    """A PDF with no text layer (a scan, or text drawn as outlines)."""

    kind = "scanned"


class EncryptedError(ReadError):
    """A PDF or DOCX that needs a password to open."""

    kind = "encrypted"


class DamagedError(ReadError):
    """The file is not a readable PDF/DOCX: truncated, corrupt, or another format."""

    kind = "damaged"


class LimitError(ReadError):
    """Reading would take more memory, time or pages than allowed (a decompression or zip bomb)."""

    kind = "limit"


ERRORS_BY_KIND = {c.kind: c for c in (ReadError, ScannedError, EncryptedError, DamagedError, LimitError)}

"""The one root of the errors the assistant raises on purpose, and what kind of failure each one is.

Every typed error of the index, the answerer and the front ends derives from :class:`AssistantError` (most
also from the builtin they used to be, ``ValueError`` or ``RuntimeError``, so old ``except`` clauses still
hold). Its :attr:`~AssistantError.failure` is all a front end needs: ``ui/failures.py`` turns it into an
HTTP status, an OpenAI error, a JSON-RPC (MCP) error and a CLI exit code, in one table.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class Failure(StrEnum):
    """What went wrong, as the caller needs to know it."""

    INVALID = "invalid"          # the caller's input cannot be used (a question, a body, a file, a question set)
    CONFIG = "config"            # the settings are wrong: fix them and start again
    TOO_LARGE = "too_large"      # a body or a file is over its limit
    NOT_FOUND = "not_found"      # no such document
    BUSY = "busy"                # another process or upload is writing the index: try again later
    UNAVAILABLE = "unavailable"  # the index or a backend cannot serve now (empty, other model, server down)
    INTERNAL = "internal"        # a fault of ours: logged with its trace, reported without details


class AssistantError(Exception):
    """An error raised on purpose, with a message that names the bad value and the fix."""

    failure: ClassVar[Failure] = Failure.INTERNAL

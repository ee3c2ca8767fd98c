"""One mapping from an error to what each front end answers: an HTTP status (``/api``), an OpenAI error
(``/v1``), a JSON-RPC error code (MCP) and an exit code (the CLI).

An :class:`~index.errors.AssistantError` says what kind of failure it is (``index/errors.py``); its message
names the bad value and the fix and is shown as it is. Anything else is a fault of ours: the front end logs
its traceback and answers ``internal error`` without details.

==============  ====  ======  ===========================  ========  ====
failure         HTTP  /v1     OpenAI type                  JSON-RPC  exit
==============  ====  ======  ===========================  ========  ====
invalid         422   400     invalid_request_error        -32602    2
config          500   500     server_error                 -32603    2
too_large       413   413     invalid_request_error        -32602    2
not_found       404   404     invalid_request_error        -32602    1
busy            409   409     server_error                 -32603    1
unavailable     503   503     server_error                 -32603    1
internal        500   500     server_error                 -32603    1
==============  ====  ======  ===========================  ========  ====
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from index.errors import AssistantError, Failure

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
INVALID_PARAMS, INTERNAL_ERROR = -32602, -32603   # JSON-RPC 2.0


@dataclass(frozen=True)
class Reply:
    """How the front ends answer one kind of failure."""

    status: int           # HTTP status of /api and the admin routes
    openai_status: int    # ... of /v1 (OpenAI answers a bad request with 400)
    openai_type: str      # OpenAI's error ``type``
    jsonrpc: int          # JSON-RPC error code (MCP resources; tools answer ``isError`` with the message)
    exit_code: int        # the CLI's


REPLIES: dict[Failure, Reply] = {
    Failure.INVALID: Reply(422, 400, "invalid_request_error", INVALID_PARAMS, EXIT_USAGE),
    Failure.CONFIG: Reply(500, 500, "server_error", INTERNAL_ERROR, EXIT_USAGE),
    Failure.TOO_LARGE: Reply(413, 413, "invalid_request_error", INVALID_PARAMS, EXIT_USAGE),
    Failure.NOT_FOUND: Reply(404, 404, "invalid_request_error", INVALID_PARAMS, EXIT_ERROR),
    Failure.BUSY: Reply(409, 409, "server_error", INTERNAL_ERROR, EXIT_ERROR),
    Failure.UNAVAILABLE: Reply(503, 503, "server_error", INTERNAL_ERROR, EXIT_ERROR),
    Failure.INTERNAL: Reply(500, 500, "server_error", INTERNAL_ERROR, EXIT_ERROR),
}

INTERNAL_MESSAGE = "internal error"


@dataclass(frozen=True)
class Outcome:
    """An error as a front end reports it: the reply, the message to show, and whether it was expected."""

    reply: Reply
    message: str
    expected: bool      # an AssistantError: show its message; else log the trace, show ``internal error``
    failure: Failure


def outcome(exc: BaseException) -> Outcome:
    """What to answer for ``exc``."""
    if isinstance(exc, AssistantError) and exc.failure is not Failure.INTERNAL:
        return Outcome(REPLIES[exc.failure], str(exc), True, exc.failure)
    return Outcome(REPLIES[Failure.INTERNAL], INTERNAL_MESSAGE, False, Failure.INTERNAL)


def report(exc: BaseException, what: str, log: logging.Logger) -> Outcome:
    """:func:`outcome`, logged: an expected failure as one warning line, anything else with its traceback
    (call it inside the ``except`` block)."""
    result = outcome(exc)
    if result.expected:
        if result.failure is not Failure.INVALID:   # a refused question is the caller's, not worth a warning
            log.warning("%s failed: %s", what, result.message)
    else:
        log.exception("%s failed with an unexpected error", what)
    return result

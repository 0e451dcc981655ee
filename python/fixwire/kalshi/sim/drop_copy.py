"""Drop copy (spec section 10, KalshiDC): EventResendRequest <U1> replays the key's
ExecutionReports by ExecID range, then EventResendComplete <U2>, or EventResendReject <U3>:
21004=1 past the key's request budget, 2 for a server error (fault injection), 3 for a range
beginning at or below a report no longer kept, 4 for one ending past the newest report.
Rejects are not replayed.

What is kept is bounded in time and bytes, per key: the lookback (the venue's 3 hours,
``drop_copy_lookback``) and ``drop_copy_max_bytes`` (:data:`DEFAULT_MAX_DROP_COPY_BYTES`), the
oldest report forgotten first. A report is kept as it was sent, once: an order's report as its
template's values (one tuple of texts, which the garbage collector stops tracking at its
first pass), a trade's as its fields; charged :data:`REPORT_CHARGE` plus :data:`FIELD_CHARGE`
per top-level field or template slot: more than the objects really take (measured in
``tests/kalshi/test_sim_retention.py``). The newest event number forgotten is the key's marker:
a replay beginning at or below it gets 21004=3 (BeginExecID too old), whichever limit forgot
it, never a replay with a hole.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any, TypeAlias

from fixwire._native import Message, Template
from fixwire.kalshi.sim.core import (
    Participant,
    VenueCore,
)
from fixwire.kalshi.venue import RateLimit, RateLimitError, TokenBucket

#: The default cap on each key's kept ExecutionReports, bytes (64 MiB).
DEFAULT_MAX_DROP_COPY_BYTES = 64 * 1024 * 1024
#: Bytes charged per kept report, beyond its fields: its entry, event number and time.
REPORT_CHARGE = 256
#: Bytes charged per top-level field of a kept report (a group counts once, its entries
#: included: the simulator's groups are short).
FIELD_CHARGE = 256

Sent: TypeAlias = tuple[int, float, str | Template, Any]
"""An ExecutionReport kept for drop copy: its event number, when it was sent, and what
``Connection.send`` was given: MsgType <35> and (tag, value) pairs, or a template and its
values.
"""


class DropCopyFlow(VenueCore):
    """KalshiDC: every key's ExecutionReports of the lookback, replayed on request."""

    # The ExecutionReports of the lookback, per key, for drop-copy replay: (event number, time
    # sent, fields), oldest first; and the newest event number forgotten, per key.
    _history: dict[str, collections.deque[Sent]]
    _forgotten: dict[str, int]
    _lookback: float
    #: Bytes charged for each key's kept reports, and the cap on them.
    _history_bytes: dict[str, int]
    _history_cap: int
    _clock: Callable[[], float]
    #: Each key's EventResendRequest <U1> budget (None: no limit), made on its first request.
    _replay_limit: RateLimit | None
    _replay_buckets: dict[str, TokenBucket]
    #: Fault injection (:meth:`drop_copy_server_error`): requests still to fail.
    _replay_failures: int

    def drop_copy_server_error(self, requests: int = 1) -> None:
        """Fault injection: the next ``requests`` EventResendRequests <U1> are refused with
        EventResendReject <U3> 21004=2 (server error), as the venue answers when it cannot
        replay (spec section 10); a trader asks again later.
        """
        if requests < 1:
            raise ValueError("requests must be at least 1")
        self._replay_failures += requests

    def _remember(
        self, owner: str, number: int, message: str | Template, report: tuple[Any, ...] | list[Any]
    ) -> None:
        """Keeps an ExecutionReport for drop copy, as sent (``message`` and its fields or
        values, which are not changed after), forgetting the oldest while they are past the
        lookback or the key's byte cap.
        """
        now = self._last_now  # The simulator's clock as the report was made (VenueCore._now).
        history = self._history.get(owner)
        if history is None:  # (setdefault would make a deque for every report)
            history = self._history[owner] = collections.deque()
        held = self._history_bytes.get(owner, 0) + REPORT_CHARGE + FIELD_CHARGE * len(report)
        history.append((number, now, message, report))
        cutoff = now - self._lookback
        while history and (history[0][1] < cutoff or held > self._history_cap):
            forgotten, _, _, kept = history.popleft()
            self._forgotten[owner] = forgotten
            held -= REPORT_CHARGE + FIELD_CHARGE * len(kept)
        self._history_bytes[owner] = held

    def _replay(self, api_key: str, client: Participant, msg: Message) -> None:
        """Drop copy: the key's ExecutionReports from BeginExecID <21001> to EndExecID <21002>."""
        limit = self._replay_limit
        if limit is not None:
            bucket = self._replay_buckets.get(api_key)
            if bucket is None:
                bucket = self._replay_buckets[api_key] = limit.bucket()
            try:
                bucket.take(limit.cost)
            except RateLimitError:
                self._send(client, "U3", [(45, msg.seq_num), (21004, 1)])
                return
        if self._replay_failures:
            self._replay_failures -= 1
            self._send(client, "U3", [(45, msg.seq_num), (21004, 2)])
            return
        history = self._history.get(api_key, collections.deque())

        def event_number(exec_id: str | None) -> int | None:
            try:
                return None if exec_id is None else int(exec_id.split(";")[1])
            except (IndexError, ValueError):
                return None

        begin = event_number(msg.get(21001))
        end = event_number(msg.get(21002)) if 21002 in msg else (history[-1][0] if history else 0)
        if begin is None or end is None or begin <= self._forgotten.get(api_key, 0):
            self._send(client, "U3", [(45, msg.seq_num), (21004, 3)])
            return
        if history and end > history[-1][0]:
            self._send(client, "U3", [(45, msg.seq_num), (21004, 4)])
            return
        replayed = [sent for sent in history if begin <= sent[0] <= end]
        for _, _, message, report in replayed:
            client.connection.send(message, report)
        self._send(client, "U2", [(45, msg.seq_num), (21003, len(replayed))])

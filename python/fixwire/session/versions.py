"""What differs between the FIX session protocols, one row per BeginString <8>.

The session protocol is the same machine from FIX.4.0 to FIXT.1.1; the versions differ in a few
fields and values, and those differences live here as data. The state machine reads a
:class:`VersionRules` and never tests a BeginString itself.

=========  ====  =============  ========  ===================  ============  ==========
Version    1137  Reject fields  EndSeqNo  SessionRejectReason  789 on Logon  52 to the
=========  ====  =============  ========  ===================  ============  ==========
FIX.4.0    no    45, 58         999999    (none)               no            second
FIX.4.1    no    45, 58         999999    (none)               no            second
FIX.4.2    no    + 371 372 373  0         0-11                 no            millisecond
FIX.4.3    no    + 371 372 373  0         0-17                 no            millisecond
FIX.4.4    no    + 371 372 373  0         0-17, 99             yes           millisecond
FIXT.1.1   yes   + 371 372 373  0         0-18, 99             yes           millisecond
=========  ====  =============  ========  ===================  ============  ==========

* DefaultApplVerID <1137> exists only in FIXT.1.1, where it is required on Logon <A>.
* Before FIX.4.2 a Reject <3> has no RefTagID <371>, RefMsgType <372> or SessionRejectReason
  <373>: the reason goes into Text <58>.
* Before FIX.4.2, a ResendRequest <2> asks "to infinity" with EndSeqNo <16> 999999; from
  FIX.4.2 with 0 (999999 still means infinity when a peer sends it).
* SessionRejectReason values 12-17 were added in FIX.4.3 (13 tag appears more than once, 14
  out of order, 16 NumInGroup), 99 (other) in FIX.4.4 and 18 (unsupported application
  version) in FIXT.1.1. A reason the version does not define is not sent: the Reject carries
  its RefTagID and Text only.
* NextExpectedMsgSeqNum <789> on Logon exists from FIX.4.4.
* UTCTimestamps have no fraction of a second before FIX.4.2: a session of those versions
  writes SendingTime <52> to the second whatever ``time_precision`` says.
"""

from __future__ import annotations

from dataclasses import dataclass

from fixwire.errors import SessionError

__all__ = ["VERSIONS", "VersionRules", "rules_for"]

_FIX42_REASONS = frozenset(range(12))
_FIX43_REASONS = frozenset(range(18))


@dataclass(frozen=True, slots=True)
class VersionRules:
    """The session protocol's rules of one BeginString <8>.

    Attributes:
        begin_string: BeginString <8>.
        default_appl_ver_id: Whether Logon <A> carries DefaultApplVerID <1137> (FIXT only).
        reject_reason_fields: Whether Reject <3> has RefTagID <371>, RefMsgType <372> and
            SessionRejectReason <373>.
        resend_to_infinity: EndSeqNo <16> of a ResendRequest <2> that asks for everything
            from BeginSeqNo <7> on.
        reject_reasons: The SessionRejectReason <373> values the version defines.
        next_expected_msg_seq_num: Whether Logon <A> may carry NextExpectedMsgSeqNum <789>.
        subsecond_times: Whether a UTCTimestamp may have a fraction of a second (from
            FIX.4.2); before, SendingTime <52> is written to the second.
        last_msg_seq_num_processed: Whether the header has LastMsgSeqNumProcessed <369>
            (from FIX.4.2).
    """

    begin_string: str
    default_appl_ver_id: bool
    reject_reason_fields: bool
    resend_to_infinity: int
    reject_reasons: frozenset[int]
    next_expected_msg_seq_num: bool
    subsecond_times: bool
    last_msg_seq_num_processed: bool

    def reject_reason(self, reason: int) -> int | None:
        """``reason`` if this version defines it, else None (it is left out of the Reject)."""
        return reason if reason in self.reject_reasons else None


#: Every BeginString a session can speak, and its rules.
VERSIONS: dict[str, VersionRules] = {
    rules.begin_string: rules
    for rules in (
        VersionRules("FIX.4.0", False, False, 999_999, frozenset(), False, False, False),
        VersionRules("FIX.4.1", False, False, 999_999, frozenset(), False, False, False),
        VersionRules("FIX.4.2", False, True, 0, _FIX42_REASONS, False, True, True),
        VersionRules("FIX.4.3", False, True, 0, _FIX43_REASONS, False, True, True),
        VersionRules("FIX.4.4", False, True, 0, _FIX43_REASONS | {99}, True, True, True),
        VersionRules("FIXT.1.1", True, True, 0, _FIX43_REASONS | {18, 99}, True, True, True),
    )
}


def rules_for(begin_string: str) -> VersionRules:
    """The rules of ``begin_string``.

    Raises:
        SessionError: Not a session protocol version fixwire speaks.
    """
    try:
        return VERSIONS[begin_string]
    except KeyError:
        known = ", ".join(VERSIONS)
        raise SessionError(f"BeginString {begin_string!r} is not one of {known}") from None

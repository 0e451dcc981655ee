"""Matching engine for the Kalshi exchange simulator: binary-contract books, sans-IO.

Theory of operation
===================

**Contracts and sides.** A Kalshi market (Symbol <55>, the ticker) is one binary contract that
pays $1 if the market resolves Yes. Every order *buys* contracts: Yes contracts (Side <54> = 1,
"Buy") or No contracts (Side <54> = 2, "Sell"; selling Yes is buying No, spec section 6.2). The
engine keeps two bid books per ticker, one per side. An order's ``price`` is what its owner pays
per contract **on its own side's scale**, in ``Decimal`` dollars: a Yes bid at 0.40 pays 40 cents
per Yes contract, a No bid at 0.60 pays 60 cents per No contract. On the wire Kalshi quotes both
sides on the Yes scale (Price <44> of a Side=2 order at 0.40 is a No bid at 0.60); convert at that
boundary with :func:`to_yes_price` and :func:`from_yes_price`.

**Crossing.** A Yes bid at ``p`` and a No bid at ``q`` cross when ``p + q >= 1``: together the
two buyers pay at least the dollar the pair of contracts is worth. The engine never leaves a
crossed book: after every operation the best Yes bid plus the best No bid is below one dollar.

**Priority.** Price-time: a higher bid comes first, and within a price the order that got there
first. An incoming (taker) order trades with resting (maker) orders in that priority, always at
the maker's price, so against a No maker at ``q`` a Yes taker pays ``1 - q``, never more than its
own limit. Each trade emits one :class:`Filled` per side, with ``price`` on that side's scale and
``yes_price`` the trade on the Yes scale (what LastPx <31> carries). A cancel/replace keeps the
order's place in the queue when only the quantity goes down; a new price or a larger quantity
sends it to the back of its (new) price level, as spec section 7.2 says for quantity increases.

**Time.** There is no clock: every operation takes ``now`` in seconds (any epoch, but it must
never go backwards, else ``ValueError``). Good-Till-Date orders expire at their ``expire_time``;
the engine expires them at the start of every operation and in :meth:`MatchingEngine.expire`, so
an expired order never trades. Day orders end when the simulator calls
:meth:`MatchingEngine.end_of_day` (Kalshi: 23:59:59.999 America/New_York). Order groups count
fills over the 15 seconds before ``now``.

**Output.** Each public operation returns the events it caused, in the order they happened:
immutable dataclasses that the simulator turns into ExecutionReports (35=8), OrderCancelRejects
(35=9), OrderMassCancelReports (35=r) and OrderGroupResponses (35=UOH). An order that passes
the venue's checks gets :class:`Accepted` first; one that fails them gets only
:class:`Rejected`. Reasons are Kalshi's Text <58> vocabulary where the spec gives one
(section 7.7) and carry their FIX reason codes. Ids come from a counter by default, so runs repeat.
Invalid *arguments* (a float price, a price outside (0, 1), a quantity <= 0) are the caller's
bug and raise ``TypeError``/``ValueError``; anything the venue answers, such as an unknown order
or ticker, is an event.

**Memory.** Open orders are never forgotten while open; what one owner's take is bounded by
``max_open_order_bytes`` (64 MiB by default; the venue bounds them by balance, which the engine
does not model). Each open order is charged
:data:`~fixwire.kalshi.sim.book.OPEN_ORDER_CHARGE`, 768 bytes, plus its ticker's length, plus
:data:`~fixwire.kalshi.sim.book.FORMER_CLIENT_ID_CHARGE` (320) for its ClOrdID <11> and each
former one it still answers to: 1,115 bytes for a fresh order on a 27-character ticker, which
takes about 830 (950 when GTD and in a group). A new order past the cap is rejected
INSUFFICIENT_BALANCE, the venue's text (OrdRejReason <103>=3) for an order the balance cannot
hold; a cancel/replace that would add a ClOrdID past it is refused INSUFFICIENT_BALANCE (the
engine's text on a cancel/replace, CxlRejReason <102>=99), while one down to the filled
quantity, which cancels, never is. An order's charge is refunded when it leaves the book, by
fill, cancel, expiry or any other close. A closed order (filled, cancelled,
expired; a rejected order is never kept) is remembered, by OrderID <37> and by every ClOrdID
<11> it has had, for ``closed_order_hours`` after it closed (the venue's 24-hour resend window
by default: the spec states no lookup period) and while the closed orders remembered take at
most ``max_closed_order_bytes`` (64 MiB by default; the spec gives no figure). Each is charged
:data:`~fixwire.kalshi.sim.book.CLOSED_ORDER_CHARGE`: 1,024 bytes plus its OrderID's length,
plus 256 bytes and the length of each ClOrdID; measured, a cancelled order known by two
ClOrdIDs takes about 1,030 bytes and is charged about 1,600. Past either limit the earliest
closed are forgotten first, at an amortised constant cost per order (a queue in closing order,
never a scan). A cancel or cancel/replace naming a closed order still remembered gets
TOO_LATE_TO_CANCEL (CxlRejReason <102>=0) or, for a filled order's replace,
CANNOT_UPDATE_FILLED_ORDER (2), with the order's OrdStatus <39>; naming a forgotten one, it gets
what an order never seen gets: UNKNOWN_ORDER (CxlRejReason <102>=1, OrderID <37>=NONE,
OrdStatus <39>=8), and :meth:`MatchingEngine.order` returns None. GTD expiries queued for
closed orders are dropped when they outnumber the open orders. An order, open or closed,
answers to its current ClOrdID and to the newest former ones within
``max_former_client_id_bytes`` (4 KiB by default, each charged
:data:`~fixwire.kalshi.sim.book.FORMER_CLIENT_ID_CHARGE`, 320 bytes: 12 former ClOrdIDs); one
replaced in a loop forgets the oldest, and a request naming a forgotten one gets UNKNOWN_ORDER
(the spec has OrigClOrdID <41> name the order's current ClOrdID, section 7.2, and lets a new
order reuse a replaced one's, section 6.4: an old name is a courtesy, not a promise).

**Simplified compared with the real venue.** One exchange shard; limit orders only (OrdType
<40> = 2 is the only value Kalshi accepts, so there are no market orders); no RFQ negotiation
(the simulator records a confirmed quote with :meth:`MatchingEngine.block_trade`, a trade
between the two parties only); no settlement (the simulator reads :meth:`MatchingEngine.positions`),
balance, collateral, per-market risk limits or rate limits (INSUFFICIENT_BALANCE only answers
an owner's open orders past ``max_open_order_bytes``);
no PENDING_* states, ExecIDs, timestamps or cents-versus-dollars handling (the simulator's job);
fees are a hook that defaults to zero, because the spec states no fee formula.

**Choices where the spec is silent or ambiguous** (each is the reading safer for a trader, or the
one the newest Kalshi text supports):

* A crossing post-only order is *cancelled* with POST_ONLY_CROSS after its :class:`Accepted`, as
  the newest spec says (sections 7.1 and 7.7; before 2026-06-04 it was a reject). A cancel/replace
  that would make a post-only order cross is refused and leaves the order as it was.
* Self-trade prevention compares ``owner`` only, so it also stops trades between subaccounts of
  one owner (Kalshi: "another order from the same user"). Taker-at-cross stops the taker at its
  own order, keeps earlier fills and cancels the rest with TAKER_CANCEL_FOR_SELF_TRADE_PREVENTION;
  Maker cancels each own resting order it meets with MAKER_CANCEL_FOR_SELF_TRADE_PREVENTION and
  goes on. A cancel/replace whose new price would cross one of the owner's own orders is refused
  with SELF_CROSS_ATTEMPT (CxlRejReason <102> = 18), whatever the mode. The text
  SELF_CROSS_ATTEMPT_PARTIALLY_FILLED is never produced.
* Order groups treat the limit as a hard cap: a fill is cut so that the group's 15-second volume
  never passes the limit, and *reaching* the limit triggers the group (the spec says
  "exceeding"; Kalshi's guide says "reached" and "maximum number of contracts that can be
  matched"). A fill leaves the window exactly 15 seconds later. An update to a limit at or below
  the current volume triggers at once.
* MaxExecutionCost <21009> makes the order fill-or-kill (as Kalshi's REST ``buy_max_cost``): the
  whole quantity must fill at a total cost, taker fees included, within the cap, else the order
  is cancelled with the engine's MAX_EXECUTION_COST text.
* A fill-or-kill order that self-trade prevention would stop short is killed whole
  (FOK_INSUFFICIENT_VOLUME), and nothing it would have done (fills, maker cancels) happens.
* A cancel never fails for a reused ClOrdID <11> (refusing it would leave the order live); a
  cancel/replace does (ORDER_ALREADY_EXISTS). When OrderID <37> is given it identifies the order
  and OrigClOrdID <41> is not compared.
* The default TimeInForce <59> (undocumented) is GTC; a GTD order whose expiry has passed acts
  as IOC; post-only with IOC, FOK, such a GTD, or a maximum cost is rejected as INVALID_ORDER.
* Positions are net per owner, subaccount and ticker: holding Yes and No of one market nets out,
  so LongQty <704> and ShortQty <705> are never both positive.
* Cancel-on-disconnect (:meth:`MatchingEngine.cancel_all_for_owner`) works even during an
  exchange pause, when every other request is refused.
"""

from fixwire.kalshi.sim.book import (
    DEFAULT_CLOSED_ORDER_HOURS,
    DEFAULT_MAX_CLOSED_ORDER_BYTES,
    DEFAULT_MAX_FORMER_CLIENT_ID_BYTES,
    DEFAULT_MAX_OPEN_ORDER_BYTES,
)
from fixwire.kalshi.sim.engine import MatchingEngine
from fixwire.kalshi.sim.events import (
    Accepted,
    Cancelled,
    CancelRejected,
    Event,
    Filled,
    GroupCreated,
    GroupDeleted,
    GroupLimitUpdated,
    GroupRejected,
    GroupReset,
    GroupState,
    GroupTriggered,
    MassCancelReport,
    OrderState,
    Position,
    Rejected,
    Replaced,
)
from fixwire.kalshi.sim.vocabulary import (
    CENT_TICKS,
    GROUP_WINDOW_SECONDS,
    CancelReason,
    CancelRejectReason,
    CancelRequestType,
    FeeModel,
    GroupAction,
    Liquidity,
    OrderStatus,
    RejectReason,
    SelfTradePrevention,
    SequentialIds,
    Side,
    TickBand,
    TimeInForce,
    TradingState,
    from_yes_price,
    no_fees,
    to_yes_price,
)

__all__ = [
    "CENT_TICKS",
    "DEFAULT_CLOSED_ORDER_HOURS",
    "DEFAULT_MAX_CLOSED_ORDER_BYTES",
    "DEFAULT_MAX_FORMER_CLIENT_ID_BYTES",
    "DEFAULT_MAX_OPEN_ORDER_BYTES",
    "GROUP_WINDOW_SECONDS",
    "Accepted",
    "CancelReason",
    "CancelRejectReason",
    "CancelRejected",
    "CancelRequestType",
    "Cancelled",
    "Event",
    "FeeModel",
    "Filled",
    "GroupAction",
    "GroupCreated",
    "GroupDeleted",
    "GroupLimitUpdated",
    "GroupRejected",
    "GroupReset",
    "GroupState",
    "GroupTriggered",
    "Liquidity",
    "MassCancelReport",
    "MatchingEngine",
    "OrderState",
    "OrderStatus",
    "Position",
    "RejectReason",
    "Rejected",
    "Replaced",
    "SelfTradePrevention",
    "SequentialIds",
    "Side",
    "TickBand",
    "TimeInForce",
    "TradingState",
    "from_yes_price",
    "no_fees",
    "to_yes_price",
]

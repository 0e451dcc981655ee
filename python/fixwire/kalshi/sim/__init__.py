"""A Kalshi exchange simulator: a local FIX acceptor that behaves as the venue's spec describes.

Run it with ``python -m fixwire.kalshi.sim`` (it prints how to connect), or embed it::

    sim = Simulator(markets=["DEMO-YES"])
    sim.register(api_key, signer.public_key_pem())
    await sim.start("127.0.0.1", 0, tls=SelfSignedCertificate.generate())
    ... KalshiConfig(host="127.0.0.1", port=sim.port, ...)

What it does, from kalshi-fix-spec.md:

* TLS (a throwaway self-signed certificate), FIXT.1.1 sessions through :mod:`fixwire.session`,
  every session type on one port, told apart by TargetCompID <56>. Answers carry
  SenderCompID <49> = the session type (the real gateway may say ``Kalshi``; spec 18.7).
* Logon: the RSA-PSS signature in RawData <96> checked against the registered public key (a bad
  one gets Logout with Text), SendingTime within 30 s (else Reject 373=10), ResetSeqNumFlag
  <141>=Y required on KalshiNR/DC/RFQ/MD, HeartBtInt above 3, MessageRetentionPeriod <20200>
  only as :func:`~fixwire.kalshi.venue.check_message_retention` takes it (within the venue's
  bounds, on KalshiRT/KalshiPT only), listener rules, one connection per API key and session
  type (Logout ``already exists``); restricted (single-subaccount) keys
  (``register(subaccount=)``) kept to their sessions and subaccount.
* Order entry (35=D, F, G, q, UOG) through the :mod:`~fixwire.kalshi.sim.matching` engine: Yes bids
  against No bids on the Yes price scale, price-time priority, every TimeInForce, post-only,
  self-trade prevention, order groups with the rolling 15-second window (a NewOrderSingle joins
  one by SecondaryClOrdID <526> or OrderGroupID <20130>, spec 18.11; two that disagree are
  refused INVALID_ORDER; every OrderGroupRequest <UOG> action is answered <UOH>).
* ExecutionReports with the documented tags: ExecID ``clock;event``, LastMkt <30>=0 on those
  the exchange makes (not on pending reports), CumQty/LeavesQty, AvgPx,
  trades with LastPx/LastQty, TrdMatchID, AggressorIndicator, LongQty/ShortQty, the NoMiscFees
  and NoCollateralAmountChanges groups (the BALANCE change counts the $1 freed by each contract
  that nets against the opposite position; SingleMarketCollateralReturn <21030> says it with
  SplitCollateralReturn <21027>=Y); PENDING reports (ExecID ``-1;-1``) unless
  SkipPendingExecReports <21011>=Y; prices in cents, or dollars with UseDollars <21005>=Y.
* OrderCancelReject <9> and BusinessMessageReject <j> with the documented reasons; mass cancel
  on KalshiNR only, once a second; cancel-on-disconnect (8013=Y); retransmission on KalshiRT
  from a store bounded in time and bytes (:mod:`~fixwire.kalshi.sim.resend`): the resend
  window, 24 hours or MessageRetentionPeriod <20200> (``message_retention_hours``), and a cap
  per session (``max_resend_bytes``, 64 MiB), the oldest pruned first; a BeginSeqNo <7> below
  what was pruned gets the gap filled, the rest resent, then Reject <3> 371=7 373=5; a
  per-key token bucket (BusinessRejectReason <380>=8).
* Drop copy (KalshiDC): EventResendRequest <U1> replays the key's ExecutionReports by ExecID
  range, then EventResendComplete <U2>, or EventResendReject <U3> (1 past the key's request
  budget, ``drop_copy_rate_limit``; 2 on demand, ``drop_copy_server_error``; 3 for a range
  beginning at or below what was forgotten). Rejects are not replayed, and only the last 3
  hours are kept (``drop_copy_lookback``), within 64 MiB per key (``drop_copy_max_bytes``).
* :meth:`Simulator.trade_against` places an order for a house account, the "other traders" whose
  flow fills the user's orders.
  :meth:`Simulator.log_out` ends a session as the maintenance window does, :meth:`Simulator.pause`
  and :meth:`Simulator.resume` pause trading or the exchange, and
  :meth:`Simulator.exchange_unavailable` answers orders EXCHANGE_UNAVAILABLE (placed or not).
* RFQ (section 12), symbol RFQs: QuoteRequest <R> on KalshiRT is answered QuoteRequestAck <b> (a
  UUID RfqId <21023>, ExDestination 0) or QuoteRequestReject <AG> (658=1 unknown market, 99
  otherwise), and broadcast to every KalshiRFQ session logged on then, the requester named by a
  pseudonymous PartyID <448>. A Quote <S> is answered QuoteStatusReport <AI> (PENDING, or REJECTED
  with Text) and notified to the creator in dollars, with sizes and the maker's public id (452=35);
  a maker's new quote on the same RFQ replaces its pending one. AcceptQuote <UA> gets
  AcceptQuoteStatus <UC> and the maker AI ACCEPTED with AcceptedSide <54>; the maker then has
  ``rfq_confirm_window`` seconds for QuoteConfirm <U7>, answered QuoteConfirmStatus <U8>, after
  which the trade executes and both sides get ExecutionReports (the maker's on its KalshiRFQ
  session, ClOrdID = its QuoteID). QuoteCancel <Z> gets AI CANCELLED and QuoteCancelStatus <U9>;
  RFQCancel <UE> gets RFQCancelStatus <UB>, and the makers AG (older docs); an RFQ the
  exchange closes (its market settles) is told to its creator unasked, <UB> 21013=2 EXPIRED.
  An RFQ closes once executed. A NewOrderSingle <D> with QuoteID <117> (and RfqId <21023>)
  takes a quote as UA does, its Price a Yes-scale limit; it is answered by ExecutionReports
  only: the trade once the maker confirms, or a rejection (``EXPIRED`` 103=8 for a quote
  gone, ``INVALID_ORDER`` 103=11 for the wrong quote, RFQ, market, side, size or a worse
  price).
* Market data (section 13) on KalshiMD: MarketDataRequest <V> subscribe (263=1), snapshot only (0)
  and unsubscribe (2, some or all symbols); a MarketDataSnapshotFullRefresh <W> per symbol from the
  engine's books (bids are the Yes bids, offers the No bids on the Yes scale; an unknown ticker gets
  an empty one); then MarketDataIncrementalRefresh <X> after every change: trades (269=2, with
  AggressorSide) and level-replace New/Change/Delete entries. MarketDataRequestReject <Y> for an
  unsupported 263. SecurityStatusRequest <e>; SecurityStatus <f> 326=101 when a market settles.
  :meth:`Simulator.lose_market_data` loses increments on the way (fault injection).
* Settlement (section 11): :meth:`Simulator.settle_market` closes a market and sends
  MarketSettlementReport <UMS> pages of positions from the engine to KalshiPT sessions (unless
  20127=N) and KalshiRT sessions that logged on with 20127=Y.

Simplifications, and choices where the spec is silent (safe for a trader, configurable where it
matters):

* An RFQ trade is a direct trade between the two parties
  (:meth:`~fixwire.kalshi.sim.matching.MatchingEngine.block_trade`): it never meets the book, and
  positions change as for any trade. The whole accepted quantity trades (default: the RFQ's);
  RestRemainder and combo RFQs are not simulated (a combo RFQ is rejected with 658=99).
  PreferBetterQuote <21022>=Y takes the RFQ's pending quote whose maker pays the most on the
  side taken when it beats the one named (a tie keeps it), told by AcceptedQuoteId <21024>.
  ReplaceExisting <21016>=Y closes the creator's older open RFQs but its newest
  (the newest docs, spec 18.19), per API key (subtraders are not told apart), each told by an
  unsolicited RFQCancelStatus <UB> 21013=2, Text RFQ_REPLACED.
* The confirmation window is ``rfq_confirm_window`` (30 s, the FIX page's figure; spec 18.18). When
  it passes, or the maker cancels an accepted quote, the maker gets AI CANCELLED and the creator a
  second AcceptQuoteStatus <UC> with 21025=1 and Text ``EXPIRED``: the spec documents no message
  for this, and a creator must not be left waiting for executions that will not come.
* Quote prices on AI follow the maker's UseDollars (cents by default, spec 18.9); the
  notification to the creator is in dollars; MDEntryPx is dollars; SettlementPrice is cents with
  2 decimals.
* Settlement reports go only to sessions logged on when :meth:`~Simulator.settle_market` runs, and
  carry only the receiving key's own positions.

Not simulated: balances and risk limits, fees (zero), more than one shard, listener sessions
mirroring a trading session's reports, security status other than settlement.

:class:`~fixwire.kalshi.sim.margin.MarginSimulator` is the margin (perpetuals) gateway of
section 17 (``python -m fixwire.kalshi.sim --gateway margin``): the same flows for perpetual
symbols such as ``BTC-PERP``, less what that gateway does not offer, in its own reject
vocabulary, with LastMkt <30> on ExecutionReports; its module says how.
The package, one file per concern: :mod:`~fixwire.kalshi.sim.simulator` (the public face, sessions
and dispatch), :mod:`~fixwire.kalshi.sim.orders`, :mod:`~fixwire.kalshi.sim.rfq`,
:mod:`~fixwire.kalshi.sim.market_data`, :mod:`~fixwire.kalshi.sim.drop_copy`,
:mod:`~fixwire.kalshi.sim.settlement` (the venue flows, over :mod:`~fixwire.kalshi.sim.core`), and
the matching engine: :mod:`~fixwire.kalshi.sim.matching` (its theory of operation and names),
:mod:`~fixwire.kalshi.sim.vocabulary`, :mod:`~fixwire.kalshi.sim.book`,
:mod:`~fixwire.kalshi.sim.groups`, :mod:`~fixwire.kalshi.sim.events`,
:mod:`~fixwire.kalshi.sim.engine`. The exchange never imports the client: what both sides read is
in :mod:`fixwire.kalshi.venue`, :mod:`fixwire.kalshi.signing` and the bundled dictionary.
"""

from fixwire.kalshi.sim.core import HOUSE
from fixwire.kalshi.sim.margin import MarginSimulator
from fixwire.kalshi.sim.simulator import Simulator

__all__ = ["HOUSE", "MarginSimulator", "Simulator"]

"""Order groups (spec section 9): create, reset, delete, trigger and a new limit, each
refused with :class:`~fixwire.kalshi.sim.events.GroupRejected` when the group is not the
caller's or the exchange is paused. Fills count against a group in the engine's crossing
(:mod:`fixwire.kalshi.sim.book`).

An owner's groups live until it deletes them, so what they take is bounded per owner:
``max_group_bytes`` (:data:`DEFAULT_MAX_GROUP_BYTES`), each group charged
:data:`GROUP_CHARGE`. A Create past it is refused,
TOO_MANY_ORDER_GROUPS (the spec states no figure and no text for this; the simulator's
answer is a BusinessMessageReject <j>, as for every order-group business error).
"""

from __future__ import annotations

from typing import Any

from fixwire.kalshi.sim.book import EngineState, Group
from fixwire.kalshi.sim.events import (
    Event,
    GroupCreated,
    GroupDeleted,
    GroupLimitUpdated,
    GroupRejected,
    GroupReset,
)
from fixwire.kalshi.sim.vocabulary import (
    CancelReason,
    GroupAction,
    RejectReason,
    TradingState,
    check_limit,
    check_subaccount,
)

#: The default cap on what one owner's order groups may take, bytes (4 MiB: about 3,200).
DEFAULT_MAX_GROUP_BYTES = 4 * 1024 * 1024
#: Bytes charged per order group: the :class:`Group`, its empty fills queue and members map,
#: its entry in the engine's map and an id of up to 64 characters (the engine's are 36). Fixed,
#: so a Create is checked before it takes an id. tracemalloc measures about 1,020 on CPython
#: 3.11, 64-bit, its 36-character id included (``tests/kalshi/test_sim_limits.py``).
GROUP_CHARGE = 1280


class GroupOperations(EngineState):
    """The order-group operations of :class:`~fixwire.kalshi.sim.engine.MatchingEngine`.

    Args:
        max_group_bytes: The most one owner's groups may take, each charged
            :data:`GROUP_CHARGE`; a Create past it is refused.
        **options: :class:`EngineState`'s.

    Attributes:
        max_group_bytes: As given; may be changed between operations.

    Raises:
        ValueError: ``max_group_bytes`` is negative.
    """

    def __init__(self, *, max_group_bytes: int = DEFAULT_MAX_GROUP_BYTES, **options: Any) -> None:
        if max_group_bytes < 0:
            raise ValueError(f"max_group_bytes must be at least 0, not {max_group_bytes}")
        super().__init__(**options)
        self.max_group_bytes = max_group_bytes
        # What each owner's groups take, by that charge.
        self._group_bytes: dict[str, int] = {}

    def group_bytes(self, owner: str) -> int:
        """What ``owner``'s order groups take, by :data:`GROUP_CHARGE`."""
        return self._group_bytes.get(owner, 0)

    def create_group(
        self, *, owner: str, limit: int, now: float, subaccount: int = 0
    ) -> list[Event]:
        """Create an order group (OrderGroupRequest 35=UOG, action 1).

        Args:
            owner: The group's owner.
            limit: OrderGroupContractsLimit <20132>, 1 to 1,000,000 contracts per 15 seconds.
            now: The current time in seconds.
            subaccount: AllocAccount <79> the group belongs to.

        Returns:
            Expiries due by ``now``, then :class:`GroupCreated` (with the new id) or
            :class:`GroupRejected`.

        Raises:
            TypeError: ``limit`` is not an int.
            ValueError: ``limit`` or ``subaccount`` is out of range, or ``now`` went backwards.
        """
        check_limit(limit)
        check_subaccount(subaccount)
        events = self._advance(now)
        held = self._group_bytes.get(owner, 0) + GROUP_CHARGE
        reason: RejectReason | None = None
        if self._state is TradingState.EXCHANGE_PAUSED:
            reason = RejectReason.EXCHANGE_PAUSED
        elif held > self.max_group_bytes:
            reason = RejectReason.TOO_MANY_ORDER_GROUPS
        if reason is not None:
            events.append(
                GroupRejected(
                    action=GroupAction.CREATE,
                    group_id=None,
                    owner=owner,
                    subaccount=subaccount,
                    reason=reason,
                )
            )
            return events
        # Taken only for a group made: a refused Create leaves no gap in the engine's ids.
        group_id = self._new_id()
        group = Group(group_id, owner, subaccount, limit)
        self._groups[group_id] = group
        self._group_bytes[owner] = held
        events.append(GroupCreated(group.state(now)))
        return events

    def reset_group(
        self, *, owner: str, group_id: str, now: float, subaccount: int = 0
    ) -> list[Event]:
        """Clear a group's triggered state and volume (action 2) so it takes orders again.

        Args:
            owner: The group's owner.
            group_id: OrderGroupID <20130>.
            now: The current time in seconds.
            subaccount: AllocAccount <79>; must be the group's.

        Returns:
            Expiries due by ``now``, then :class:`GroupReset` or :class:`GroupRejected`.
        """
        events = self._advance(now)
        group = self._group_for(events, GroupAction.RESET, owner, group_id, subaccount)
        if group is not None:
            group.triggered = False
            group.fills.clear()
            events.append(GroupReset(group.state(now)))
        return events

    def delete_group(
        self, *, owner: str, group_id: str, now: float, subaccount: int = 0
    ) -> list[Event]:
        """Remove a group and cancel its open orders (action 3; ORDER_GROUP_CANCEL).

        Args:
            owner: The group's owner.
            group_id: OrderGroupID <20130>.
            now: The current time in seconds.
            subaccount: AllocAccount <79>; must be the group's.

        Returns:
            Expiries due by ``now``, then :class:`GroupDeleted` and the cancels, or
            :class:`GroupRejected`.
        """
        events = self._advance(now)
        group = self._group_for(events, GroupAction.DELETE, owner, group_id, subaccount)
        if group is not None:
            events.append(GroupDeleted(group.state(now)))
            for order in list(group.members.values()):
                events.append(self._cancel(order, CancelReason.ORDER_GROUP_CANCEL))
            del self._groups[group_id]
            self._group_bytes[owner] -= GROUP_CHARGE
        return events

    def trigger_group(
        self, *, owner: str, group_id: str, now: float, subaccount: int = 0
    ) -> list[Event]:
        """Trigger a group by hand (action 4): cancel its open orders and refuse new ones.

        Args:
            owner: The group's owner.
            group_id: OrderGroupID <20130>.
            now: The current time in seconds.
            subaccount: AllocAccount <79>; must be the group's.

        Returns:
            Expiries due by ``now``, then :class:`GroupTriggered` and the cancels, or
            :class:`GroupRejected`.
        """
        events = self._advance(now)
        group = self._group_for(events, GroupAction.TRIGGER, owner, group_id, subaccount)
        if group is not None:
            events.extend(self._trigger(group, now, manual=True))
        return events

    def update_group_limit(
        self, *, owner: str, group_id: str, limit: int, now: float, subaccount: int = 0
    ) -> list[Event]:
        """Change a group's contracts limit (action 5).

        A limit at or below the volume of the last 15 seconds triggers the group at once.

        Args:
            owner: The group's owner.
            group_id: OrderGroupID <20130>.
            limit: The new OrderGroupContractsLimit <20132>, 1 to 1,000,000.
            now: The current time in seconds.
            subaccount: AllocAccount <79>; must be the group's.

        Returns:
            Expiries due by ``now``, then :class:`GroupLimitUpdated` (and perhaps a trigger
            with its cancels), or :class:`GroupRejected`.

        Raises:
            TypeError: ``limit`` is not an int.
            ValueError: ``limit`` is out of range or ``now`` went backwards.
        """
        check_limit(limit)
        events = self._advance(now)
        group = self._group_for(events, GroupAction.UPDATE, owner, group_id, subaccount)
        if group is not None:
            group.limit = limit
            events.append(GroupLimitUpdated(group.state(now)))
            if not group.triggered and group.volume(now) >= limit:
                events.extend(self._trigger(group, now, manual=False))
        return events

    def _group_for(
        self,
        events: list[Event],
        action: GroupAction,
        owner: str,
        group_id: str,
        subaccount: int,
    ) -> Group | None:
        """Return the group a request is about, or append why it is refused and return None."""
        group = self._groups.get(group_id)
        reason: RejectReason | None = None
        if self._state is TradingState.EXCHANGE_PAUSED:
            reason = RejectReason.EXCHANGE_PAUSED
        elif group is None or group.owner != owner or group.subaccount != subaccount:
            reason = RejectReason.ORDER_GROUP_NOT_FOUND
        if reason is None:
            return group
        events.append(
            GroupRejected(
                action=action,
                group_id=group_id,
                owner=owner,
                subaccount=subaccount,
                reason=reason,
            )
        )
        return None

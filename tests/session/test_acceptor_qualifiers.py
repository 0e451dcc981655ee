"""An acceptor with two sessions of the same BeginString and CompIDs, told apart by SubIDs and
LocationIDs (QuickFIX/J's SessionID qualifiers), played over loopback by the conformance
runner's script player; one script per desk, both at once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import fixwire
from conformance_script import ACCEPTOR, load_script, play
from fixwire.session import Connection, Role, Session, SessionConfig, serve

# Each desk's script: its Logon, a TestRequest answered in its own session (numbers from 1
# each: two stores), and a Logout; every answer carries that desk's IDs.
DESK = """\
C
I 35=A|34=1|50={peer}|142=LDN|57={ours}|143=NY|98=0|108=30|
E 35=A|34=1|50={ours}|142=NY|57={peer}|143=LDN|98=0|108=30|
I 35=1|34=2|50={peer}|142=LDN|57={ours}|143=NY|112={peer}|
E 35=0|34=2|50={ours}|142=NY|57={peer}|143=LDN|112={peer}|
I 35=5|34=3|50={peer}|142=LDN|57={ours}|143=NY|
E 35=5|34=3|50={ours}|142=NY|57={peer}|143=LDN|
X
"""


def desk(ours: str, peer: str) -> SessionConfig:
    return SessionConfig(
        sender_comp_id=ACCEPTOR,
        target_comp_id="TW",
        role=Role.ACCEPTOR,
        begin_string="FIX.4.4",
        sender_sub_id=ours,
        sender_location_id="NY",
        target_sub_id=peer,
        target_location_id="LDN",
    )


async def handle(connection: Connection) -> None:
    async for _ in connection:
        pass


async def both_desks(folder: Path) -> set[tuple[str, ...]]:
    configs = [desk("DESK-A", "TRADER-A"), desk("DESK-B", "TRADER-B")]
    acceptor = await serve(configs, handle, "127.0.0.1", 0)
    try:
        scripts = []
        for ours, peer in (("DESK-A", "TRADER-A"), ("DESK-B", "TRADER-B")):
            path = folder / f"{peer}.txt"
            path.write_text(DESK.format(ours=ours, peer=peer))
            scripts.append(load_script(path))
        async with asyncio.timeout(30):
            await asyncio.gather(*(play(s, "FIX.4.4", acceptor.port, "TW") for s in scripts))
        return set(acceptor.connections)
    finally:
        await acceptor.close()


def test_same_comp_ids_two_desks(tmp_path: Path) -> None:
    keys = asyncio.run(both_desks(tmp_path))
    assert keys == {
        ("FIX.4.4", ACCEPTOR, "TW", "DESK-A", "NY", "TRADER-A", "LDN"),
        ("FIX.4.4", ACCEPTOR, "TW", "DESK-B", "NY", "TRADER-B", "LDN"),
    }


def test_a_reject_routed_back_names_each_id_once() -> None:
    # The peer's SenderSubID <50> routes back as TargetSubID <57>, which the session writes
    # itself: a Reject <3> carrying it twice would be refused for a tag appearing twice (13).
    config = SessionConfig(
        sender_comp_id="A",
        target_comp_id="B",
        role=Role.INITIATOR,
        begin_string="FIX.4.0",
        sender_sub_id="DESK1",
        target_sub_id="GW",
    )
    session = Session(config)
    session.connection_made(1_000.0)
    session.data_to_send()
    peer = fixwire.Encoder("B", "A", begin_string="FIX.4.0")
    ids = [(50, "GW"), (57, "DESK1")]
    logon = peer.encode("A", [*ids, (98, 0), (108, 30)], seq_num=1, sending_time=1_000.0)
    session.receive(logon, 1_000.0)
    assert session.logged_on
    # A SendingTime <52> 200 s behind: Reject <3>, then Logout <5>.
    session.receive(peer.encode("0", ids, seq_num=2, sending_time=800.0), 1_001.0)
    reject, logout = fixwire.Framer().feed(session.data_to_send())
    assert reject.msg_type == "3"
    tags = [tag for tag, _ in reject]
    assert tags.count(50) == 1
    assert tags.count(57) == 1
    assert (reject[50], reject[57]) == ("DESK1", "GW")
    assert logout.msg_type == "5"

"""A Logon <A> without EncryptMethod <98>, sent by a raw peer to a QuickFIX acceptor and to
fixwire.quickfix's, FIX.4.4: both engines must answer alike. QuickFIX finds the missing field
only with its data dictionary: with ``UseDataDictionary=Y`` it answers nothing, with ``N`` it
logs the peer on. Loopback only; every wait is bounded.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import fixwire
import fixwire.quickfix
from quickfix_apps import ENGINES, Executor, engines, free_port, write_cfg

pytestmark = pytest.mark.timeout(120)


async def answers_to_logon(port: int, fields: list[tuple[int, int]]) -> list[str]:
    """The MsgTypes <35> the acceptor on ``port`` sends in two seconds after a Logon <A> with
    ``fields``, from ``CLIENT-<port>``.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    encoder = fixwire.Encoder(f"CLIENT-{port}", f"BROKER-{port}", begin_string="FIX.4.4")
    writer.write(encoder.encode("A", fields, seq_num=1))
    framer = fixwire.Framer()
    answered: list[str] = []
    try:
        async with asyncio.timeout(2):
            while data := await reader.read(4096):
                answered += [m.msg_type for m in framer.feed(data)]
    except TimeoutError:
        pass  # Still open: whatever came is the answer.
    finally:
        writer.close()
    return answered


@pytest.mark.parametrize("use_dictionary", ["Y", "N"])
def test_a_logon_without_encrypt_method_is_answered_as_quickfix_answers_it(
    use_dictionary: str, tmp_path: Path, quickfix_spec: Path
) -> None:
    fixwire.quickfix.use_spec(quickfix_spec)
    logon_answered = {}
    for name, fix in ENGINES.items():
        port = free_port()
        folder = tmp_path / name
        folder.mkdir()
        cfg = write_cfg(folder, "acceptor", "quickfix44", port, quickfix_spec)
        cfg.write_text(
            cfg.read_text().replace("UseDataDictionary=Y", f"UseDataDictionary={use_dictionary}")
        )
        server = Executor(fix, "quickfix44")
        acceptor = engines(fix, "acceptor", server, cfg)
        acceptor.start()
        try:
            answered = asyncio.run(answers_to_logon(port, [(108, 30)]))
        finally:
            acceptor.stop()
        logon_answered[name] = "A" in answered
    assert logon_answered == {"quickfix": use_dictionary == "N", "fixwire": use_dictionary == "N"}

"""simplefix's API on fixwire's codec: change one import and a simplefix program runs as before.

::

    import fixwire.simplefix as simplefix

    msg = simplefix.FixMessage()
    msg.append_pair(8, "FIX.4.4")
    msg.append_pair(35, simplefix.MSGTYPE_NEW_ORDER_SINGLE)
    msg.append_utc_timestamp(52)
    wire = msg.encode()

    parser = simplefix.FixParser()          # FixParser(strict=True) checks BodyLength and
    parser.append_buffer(wire)              # CheckSum as well
    parser.get_message().get(35)            # b"D"

The modules mirror simplefix's (``message``, ``parser``, ``constants``, ``data``, ``errors``)
and the behaviour is simplefix 1.0.17's, proved by running simplefix's own test suite against
this package; ``docs/simplefix.md`` lists each difference and why.
"""

from fixwire.simplefix import constants as constants
from fixwire.simplefix import data as data
from fixwire.simplefix import errors as errors
from fixwire.simplefix import message as message
from fixwire.simplefix import parser as parser
from fixwire.simplefix.constants import *  # noqa: F403  (simplefix publishes them all here)
from fixwire.simplefix.message import FixMessage as FixMessage
from fixwire.simplefix.parser import FixParser as FixParser


def pretty_print(buf: bytes, sep: str = "|") -> bytes:
    """``buf`` with every SOH replaced by ``sep``, for reading a message.

    Args:
        buf: The message bytes.
        sep: One character (code point below 256) to show in place of SOH.
    """
    return bytes(buf).replace(b"\x01", bytes((ord(sep),)))

"""QuickFIX's ``quickfix50sp1`` module: the messages of FIX50SP1.xml.

Made by :mod:`fixwire.quickfix.versions`.
"""

from fixwire.quickfix.versions import module_getattr

__getattr__ = module_getattr("FIX50SP1", __name__)

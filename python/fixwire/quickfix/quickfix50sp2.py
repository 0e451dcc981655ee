"""QuickFIX's ``quickfix50sp2`` module: the messages of FIX50SP2.xml.

Made by :mod:`fixwire.quickfix.versions`.
"""

from fixwire.quickfix.versions import module_getattr

__getattr__ = module_getattr("FIX50SP2", __name__)

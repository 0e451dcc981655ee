"""QuickFIX's ``quickfix50`` module: the messages of FIX50.xml.

Made by :mod:`fixwire.quickfix.versions`.
"""

from fixwire.quickfix.versions import module_getattr

__getattr__ = module_getattr("FIX50", __name__)

"""QuickFIX's ``quickfix43`` module: the messages of FIX43.xml.

Made by :mod:`fixwire.quickfix.versions`.
"""

from fixwire.quickfix.versions import module_getattr

__getattr__ = module_getattr("FIX43", __name__)

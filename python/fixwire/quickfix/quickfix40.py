"""QuickFIX's ``quickfix40`` module: the messages of FIX40.xml.

Made by :mod:`fixwire.quickfix.versions`.
"""

from fixwire.quickfix.versions import module_getattr

__getattr__ = module_getattr("FIX40", __name__)

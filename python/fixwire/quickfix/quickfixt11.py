"""QuickFIX's ``quickfixt11`` module: the messages of FIXT11.xml.

Made by :mod:`fixwire.quickfix.versions`.
"""

from fixwire.quickfix.versions import module_getattr

__getattr__ = module_getattr("FIXT11", __name__)

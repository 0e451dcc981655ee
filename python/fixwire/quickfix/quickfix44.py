"""QuickFIX's ``quickfix44`` module: the messages of FIX44.xml.

Made by :mod:`fixwire.quickfix.versions`.
"""

from fixwire.quickfix.versions import module_getattr

__getattr__ = module_getattr("FIX44", __name__)

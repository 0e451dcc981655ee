"""QuickFIX's ``quickfix41`` module: the messages of FIX41.xml.

Made by :mod:`fixwire.quickfix.versions`.
"""

from fixwire.quickfix.versions import module_getattr

__getattr__ = module_getattr("FIX41", __name__)

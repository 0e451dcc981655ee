"""QuickFIX's ``quickfix42`` module: the messages of FIX42.xml.

Made by :mod:`fixwire.quickfix.versions`.
"""

from fixwire.quickfix.versions import module_getattr

__getattr__ = module_getattr("FIX42", __name__)

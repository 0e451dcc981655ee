"""Optional dependencies: import them, or fail naming the extra that installs them.

The extras are declared in ``pyproject.toml``: ``kalshi`` (cryptography), ``columns`` (numpy),
``arrow`` (numpy, pyarrow) and ``dask`` (those and Dask). A module that needs one calls
:func:`require` where it would import the dependency, so a missing package is reported as a
:class:`~fixwire.errors.MissingExtraError` saying ``pip install 'fixwire[EXTRA]'`` rather than
as a bare ``ModuleNotFoundError`` about a package the user never asked for.
"""

from __future__ import annotations

import importlib

from fixwire.errors import MissingExtraError

__all__ = ["require"]


def require(feature: str, extra: str, *modules: str) -> None:
    """Import ``modules``, or raise the error that names ``extra``.

    Args:
        feature: What needs the modules, for the message (``"fixwire.read_arrow"``).
        extra: The extra of ``pyproject.toml`` that installs them.
        *modules: Module names, imported in order.

    Raises:
        MissingExtraError: One of the modules cannot be imported; the first such is named.
    """
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as e:
            raise MissingExtraError(feature, extra, module) from e

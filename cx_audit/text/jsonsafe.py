"""Plain data made writable as strict JSON, which has no infinity and no NaN.

Infinity is written one way everywhere: as the string ``"unbounded"`` (as
the structural maxima already are); ``null`` is kept for "no value" (no
route, a figure that is not computed, a NaN).
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["UNBOUNDED", "json_safe"]

UNBOUNDED = "unbounded"
"""How an infinite figure is written in JSON and SARIF."""


def json_safe(value: Any) -> Any:
    """``value`` with every infinite float, at any depth, as ``"unbounded"`` and NaN as ``None``.

    Minus infinity is ``"-unbounded"``. Dictionaries keep their keys; lists
    and tuples become lists; anything else is returned as it is.

    >>> json_safe({"wait": float("inf"), "p": [0.5, float("nan")], "n": (1,)})
    {'wait': 'unbounded', 'p': [0.5, None], 'n': [1]}
    >>> json_safe(2.5), json_safe(-math.inf)
    (2.5, '-unbounded')
    """
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return UNBOUNDED if value > 0 else f"-{UNBOUNDED}"
        return value
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value

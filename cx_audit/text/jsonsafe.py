"""Plain data made writable as strict JSON, which has no infinity and no NaN."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["finite_or_none"]


def finite_or_none(value: Any) -> Any:
    """``value`` with every infinite or NaN float, at any depth, replaced by ``None``.

    Dictionaries keep their keys; lists and tuples become lists; anything
    else is returned as it is.

    >>> finite_or_none({"wait": float("inf"), "p": [0.5, float("nan")], "n": (1,)})
    {'wait': None, 'p': [0.5, None], 'n': [1]}
    >>> finite_or_none(2.5), finite_or_none(-math.inf)
    (2.5, None)
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite_or_none(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite_or_none(item) for item in value]
    return value

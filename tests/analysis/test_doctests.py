"""The examples in the analysis docstrings run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "cx_audit.analysis.erlang",
    "cx_audit.analysis.structure",
    "cx_audit.analysis.chain",
    "cx_audit.analysis.routes",
    "cx_audit.analysis.whatif",
    "cx_audit.analysis.metrics",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0

"""The examples in the docstrings of the text, escaping and phrasing helpers run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "cx_audit.text.formatting",
    "cx_audit.text.jsonsafe",
    "cx_audit.text.safe",
    "cx_audit.renderers.escaping",
    "cx_audit.renderers.phrasing",
    "cx_audit.io.writer",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0

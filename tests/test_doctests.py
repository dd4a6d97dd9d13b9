"""The examples in the package's docstrings run and hold."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cx_audit

EVERY_MODULE = sorted(m.name for m in pkgutil.walk_packages(cx_audit.__path__, "cx_audit.")
                      if not m.name.endswith("__main__"))

WITH_EXAMPLES = {
    "cx_audit.analysis.erlang",
    "cx_audit.analysis.metrics",
    "cx_audit.analysis.structure",
    "cx_audit.io.writer",
    "cx_audit.renderers.escaping",
    "cx_audit.renderers.phrasing",
    "cx_audit.text.formatting",
    "cx_audit.text.jsonsafe",
    "cx_audit.text.safe",
}
"""Modules whose helpers are explained by example: they must keep at least one."""


@pytest.mark.parametrize("name", EVERY_MODULE)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    if name in WITH_EXAMPLES:
        assert result.attempted > 0, f"{name} has no examples"


def test_the_modules_with_examples_exist() -> None:
    assert set(EVERY_MODULE) >= WITH_EXAMPLES

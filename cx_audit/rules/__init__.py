"""The rule catalogue, discovered from the modules of this package.

Every module of ``cx_audit.rules`` that defines ``CODE`` is a rule (see
:mod:`cx_audit.rules.base` for what such a module provides); ``base`` and
``helpers`` are support code. The catalogue is ordered by code.

Why discovery rather than an explicit list (as yamllint keeps, for
example): a rule is meant to be exactly its module and its fixture folder
(tests/rules/<module>/), so that adding one touches nothing shared and two
people adding rules never edit the same file. What an explicit list would
catch is checked here instead, when the package is imported: codes, names
and option names must be unique (option names are also configuration keys
on their own, so two rules sharing one would make that key ambiguous), and
a module with ``CODE`` but without the rest of the contract fails at once.

Codes are stable (CI configurations, suppressions and baselines name them)
and grouped by hundreds: CX1 structure, CX2 shields, CX3 handoffs and
loops, CX4 people and ownership, CX5 waits, abandonment and outcomes, CX6
conformance with an event log, CX9 the audit itself. Each rule also has a
kebab-case name; selectors accept either, a code prefix such as ``CX3``, or
``ALL``.
"""

from __future__ import annotations

import pkgutil
import re
from collections.abc import Iterable
from functools import cache
from importlib import import_module
from types import ModuleType

from cx_audit.core.errors import CatalogueError
from cx_audit.rules.base import Option, Rule, RuleContext

__all__ = [
    "RULES", "SUPPORT_MODULES", "Option", "Rule", "RuleContext", "all_options",
    "build_catalogue", "discover_modules", "get", "resolve_selector",
]

SUPPORT_MODULES = frozenset({"base", "helpers"})
"""Modules of the package that are not rules."""

CODE_PATTERN = re.compile(r"CX[0-9]{3}")
NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def discover_modules(package: str = __name__) -> list[ModuleType]:
    """The rule modules of ``package``: every module defining ``CODE``, support modules aside."""
    found = []
    for info in pkgutil.iter_modules(import_module(package).__path__):
        if info.ispkg or info.name in SUPPORT_MODULES or info.name.startswith("_"):
            continue
        module = import_module(f"{package}.{info.name}")
        if hasattr(module, "CODE"):
            found.append(module)
    return found


def build_catalogue(modules: Iterable[ModuleType]) -> dict[str, Rule]:
    """Code -> rule, ordered by code; :class:`CatalogueError` on a clash or a malformed rule."""
    rules: dict[str, Rule] = {}
    names: dict[str, str] = {}
    owners: dict[str, str] = {}
    problems = []
    for module in modules:
        try:
            rule = Rule.from_module(module)
        except AttributeError as exc:
            problems.append(f"{module.__name__} is not a complete rule module: {exc}")
            continue
        label = f"{rule.code} ({module.__name__})"
        if not CODE_PATTERN.fullmatch(rule.code) or not NAME_PATTERN.fullmatch(rule.name):
            problems.append(f"{label}: a code is CX and three digits, a name is kebab-case "
                            f"(got {rule.code!r}, {rule.name!r})")
        if rule.code in rules:
            problems.append(f"{label}: code {rule.code} is already used by "
                            f"{rules[rule.code].name}")
            continue
        if rule.name in names:
            problems.append(f"{label}: name '{rule.name}' is already used by {names[rule.name]}")
        for option in rule.options:
            if option in owners:
                problems.append(f"{label}: option '{option}' is already an option of "
                                f"{owners[option]}; option names must be unique across rules")
            owners.setdefault(option, rule.code)
        rules[rule.code] = rule
        names.setdefault(rule.name, rule.code)
    if problems:
        raise CatalogueError("; ".join(problems))
    return dict(sorted(rules.items()))


RULES: dict[str, Rule] = build_catalogue(discover_modules())
"""Code -> rule, in code order."""

_BY_NAME = {rule.name: rule for rule in RULES.values()}
_PREFIX = re.compile(r"CX[0-9]{0,3}")


def get(code_or_name: str) -> Rule:
    """The rule with this code or name; ``KeyError`` when there is none."""
    key = code_or_name.strip()
    rule = RULES.get(key.upper()) or _BY_NAME.get(key.lower())
    if rule is None:
        raise KeyError(code_or_name)
    return rule


@cache
def resolve_selector(selector: str) -> frozenset[str]:
    """The codes a selector picks: ``ALL``, a code, a name or a code prefix (``CX3``)."""
    key = selector.strip()
    if key.upper() == "ALL":
        return frozenset(RULES)
    if key.lower() in _BY_NAME:
        return frozenset({_BY_NAME[key.lower()].code})
    if _PREFIX.fullmatch(key.upper()):
        return frozenset(code for code in RULES if code.startswith(key.upper()))
    return frozenset()


def all_options() -> dict[str, Option]:
    """Every rule option by name (unique across rules: :func:`build_catalogue` checks)."""
    return {name: option for rule in RULES.values() for name, option in rule.options.items()}

"""The rule registry is discovered from the rule modules; the format list from the renderers."""

from __future__ import annotations

import pkgutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner

import cx_audit.rules as rules_package
from cx_audit.cli import app
from cx_audit.cli.common import OutputFormat
from cx_audit.core.errors import CatalogueError
from cx_audit.core.findings import Candidate, Severity
from cx_audit.renderers import RENDERERS
from cx_audit.rules import (
    RULES,
    SUPPORT_MODULES,
    Option,
    build_catalogue,
    discover_modules,
    get,
)

RULES_FOLDER = Path(rules_package.__file__).resolve().parent


def test_every_rule_module_is_registered_and_nothing_else() -> None:
    modules = {info.name for info in pkgutil.iter_modules([str(RULES_FOLDER)])}
    assert modules >= SUPPORT_MODULES
    registered = {rule.check.__module__.rsplit(".", 1)[1] for rule in RULES.values()}
    assert registered == modules - SUPPORT_MODULES
    assert len(RULES) == len(modules - SUPPORT_MODULES)


def test_codes_and_names_are_unique_and_in_code_order() -> None:
    codes = [rule.code for rule in RULES.values()]
    names = [rule.name for rule in RULES.values()]
    assert codes == sorted(codes) == list(RULES)
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names)
    assert not {name.upper() for name in names} & set(codes)  # get() cannot confuse the two


def test_option_names_are_unique_across_rules() -> None:
    owners: dict[str, list[str]] = {}
    for rule in RULES.values():
        for name in rule.options:
            owners.setdefault(name, []).append(rule.code)
    assert {name: codes for name, codes in owners.items() if len(codes) > 1} == {}


def fake_rule(module: str, code: str, name: str, **options: Option) -> ModuleType:
    """A rule module made in memory, as a file under cx_audit/rules would be."""
    fake = ModuleType(f"fake.{module}", "## What it does\nNothing.\n")

    def check(context: Any, values: Mapping[str, Any]) -> Iterator[Candidate]:
        yield from ()

    fake.CODE, fake.NAME, fake.SUMMARY = code, name, "A fake rule"
    fake.SEVERITY, fake.OPTIONS, fake.check = Severity.INFO, options, check
    fake.ADVICE = "Do nothing."
    return fake


WAIT = Option("duration", 3.0, "a wait")


def test_a_catalogue_is_ordered_by_code_whatever_the_module_order() -> None:
    catalogue = build_catalogue([fake_rule("b", "CX702", "second"),
                                 fake_rule("a", "CX701", "first")])
    assert list(catalogue) == ["CX701", "CX702"]
    assert catalogue["CX701"].name == "first"


@pytest.mark.parametrize(("modules", "message"), [
    ([fake_rule("a", "CX701", "one"), fake_rule("b", "CX701", "two")],
     "code CX701 is already used by one"),
    ([fake_rule("a", "CX701", "same"), fake_rule("b", "CX702", "same")],
     "name 'same' is already used by CX701"),
    ([fake_rule("a", "CX701", "one", max_wait=WAIT), fake_rule("b", "CX702", "two", max_wait=WAIT)],
     "option 'max_wait' is already an option of CX701"),
    ([fake_rule("a", "X1", "one")], "a code is CX and three digits"),
    ([fake_rule("a", "CX701", "Not Kebab")], "a name is kebab-case"),
])
def test_clashes_and_malformed_rules_are_errors(modules: list[ModuleType], message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        build_catalogue(modules)


def test_a_module_with_a_code_but_no_check_is_an_error() -> None:
    broken = fake_rule("a", "CX701", "one")
    del broken.check
    with pytest.raises(CatalogueError, match=r"fake\.a is not a complete rule module"):
        build_catalogue([broken])


def test_discovery_finds_a_new_module_without_any_other_edit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A package laid out like cx_audit.rules: a rule module is found by being there."""
    package = tmp_path / "toyrules"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helpers.py").write_text("CODE = 'not a rule: a support module'\n")
    (package / "notes.py").write_text("TEXT = 'no CODE: not a rule'\n")
    (package / "extra_rule.py").write_text(
        "from cx_audit.core.findings import Severity\n"
        "CODE, NAME, SUMMARY, SEVERITY = 'CX799', 'extra-rule', 'An extra rule', Severity.INFO\n"
        "ADVICE = 'Do nothing.'\n"
        "def check(context, options):\n    yield from ()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    modules = discover_modules("toyrules")
    assert [m.__name__ for m in modules] == ["toyrules.extra_rule"]
    assert list(build_catalogue(modules)) == ["CX799"]


def test_public_lookups_still_work() -> None:
    assert get("long-wait") is RULES["CX502"] is get("cx502")
    with pytest.raises(KeyError):
        get("no-such-rule")


def test_cli_formats_are_the_renderer_registry() -> None:
    assert [member.value for member in OutputFormat] == list(RENDERERS)
    result = CliRunner().invoke(app, ["audit", "--help"])
    assert "<" + "|".join(RENDERERS) + ">" in result.output

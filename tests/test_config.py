"""Configuration: discovery, selection, severities, options, per-file ignores, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from cx_audit.audit.config import Config, find_config, load_config
from cx_audit.core.errors import ConfigError
from cx_audit.core.findings import Severity
from cx_audit.rules import RULES, get, resolve_selector


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [str(p) for p in caught.value.problems]


def test_selectors_accept_codes_names_prefixes_and_all() -> None:
    assert resolve_selector("CX301") == {"CX301"}
    assert resolve_selector("cold-handoff") == {"CX301"}
    assert resolve_selector("CX3") == {"CX301", "CX302", "CX303", "CX304", "CX305"}
    assert resolve_selector("ALL") == set(RULES)
    assert resolve_selector("CX999") == set() and resolve_selector("nonsense") == set()


def test_defaults_enable_every_rule_at_its_default_severity() -> None:
    config = Config()
    assert all(config.is_enabled(rule) for rule in RULES.values())
    assert config.severity_of(get("CX402")) is Severity.INFO
    assert config.options_for(get("CX502")) == {"max_wait": 3.0}
    assert config.fail_on is Severity.ERROR


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", """
[project]
name = "journeys"

[tool.cx-audit]
select = ["CX1", "CX3", "long-wait"]
ignore = ["CX305"]
severity = { cold-handoff = "error", CX104 = "off" }
fail-on = "warning"
max_wait = "90s"
max_retells = 2
per-file-ignores = { "legacy/*.yaml" = ["CX3"], "draft.yaml" = ["CX101"] }
""")
    config = load_config(path)
    enabled = {r.code for r in RULES.values() if config.is_enabled(r)}
    assert enabled == {"CX101", "CX102", "CX103", "CX105", "CX106", "CX107",
                       "CX301", "CX302", "CX303", "CX304", "CX502"}
    assert config.severity_of(get("CX301")) is Severity.ERROR
    assert config.fail_on is Severity.WARNING
    assert config.options_for(get("CX502")) == {"max_wait": 1.5}
    assert config.options_for(get("CX302")) == {"max_retells": 2}
    assert config.ignored_in_file(get("CX303"), str(tmp_path / "legacy" / "old.yaml"))
    assert not config.ignored_in_file(get("CX303"), str(tmp_path / "current" / "old.yaml"))
    assert config.ignored_in_file(get("CX101"), str(tmp_path / "sub" / "draft.yaml"))


def test_dedicated_file_and_discovery_upward(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    write(tmp_path / "pyproject.toml", "[tool.cx-audit]\nmax_shields = 5\n")
    write(tmp_path / "a" / "pyproject.toml", "[project]\nname = 'x'\n")  # no table: skipped
    assert find_config(nested) == (tmp_path / "pyproject.toml").resolve()
    write(tmp_path / "a" / ".cx-audit.toml", "max_shields = 4\n")
    found = find_config(nested)
    assert found == (tmp_path / "a" / ".cx-audit.toml").resolve()
    assert load_config(found).options["max_shields"] == 4


def test_no_configuration_gives_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config(tmp_path) is None or not str(find_config(tmp_path)).startswith(str(tmp_path))
    assert load_config(None, search=False) == Config(root=load_config(None, search=False).root)


def test_unknown_keys_rules_and_values_are_errors_naming_the_key(tmp_path: Path) -> None:
    path = write(tmp_path / ".cx-audit.toml", """select = ["CX3", "CX999"]
max_wiat = 5
max_shields = 2.5
severity = { CX301 = "fatal", nope = "error" }
fail-on = "sometimes"
""")
    assert problems(path) == [
        f"{path}:1:1: 'select' names no rule: 'CX999' (did you mean 'CX901'?)",
        f"{path}:2:1: unknown configuration key 'max_wiat' (did you mean 'max_wait'?)",
        f"{path}:3:1: option 'max_shields' must be a whole number",
        f"{path}:4:14: the severity of 'CX301' must be error, warning, info or off, not 'fatal'",
        f"{path}:4:31: 'severity' names no rule: 'nope' (did you mean 'no-escape'?)",
        f"{path}:5:1: 'fail-on' must be error, warning or info, not 'sometimes'",
    ]


def test_invalid_toml_is_reported_with_its_position(tmp_path: Path) -> None:
    path = write(tmp_path / ".cx-audit.toml", "select = [\"CX1\"\nmax_wait = 3\n")
    (problem,) = problems(path)
    assert problem.startswith(f"{path}:2:1: invalid TOML")


@pytest.mark.parametrize(("option", "value", "reason"), [
    ("max_abandon", 1.5, "must be between 0 and 1"),
    ("max_wait", "soon", "'soon' is not a duration"),
    ("max_wait", True, "must be a number, not bool"),
    ("min_resolution", -0.1, "must be between 0 and 1"),
])
def test_option_values_are_checked(tmp_path: Path, option: str, value: object, reason: str) -> None:
    literal = f'"{value}"' if isinstance(value, str) else str(value).lower()
    path = write(tmp_path / ".cx-audit.toml", f"{option} = {literal}\n")
    (problem,) = problems(path)
    assert reason in problem and option in problem


def test_positions_in_pyproject_are_found_inside_the_tool_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml",
                 '[project]\nname = "x"\nmax_wait = 1\n\n[tool.cx-audit]\n  max_wait = "never"\n')
    assert problems(path) == [f"{path}:6:3: option 'max_wait' 'never' is not a duration such as "
                              "90s, 4m, 1.5h or 2d"]

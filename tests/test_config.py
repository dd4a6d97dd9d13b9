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
    assert resolve_selector("CX3") >= {"CX301", "CX302", "CX303", "CX304", "CX305"}
    assert resolve_selector("CX3") == {code for code in RULES if code.startswith("CX3")}
    assert resolve_selector("ALL") == set(RULES)
    assert resolve_selector("CX999") == set() and resolve_selector("nonsense") == set()


def test_defaults_enable_every_rule_at_its_default_severity() -> None:
    config = Config()
    assert all(config.is_enabled(rule) for rule in RULES.values())
    assert config.severity_of(get("CX402")) is Severity.INFO
    assert config.options_for(get("CX502")) == {"max_wait": 3.0, "max_async_wait": 2880.0}
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
    # the prefixes' rules, derived so that a rule added to CX1 or CX3 changes nothing here
    picked = {c for c in RULES if c.startswith(("CX1", "CX3"))} | {"CX502"}
    assert enabled == picked - {"CX305", "CX104"}
    assert {"CX101", "CX107", "CX301", "CX304", "CX502"} <= enabled
    assert not enabled & {"CX104", "CX305", "CX201", "CX501"}
    assert config.severity_of(get("CX301")) is Severity.ERROR
    assert config.fail_on is Severity.WARNING
    assert config.options_for(get("CX502")) == {"max_wait": 1.5, "max_async_wait": 2880.0}
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
    # the misspellings are close to one rule each, so a rule added later changes no hint
    path = write(tmp_path / ".cx-audit.toml", """select = ["CX3", "cold-handof"]
max_wiat = 5
max_shields = 2.5
severity = { CX301 = "fatal", no-escap = "error" }
fail-on = "sometimes"
""")
    assert problems(path) == [
        f"{path}:1:1: 'select' names no rule: 'cold-handof' (did you mean 'cold-handoff'?)",
        f"{path}:2:1: unknown configuration key 'max_wiat' (did you mean 'max_wait'?)",
        f"{path}:3:1: option 'max_shields' must be a whole number",
        f"{path}:4:14: the severity of 'CX301' must be error, warning, info or off, not 'fatal'",
        f"{path}:4:31: 'severity' names no rule: 'no-escap' (did you mean 'no-escape'?)",
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
    assert problems(path) == [
        f"{path}:6:3: option 'max_wait': 'never' is not a duration such as 90s, 4m, 1.5h or 2d"]


# --------------------------------------------------------------------------
# options scoped per rule: [tool.cx-audit.rules.NAME] / [rules.NAME]


def test_rule_tables_by_name_or_code_in_pyproject(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", """
[tool.cx-audit]
max_shields = 4

[tool.cx-audit.rules.long-wait]
max_wait = "5m"

[tool.cx-audit.rules.CX302]
max_retells = 2
""")
    config = load_config(path)
    assert config.options_for(get("long-wait")) == {"max_wait": 5.0, "max_async_wait": 2880.0}
    assert config.options_for(get("retell-chain")) == {"max_retells": 2}
    assert config.options_for(get("shield-depth")) == {"max_shields": 4}  # the flat alias
    assert config.options_for(get("shield-stack")) == {"max_stack": 2}  # untouched default


def test_rule_tables_in_the_dedicated_file_dotted_and_inline(tmp_path: Path) -> None:
    path = write(tmp_path / ".cx-audit.toml", """rules.high-abandon.max_abandon = 0.2
rules.long-wait = { max_wait = 10 }

[rules.low-resolution]
min_resolution = 0.5
""")
    config = load_config(path)
    assert config.options_for(get("CX501")) == {"max_abandon": 0.2}
    assert config.options_for(get("CX502")) == {"max_wait": 10.0, "max_async_wait": 2880.0}
    assert config.options_for(get("CX504")) == {"min_resolution": 0.5}


def test_rule_table_problems_are_located(tmp_path: Path) -> None:
    path = write(tmp_path / ".cx-audit.toml", """max_wait = "4m"

[rules.long-wait]
max_wait = "5m"

[rules.long-wiat]
max_wait = 1

[rules.CX5]
max_wait = 1

[rules.dead-end]
depth = 1

[rules.retell-chain]
max_retells = "many"
  max_retellz = 1
""")
    assert problems(path) == [
        (f"{path}:4:1: option 'max_wait' of rule 'long-wait' is set twice: at the top level "
         "and in [rules.long-wait]"),
        f"{path}:6:1: 'rules.long-wiat' names no rule (did you mean 'long-wait'?)",
        f"{path}:9:1: a table of 'rules' is one rule's name or code, not 'CX5'",
        f"{path}:13:1: unknown option 'depth': rule 'dead-end' takes no options",
        f"{path}:16:1: option 'max_retells' of rule 'retell-chain' must be a number, not str",
        (f"{path}:17:3: unknown option 'max_retellz' of rule 'retell-chain' (did you mean "
         "'max_retells'?); its options: max_retells"),
    ]


def test_inline_rule_tables_are_located_on_their_line(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", """[tool.cx-audit]
select = ["ALL"]
rules = { shield-depth = { max_shields = 3 }, long-wait = { max_wait = "soon" } }
""")
    assert problems(path) == [
        (f"{path}:3:61: option 'max_wait' of rule 'long-wait': 'soon' is not a duration such "
         "as 90s, 4m, 1.5h or 2d")]
    write(path, '[tool.cx-audit]\nrules = ["long-wait"]\n')
    assert problems(path) == [
        f"{path}:2:1: 'rules' must hold one table per rule, like [rules.long-wait]"]
    write(path, '[tool.cx-audit.rules]\nlong-wait = 5\n')
    assert problems(path) == [
        f"{path}:2:1: 'rules.long-wait' must be a table of the rule's options"]


def test_the_same_option_twice_through_code_and_name_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / ".cx-audit.toml",
                 "[rules.CX502]\nmax_wait = 4\n\n[rules.long-wait]\nmax_wait = 5\n")
    assert problems(path) == [(f"{path}:5:1: option 'max_wait' of rule 'long-wait' is set "
                               "twice: in [rules.CX502] and in [rules.long-wait]")]


def test_a_bad_rule_table_exits_2_from_the_command_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cx_audit.cli import app

    journey = write(tmp_path / "j.yaml", "journey: j\nsteps:\n  a: {kind: entry, next: [b]}\n"
                                         "  b: {kind: resolution}\n")
    config = write(tmp_path / "c.toml", "[rules.long-wait]\nmax_wait = true\n")
    result = CliRunner().invoke(app, ["audit", str(journey), "--config", str(config)])
    assert result.exit_code == 2
    assert f"{config}:2:1: option 'max_wait' of rule 'long-wait' must be a number" in result.output


# --------------------------------------------------------------------------
# the command line's selection on top of the file, as in ruff


def enabled(config: Config) -> set[str]:
    return {rule.code for rule in RULES.values() if config.is_enabled(rule)}


def test_cli_select_replaces_the_file_selection() -> None:
    base = Config(select=("CX1",), ignore=("CX502",))
    assert enabled(base.with_overrides(select=["CX5"])) == resolve_selector("CX5")


def test_cli_ignore_and_extend_select_adjust_the_file_selection() -> None:
    base = Config(select=("CX5",), ignore=("CX502",))
    assert enabled(base.with_overrides(ignore=["CX501"])) == resolve_selector("CX5") - {
        "CX501", "CX502"}
    assert enabled(base.with_overrides(extend_select=["CX502", "CX101"])) == resolve_selector(
        "CX5") | {"CX101"}
    # on the command line an ignore wins over a select, as in the file
    assert enabled(base.with_overrides(select=["CX5"], ignore=["long-wait"])) == resolve_selector(
        "CX5") - {"CX502"}
    assert enabled(base.with_overrides(ignore=["ALL"], extend_select=["CX502"])) == set()


def test_cli_severity_goes_over_the_file() -> None:
    base = Config(severity={"CX502": Severity.INFO, "CX501": Severity.INFO})
    config = base.with_overrides(severity={"long-wait": Severity.ERROR, "CX4": Severity.OFF})
    assert config.severity_of(get("CX502")) is Severity.ERROR
    assert config.severity_of(get("CX501")) is Severity.INFO
    assert not config.is_enabled(get("CX401")) and not config.is_enabled(get("CX402"))
    assert base.with_overrides() is base


def test_a_duration_too_long_for_a_number_is_out_of_range_not_below_zero() -> None:
    from cx_audit.rules.base import Option

    option = Option("duration", 3.0, "a wait limit")
    with pytest.raises(ValueError, match="out of range"):
        option.parse("1" + "0" * 400 + "m")
    with pytest.raises(ValueError, match="at least 0"):
        option.parse(-1)

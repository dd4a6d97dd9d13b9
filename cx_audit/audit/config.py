"""Configuration: which rules run, at what severity, with which options.

Read from ``[tool.cx-audit]`` in a ``pyproject.toml`` or from the top level
of a ``.cx-audit.toml``, found by walking up from the current directory (in
each directory ``.cx-audit.toml`` wins over ``pyproject.toml``, and a
``pyproject.toml`` without a ``[tool.cx-audit]`` table is passed over), or
from the file given with ``--config``. Keys:

``select`` / ``ignore``
    rule codes, names, code prefixes (``CX3``) or ``ALL``; a rule runs when
    ``select`` matches it and ``ignore`` does not. Default: every rule.
``severity``
    code or name -> ``error`` / ``warning`` / ``info`` / ``off``.
``fail-on``
    the lowest severity that makes ``audit`` exit 1 (default ``error``).
``per-file-ignores``
    glob -> list of selectors, for journeys whose path matches the glob
    (relative to the configuration's folder; a glob without ``/`` also
    matches the file name alone).
``rules``
    one table per rule, keyed by the rule's name or code, holding that
    rule's options: ``[tool.cx-audit.rules.long-wait]`` (``[rules.long-wait]``
    in ``.cx-audit.toml``) with ``max_wait = "5m"``.
rule options
    ``max_shields``, ``max_wait``, … at the top level: aliases of the same
    options in the ``rules`` tables (option names are unique across rules,
    so an alias names one rule; ``cx-audit rules`` lists them all).

Unknown keys, unknown rules and bad values are errors that name the key.
The command line's ``--select``, ``--ignore``, ``--extend-select`` and
``--severity`` apply on top of the file (:meth:`Config.with_overrides`).
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from cx_audit.core.errors import ConfigError, Problem
from cx_audit.core.findings import Severity
from cx_audit.io.reading import parse_toml, read_text
from cx_audit.rules import RULES, Option, Rule, all_options, get, resolve_selector

__all__ = ["Config", "ConfigError", "did_you_mean", "find_config", "load_config"]

TABLE_KEYS = ("select", "ignore", "severity", "fail-on", "per-file-ignores", "rules")



@dataclass(frozen=True)
class Config:
    """A validated configuration (the defaults when no file is found)."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.ERROR
    options: Mapping[str, float | int] = field(default_factory=dict)
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    source: Path | None = None
    root: Path = field(default_factory=Path.cwd)

    @cached_property
    def active_rules(self) -> tuple[tuple[Rule, Severity, Mapping[str, float | int]], ...]:
        """The enabled rules in registry order, each with its severity and options.

        Worked out once per configuration rather than once per journey.
        """
        return tuple(
            (rule, self.severity_of(rule), self.options_for(rule))
            for rule in RULES.values() if self.is_enabled(rule)
        )

    def _matches(self, selectors: Iterable[str], rule: Rule) -> bool:
        return any(rule.code in resolve_selector(s) for s in selectors)

    def is_enabled(self, rule: Rule) -> bool:
        """True when ``select`` picks the rule, ``ignore`` does not, and it is not ``off``."""
        return (
            self._matches(self.select, rule)
            and not self._matches(self.ignore, rule)
            and self.severity_of(rule) is not Severity.OFF
        )

    def severity_of(self, rule: Rule) -> Severity:
        """The configured severity of ``rule``, else its default."""
        return self.severity.get(rule.code, rule.severity)

    @cached_property
    def every_option(self) -> Mapping[str, float | int]:
        """Every rule's options, configured values over the defaults (names are unique).

        The levers read theirs here (``max_abandon``, ``empower_share``, ...)
        whether or not the rule that owns the option is enabled.
        """
        return {name: value for rule in RULES.values()
                for name, value in self.options_for(rule).items()}

    def options_for(self, rule: Rule) -> dict[str, float | int]:
        """The rule's options: configured values over the defaults."""
        return {name: self.options.get(name, opt.default) for name, opt in rule.options.items()}

    def ignored_in_file(self, rule: Rule, file: str) -> bool:
        """True when a ``per-file-ignores`` glob matching ``file`` names the rule."""
        if not self.per_file_ignores:
            return False
        path = Path(file)
        try:
            relative = path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            relative = path.as_posix()
        for pattern, selectors in self.per_file_ignores:
            candidates = [relative, path.as_posix()]
            if "/" not in pattern:
                candidates.append(path.name)
            matched = any(fnmatch.fnmatchcase(c, pattern) for c in candidates)
            if matched and self._matches(selectors, rule):
                return True
        return False

    def with_overrides(self, select: Iterable[str] | None = None, ignore: Iterable[str] = (),
                       extend_select: Iterable[str] = (),
                       severity: Mapping[str, Severity] | None = None) -> Config:
        """This configuration with the command line's selection and severities on top.

        As in ruff, ``select`` replaces the file's whole selection (its
        ``select`` and ``ignore``), ``extend_select`` adds rules to what is
        selected, and ``ignore`` removes rules from it; within the command
        line an ignore wins over a select, as it does within the file.
        ``severity`` maps selectors to levels, over the file's. Selectors
        must name rules (the command line checks them first).
        """
        changes: dict[str, Any] = {}
        ignore, extend_select = tuple(ignore), tuple(extend_select)
        if select is not None or ignore or extend_select:
            if select is not None:
                chosen = {code for s in (*select, *extend_select) for code in resolve_selector(s)}
            else:
                chosen = {rule.code for rule in RULES.values() if self._matches(self.select, rule)
                          and not self._matches(self.ignore, rule)}
                chosen.update(code for s in extend_select for code in resolve_selector(s))
            chosen.difference_update(code for s in ignore for code in resolve_selector(s))
            changes.update(select=tuple(sorted(chosen)), ignore=())
        if severity:
            levels = dict(self.severity)
            for selector, level in severity.items():
                levels.update((code, level) for code in resolve_selector(selector))
            changes["severity"] = levels
        return replace(self, **changes) if changes else self


def find_config(start: Path | None = None) -> Path | None:
    """The nearest configuration file from ``start`` (default: cwd) upward, or None."""
    folder = (start or Path.cwd()).resolve()
    for directory in (folder, *folder.parents):
        dedicated = directory / ".cx-audit.toml"
        if dedicated.is_file():
            return dedicated
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(path: Path) -> bool:
    """True when ``pyproject.toml`` has a ``[tool.cx-audit]`` table (or cannot be read)."""
    try:
        text = read_text(path, error=ConfigError, what="configuration")
        if "cx-audit" not in text:
            return False  # no need to parse: the table cannot be there
        data = parse_toml(text, str(path), error=ConfigError)
    except ConfigError:
        return True  # let load_config report the problem rather than skip silently
    return isinstance(data.get("tool"), dict) and "cx-audit" in data["tool"]


def load_config(path: Path | None = None, *, search: bool = True) -> Config:
    """Load ``path``, or the nearest configuration, or the defaults.

    Raises :class:`ConfigError` with every problem found.
    """
    if path is None and search:
        path = find_config()
    if path is None:
        return Config()
    name = os.fspath(path)
    text = read_text(path, name, error=ConfigError, what="configuration")
    data = parse_toml(text, name, error=ConfigError)
    if Path(path).name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            line, column = _ConfigReader(name, text, None).where("tool")
            raise ConfigError([Problem(name, line, column, "'tool' must be a table, as in "
                                                           "[tool.cx-audit]")])
        table = tool.get("cx-audit", {})
        header = "[tool.cx-audit]"
    else:
        table, header = data, None
    return _ConfigReader(name, text, header).read(table, Path(path).resolve().parent)


class _ConfigReader:
    """Validates one configuration table, collecting every problem."""

    def __init__(self, file: str, text: str, header: str | None) -> None:
        self.file = file
        self.lines = text.splitlines()
        self.start = 0
        if header is not None:
            for number, line in enumerate(self.lines):
                if line.strip().replace(" ", "") == header:
                    self.start = number
                    break
        self.problems: list[Problem] = []

    def where(self, key: str, table: str | None = None) -> tuple[int, int]:
        """Best-effort line and column of ``key`` in the file (TOML keeps no positions).

        A key at the start of a line wins; then a key inside an inline table.
        With ``table`` (a key of ``rules``), the key is looked for in that
        rule's table first: below its ``[...rules.TABLE]`` header, or on a
        line that names the table too.
        """
        name = '"?' + re.escape(key) + '"?'
        patterns = (re.compile(r"^\s*(?:\[\s*)?(?:[\w\-.\"]*\.)?" + name + r"\s*[=\]]"),
                    re.compile(r"[{,.]\s*" + name + r"\s*="))
        found = self.where_in_rule_table(table, patterns) if table is not None else None
        if found is not None:
            return found
        for pattern in patterns:
            for number in range(self.start, len(self.lines)):
                match = pattern.search(self.lines[number])
                if match:
                    return number + 1, self.column(match) + 1
        return self.start + 1, 1

    @staticmethod
    def column(match: re.Match[str]) -> int:
        """Where the key of a match starts (past an opening brace, comma or dot)."""
        return match.start() + len(match.group()) - len(match.group().lstrip("{,. \t"))

    def where_in_rule_table(self, table: str, patterns: tuple[re.Pattern[str], ...]
                            ) -> tuple[int, int] | None:
        """Line and column of a key of ``rules.TABLE``, or None when it cannot be placed."""
        header = re.compile(r"^\s*\[\s*(?:[\w\-.\"]*\.)?rules\s*\.\s*\"?" + re.escape(table)
                            + r"\"?\s*\]")
        named = re.compile(r"(?:^|[\s{,.])\"?" + re.escape(table) + r"\"?\s*[.=]")
        for number in range(self.start, len(self.lines)):
            if header.match(self.lines[number]):
                for below in range(number + 1, len(self.lines)):
                    if self.lines[below].lstrip().startswith("["):
                        break
                    for pattern in patterns:
                        if match := pattern.search(self.lines[below]):
                            return below + 1, self.column(match) + 1
                return number + 1, 1
        for number in range(self.start, len(self.lines)):
            line = self.lines[number]
            if (table_match := named.search(line)) is None:
                continue
            for pattern in patterns:
                for match in pattern.finditer(line):
                    if match.start() >= table_match.start():
                        return number + 1, self.column(match) + 1
        return None

    def error(self, key: str, message: str, table: str | None = None) -> None:
        line, column = self.where(key, table)
        self.problems.append(Problem(self.file, line, column, message))

    def selectors(self, key: str, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(key, f"'{key}' must be a list of rule codes or names")
            return ()
        good = []
        for selector in value:
            if resolve_selector(selector):
                good.append(selector)
            else:
                self.error(key, f"'{key}' names no rule: '{selector}'{did_you_mean(selector)}")
        return tuple(good)

    def read(self, table: Any, root: Path) -> Config:
        if not isinstance(table, dict):
            self.error("cx-audit", "the configuration must be a table")
            raise ConfigError(self.problems)
        options = all_options()
        select: tuple[str, ...] = ("ALL",)
        ignore: tuple[str, ...] = ()
        severity: dict[str, Severity] = {}
        fail_on = Severity.ERROR
        values: dict[str, float | int] = {}
        set_by: dict[str, str] = {}
        per_file: list[tuple[str, tuple[str, ...]]] = []
        for key, value in table.items():
            if key == "select":
                select = self.selectors(key, value)
            elif key == "ignore":
                ignore = self.selectors(key, value)
            elif key == "severity":
                severity = self.read_severity(value)
            elif key == "fail-on":
                if value in ("error", "warning", "info"):
                    fail_on = Severity(value)
                else:
                    self.error(key, f"'fail-on' must be error, warning or info, not {value!r}")
            elif key == "per-file-ignores":
                per_file = self.read_per_file(value)
            elif key == "rules":
                self.read_rule_tables(value, values, set_by)
            elif key in options:
                self.set_option(options[key], key, value, values, set_by)
            else:
                known = (*TABLE_KEYS, *options)
                self.error(key, f"unknown configuration key '{key}'{did_you_mean(key, known)}")
        if self.problems:
            raise ConfigError(self.problems)
        return Config(
            select=select, ignore=ignore, severity=severity, fail_on=fail_on,
            options=values, per_file_ignores=tuple(per_file),
            source=Path(self.file), root=root,
        )

    def set_option(self, option: Option, name: str, value: Any, values: dict[str, float | int],
                   set_by: dict[str, str], table: str | None = None) -> None:
        """Check one option's value and record it (an option may be set only once)."""
        where = f"option '{name}'" if table is None else f"option '{name}' of rule '{table}'"
        place = f"in [rules.{table}]" if table is not None else "at the top level"
        if name in set_by:
            self.error(name, f"{where} is set twice: {set_by[name]} and {place}", table)
            return
        set_by[name] = place
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2 ** 1023:
            try:
                shown = f"a number of {len(str(abs(value))):,} digits"
            except ValueError:  # past the interpreter's digit limit
                shown = "a number too long to show"
            self.error(name, f"{where} is out of range: found {shown}", table)
            return
        try:
            values[name] = option.parse(value)
        except ValueError as exc:
            reason = str(exc)
            self.error(name, f"{where} {reason}" if reason.startswith("must") else
                       f"{where}: {reason}", table)

    def read_rule_tables(self, value: Any, values: dict[str, float | int],
                         set_by: dict[str, str]) -> None:
        """``rules``: one table of options per rule, keyed by the rule's name or code."""
        if not isinstance(value, dict):
            self.error("rules", "'rules' must hold one table per rule, like [rules.long-wait]")
            return
        for key, options in value.items():
            try:
                rule = get(key)
            except KeyError:
                if resolve_selector(key):
                    message = f"a table of 'rules' is one rule's name or code, not '{key}'"
                else:
                    message = f"'rules.{key}' names no rule{did_you_mean(key)}"
                self.error(key, message)
                continue
            if not isinstance(options, dict):
                self.error(key, f"'rules.{key}' must be a table of the rule's options")
                continue
            for name, option_value in options.items():
                if name in rule.options:
                    self.set_option(rule.options[name], name, option_value, values, set_by, key)
                elif rule.options:
                    known = ", ".join(rule.options)
                    self.error(name, f"unknown option '{name}' of rule '{key}'"
                                     f"{did_you_mean(name, rule.options)}; its options: {known}",
                               key)
                else:
                    self.error(name, f"unknown option '{name}': rule '{key}' takes no options",
                               key)

    def read_severity(self, value: Any) -> dict[str, Severity]:
        if not isinstance(value, dict):
            self.error("severity", "'severity' must map rule codes or names to a severity")
            return {}
        result = {}
        for selector, level in value.items():
            codes = resolve_selector(selector)
            if not codes:
                self.error(selector,
                           f"'severity' names no rule: '{selector}'{did_you_mean(selector)}")
            elif level not in ("error", "warning", "info", "off"):
                self.error(selector, f"the severity of '{selector}' must be error, warning, info "
                                     f"or off, not {level!r}")
            else:
                result.update({code: Severity(level) for code in codes})
        return result

    def read_per_file(self, value: Any) -> list[tuple[str, tuple[str, ...]]]:
        if not isinstance(value, dict):
            self.error("per-file-ignores", "'per-file-ignores' must map globs to rule lists")
            return []
        return [(glob, self.selectors(glob, rules)) for glob, rules in value.items()]


def did_you_mean(word: str, choices: Iterable[str] | None = None) -> str:
    pool = list(choices) if choices is not None else [
        *(r.code for r in RULES.values()), *(r.name for r in RULES.values())]
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""

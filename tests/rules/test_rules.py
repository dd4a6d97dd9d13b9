"""Fixture-driven tests of the rule catalogue.

Every folder beside this module is named after a rule's module
(``cold_handoff`` for CX301 ``cold-handoff``) and holds small journeys named
by the case they test:

- ``valid_<case>.yaml``: the rule reports nothing;
- ``invalid_<case>.yaml``: the rule reports exactly the findings listed in
  the file's header, one comment line each: ``# expect: CX301 12:9`` (code,
  line and column of the finding).

The header opens with a one-line comment saying what the file tests. Only
the folder's rule runs, unless the header names the rules to run with
``# select: CX901 CX502`` (the unused-ignore fixtures need the rule they
ignore).

Where a fixture follows the rule catalogue and the implementation does
something else, the case is listed in ``KNOWN_DISAGREEMENTS`` and expected
to fail (strictly: a fix makes the test pass and the list must shrink).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cx_audit.audit.config import Config
from cx_audit.audit.engine import audit_journey
from cx_audit.core.errors import JourneyError
from cx_audit.io.loader import load_journey
from cx_audit.rules import RULES

HERE = Path(__file__).resolve().parent

RULE_FAILED = "CX900"
"""Raised by the engine when a rule crashes; it has no fixtures of its own."""

CONFORMANCE_PREFIX = "CX6"
"""Conformance rules compare a journey with an event log; tests/eventlog covers them."""

FOLDER_CODES = {rule.name.replace("-", "_"): code for code, rule in RULES.items()}
"""Fixture folder (the rule's module name) -> rule code."""

KNOWN_DISAGREEMENTS: dict[str, str] = {}
"""Fixture (folder/file) -> why the implementation disagrees with the catalogue."""

_EXPECT = re.compile(r"#\s*expect:\s*(CX\d{3})\s+(\d+):(\d+)\s*")
_SELECT = re.compile(r"#\s*select:\s*((?:CX\d{3}\s*)+)")
_DIRECTIVE = re.compile(r"#\s*(expect|select)\b")


@dataclass(frozen=True)
class Fixture:
    """One fixture file and what its header says."""

    path: Path
    description: str
    select: tuple[str, ...]
    expected: tuple[tuple[str, int, int], ...]

    @property
    def key(self) -> str:
        """``folder/file``: the fixture's name in ids and in the disagreement list."""
        return f"{self.path.parent.name}/{self.path.name}"

    @property
    def valid(self) -> bool:
        """True for ``valid_*`` files, which must give no finding."""
        return self.path.name.startswith("valid_")


def read_fixture(path: Path) -> Fixture:
    """Parse the header comment of a fixture (the comment lines before the YAML)."""
    header = []
    for line in path.read_text("utf-8").splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    description = ""
    folder_code = FOLDER_CODES.get(path.parent.name)  # None: a stray folder, reported below
    select: tuple[str, ...] = (folder_code,) if folder_code else ()
    expected = []
    for number, line in enumerate(header, start=1):
        if not _DIRECTIVE.match(line):
            if number == 1:
                description = line.lstrip("#").strip()
            continue
        if match := _EXPECT.fullmatch(line):
            expected.append((match[1], int(match[2]), int(match[3])))
        elif match := _SELECT.fullmatch(line):
            select = tuple(match[1].split())
        else:
            raise ValueError(f"{path}:{number}: malformed header line {line!r}")
    return Fixture(path, description, select, tuple(sorted(expected)))


def rule_folders() -> Iterator[Path]:
    """The fixture folders, in name order."""
    return (p for p in sorted(HERE.iterdir()) if p.is_dir() and not p.name.startswith(("_", ".")))


def all_fixtures() -> list[Fixture]:
    """Every fixture under every rule folder."""
    return [read_fixture(path) for folder in rule_folders()
            for path in sorted(folder.glob("*.yaml"))]


def _params() -> list[object]:
    params = []
    for fixture in all_fixtures():
        marks = []
        reason = KNOWN_DISAGREEMENTS.get(fixture.key)
        if reason is not None:
            marks.append(pytest.mark.xfail(reason=reason, strict=True))
        params.append(pytest.param(fixture, id=fixture.key, marks=marks))
    return params


def found(fixture: Fixture) -> list[tuple[str, int, int]]:
    """Audit the fixture with only its selected rules; (code, line, column), sorted.

    CX900 is always enabled too: it reports nothing unless a rule raises, and
    then the crash shows up as an unexpected finding instead of an empty,
    seemingly clean result.
    """
    try:
        journey = load_journey(fixture.path)
    except JourneyError as exc:  # a fixture must be a valid journey file
        pytest.fail(f"{fixture.key} does not load:\n{exc}")
    audit = audit_journey(journey, Config(select=(*fixture.select, RULE_FAILED)))
    return sorted((f.rule, f.line, f.column) for f in audit.findings)


@pytest.mark.parametrize("fixture", _params())
def test_fixture(fixture: Fixture) -> None:
    assert found(fixture) == list(fixture.expected), fixture.description


# --------------------------------------------------------------------------
# the fixtures themselves


def test_every_rule_has_valid_and_invalid_fixtures() -> None:
    missing = []
    for code, rule in RULES.items():
        if code == RULE_FAILED or code.startswith(CONFORMANCE_PREFIX):
            continue
        folder = HERE / rule.name.replace("-", "_")
        names = [p.name for p in folder.glob("*.yaml")] if folder.is_dir() else []
        if not any(n.startswith("valid_") for n in names):
            missing.append(f"{code} ({folder.name}): no valid_*.yaml")
        if not any(n.startswith("invalid_") for n in names):
            missing.append(f"{code} ({folder.name}): no invalid_*.yaml")
    assert not missing


def test_every_folder_names_a_rule() -> None:
    strays = [p.name for p in rule_folders() if p.name not in FOLDER_CODES]
    assert not strays


def test_fixture_headers_are_consistent() -> None:
    problems = []
    for fixture in all_fixtures():
        name = fixture.path.name
        if not name.startswith(("valid_", "invalid_")):
            problems.append(f"{fixture.key}: name must start with valid_ or invalid_")
        if not fixture.description:
            problems.append(f"{fixture.key}: first line must say what the file tests")
        if fixture.valid and fixture.expected:
            problems.append(f"{fixture.key}: a valid fixture expects no finding")
        if not fixture.valid and not fixture.expected:
            problems.append(f"{fixture.key}: an invalid fixture lists its findings")
        unknown = [c for c in fixture.select if c not in RULES]
        if unknown:
            problems.append(f"{fixture.key}: select names unknown codes {unknown}")
        stray = sorted({code for code, _, _ in fixture.expected} - set(fixture.select))
        if stray:
            problems.append(f"{fixture.key}: expects findings of rules not selected: {stray}")
    assert not problems


def test_known_disagreements_name_existing_fixtures() -> None:
    keys = {fixture.key for fixture in all_fixtures()}
    assert sorted(set(KNOWN_DISAGREEMENTS) - keys) == []


# --------------------------------------------------------------------------
# evidence: a finding carries the numbers, the route or loop, and the step's notes


def _only_finding(key: str):
    fixture = read_fixture(HERE / key)
    audit = audit_journey(load_journey(fixture.path), Config(select=fixture.select))
    assert len(audit.findings) == 1
    return audit.findings[0]


def test_trap_loop_names_the_loop() -> None:
    finding = _only_finding("trap_loop/invalid_two_step_trap.yaml")
    assert "'ivr'" in finding.message and "'faq'" in finding.message
    assert set(finding.evidence.loop) == {"ivr", "faq"}


def test_shield_depth_gives_the_best_route() -> None:
    finding = _only_finding("shield_depth/invalid_expected_above_limit.yaml")
    assert finding.evidence.route == ("call", "fast", "agent", "done")


def test_retell_chain_gives_the_route() -> None:
    finding = _only_finding("retell_chain/invalid_two_cold_on_one_route.yaml")
    assert finding.evidence.route == ("call", "agent", "billing", "disputes", "done")


def test_retell_chain_gives_the_loop_when_unbounded() -> None:
    finding = _only_finding("retell_chain/invalid_cold_inside_loop.yaml")
    assert set(finding.evidence.loop) == {"care", "billing"}


def test_step_evidence_travels_with_the_finding() -> None:
    finding = _only_finding("long_wait/invalid_hours.yaml")
    assert finding.evidence.notes == ("survey: 'I heard nothing all afternoon'",)
    assert finding.evidence.metrics["wait"] == pytest.approx(90.0)


def test_transition_findings_name_their_target() -> None:
    finding = _only_finding("cold_handoff/invalid_cold_flow_style.yaml")
    assert finding.step == "agent" and "'billing'" in finding.message


# --------------------------------------------------------------------------
# the catalogue


CATALOGUE = {
    "CX101": ("no-entry", "error"),
    "CX102": ("no-resolution", "error"),
    "CX103": ("dead-end", "error"),
    "CX104": ("unreachable", "warning"),
    "CX105": ("stranded", "error"),
    "CX106": ("trap-loop", "error"),
    "CX107": ("dangling-probability", "warning"),
    "CX201": ("shield-depth", "warning"),
    "CX202": ("shield-stack", "warning"),
    "CX203": ("no-escape", "error"),
    "CX301": ("cold-handoff", "warning"),
    "CX302": ("retell-chain", "error"),
    "CX303": ("ping-pong", "error"),
    "CX304": ("channel-switch", "warning"),
    "CX305": ("repeat-contact", "warning"),
    "CX401": ("powerless-frontline", "warning"),
    "CX402": ("unowned-step", "info"),
    "CX501": ("high-abandon", "warning"),
    "CX502": ("long-wait", "warning"),
    "CX503": ("choke-point", "warning"),
    "CX504": ("low-resolution", "error"),
    "CX505": ("emotion-dip", "warning"),
    "CX506": ("low-first-time", "warning"),
}
"""The published minimum catalogue (its codes never change): code -> (name, default severity)."""

THRESHOLDS = {
    "max_shields": 3, "max_stack": 2, "max_retells": 1, "max_abandon": 0.10,
    "max_wait": 3.0, "min_resolution": 0.80, "min_first_time": 0.70,
}
"""The thresholds the catalogue names, with their defaults (max_wait in minutes)."""


def test_catalogue_codes_names_and_severities() -> None:
    registered = {code: (rule.name, rule.severity.value) for code, rule in RULES.items()}
    assert {code: registered.get(code) for code in CATALOGUE} == CATALOGUE
    assert registered["CX901"][1] == "info"  # an unused ignore is reported as info


def test_catalogue_threshold_defaults() -> None:
    defaults = {name: opt.default for rule in RULES.values() for name, opt in rule.options.items()}
    assert {name: defaults.get(name) for name in THRESHOLDS} == pytest.approx(THRESHOLDS)


# --------------------------------------------------------------------------
# CX900: a rule that raises


def _explode(context: object, options: object) -> Iterator[object]:
    raise RuntimeError("boom")


def test_failing_rule_is_reported_and_others_still_run(monkeypatch: pytest.MonkeyPatch) -> None:
    journey = load_journey(HERE / "stranded" / "invalid_step_without_next.yaml")
    before = [(f.rule, f.line, f.column) for f in audit_journey(journey, Config()).findings]
    assert ("CX105", 7, 3) in before
    assert len({code for code, _, _ in before}) > 2  # other rules report something too

    monkeypatch.setitem(RULES, "CX105", dataclasses.replace(RULES["CX105"], check=_explode))
    after = audit_journey(journey, Config()).findings

    failures = [f for f in after if f.rule == RULE_FAILED]
    assert len(failures) == 1
    assert "CX105" in failures[0].message and "boom" in failures[0].message
    others = sorted((f.rule, f.line, f.column) for f in after if f.rule != RULE_FAILED)
    assert others == sorted(finding for finding in before if finding[0] != "CX105")


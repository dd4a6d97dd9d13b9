"""Property-based fuzzing of the whole tool.

Random valid journeys never crash any command or output format; random
mutations of valid files only ever give exit 0, 1 or 2, and exit 2 always
comes with FILE:LINE:COL lines. Runs are derandomized so the suite is
repeatable; the coverage-guided fuzzer for the loader is fuzz/fuzz_loader.py.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import JOURNEYS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cx_audit.cli import app
from cx_audit.renderers import RENDERERS

pytestmark = pytest.mark.slow  # seconds per property: the slow lane

runner = CliRunner()
LOCATED = re.compile(r"^[^\n]+?:\d+:\d+: \S", re.MULTILINE)
FORMATS = list(RENDERERS)
"""Every output format: the keys of the renderer registry, so a new format is fuzzed too."""
FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

TEXTS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=30)
ACTORS = ["customer", "frontline", "backoffice", "system", "bot", "partner"]


@st.composite
def journeys(draw: st.DrawFn) -> dict[str, Any]:
    """A random journey document that the format accepts."""
    count = draw(st.integers(2, 9))
    ids = [f"s{i}" for i in range(count)]
    kinds = {ids[0]: "entry"}
    for step_id in ids[1:]:
        kinds[step_id] = draw(st.sampled_from(["step", "step", "entry", "resolution", "abandon"]))
    steps: dict[str, Any] = {}
    for step_id in ids:
        step: dict[str, Any] = {"kind": kinds[step_id]}
        if draw(st.booleans()):
            step["label"] = draw(TEXTS)
        if draw(st.booleans()):
            step["channel"] = draw(st.sampled_from(["phone", "web", "Phone", "chat", "store"]))
        if draw(st.booleans()):
            step["actor"] = draw(st.sampled_from(ACTORS))
        if draw(st.booleans()):
            step["owner"] = draw(TEXTS)
        if draw(st.booleans()):
            step["shield"] = draw(st.sampled_from(["ivr", "queue", "form", "bot", "deflection"]))
        if draw(st.booleans()):
            step["wait"] = draw(st.sampled_from([0, 0.5, 3, 10, "90s", "2h", "1d"]))
        if draw(st.booleans()):
            step["emotion"] = draw(st.sampled_from([-2, -1, 0, 1, 2, 0.5]))
        if draw(st.booleans()):
            step["evidence"] = draw(st.lists(TEXTS, max_size=2))
        if draw(st.integers(0, 5)) == 0:
            step["staffing"] = {"arrivals": draw(st.sampled_from([10, 100, 600])),
                                "handle": draw(st.sampled_from(["3m", 9, "30s"])),
                                "agents": draw(st.integers(1, 20))}
        if draw(st.integers(0, 5)) == 0:
            step["ignore"] = {draw(st.sampled_from(["CX502", "long-wait", "CX301"])): "reason"}
        if kinds[step_id] not in ("resolution", "abandon"):
            if draw(st.booleans()):
                step["abandon"] = draw(st.sampled_from([0, 0.05, 0.5, 1]))
            targets = draw(st.lists(st.sampled_from(ids), max_size=3, unique=True))
            transitions: list[Any] = []
            for target in targets:
                if draw(st.booleans()):
                    transitions.append(target)
                else:
                    item: dict[str, Any] = {"to": target}
                    if draw(st.booleans()):
                        item["handoff"] = draw(st.sampled_from(["warm", "cold"]))
                    if draw(st.booleans()):
                        item["label"] = draw(TEXTS)
                    transitions.append(item)
            if transitions or draw(st.booleans()):
                step["next"] = transitions
        steps[step_id] = step
    return {"journey": "fuzzed", "title": draw(TEXTS) or "t", "owner": draw(TEXTS) or None,
            "steps": steps}


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@FUZZ
@given(document=journeys())
def test_random_valid_journeys_never_crash_any_command(document: dict[str, Any]) -> None:
    if document["owner"] is None:
        del document["owner"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        code, out = invoke("validate", str(path))
        assert code == 0, out
        for output_format in FORMATS:
            code, out = invoke("audit", str(path), "-f", output_format, "--color", "never")
            assert code in (0, 1), out
            if output_format in ("json", "sarif", "gitlab"):
                json.loads(out)
        assert invoke("paths", str(path), "-k", "3")[0] == 0
        assert invoke("graph", str(path))[0] == 0
        assert invoke("graph", str(path), "-f", "dot")[0] == 0
        assert invoke("report", str(path), "-o", str(Path(folder) / "r.md"))[0] == 0


EXAMPLES = sorted(JOURNEYS.glob("*.yaml"))


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    """An example journey with a few random line and byte edits."""
    source = draw(st.sampled_from(EXAMPLES))
    lines = source.read_bytes().splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "truncate",
                                     "replace-byte"]))
        index = draw(st.integers(0, len(lines) - 1))
        if kind == "delete" and len(lines) > 1:
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, lines[index])
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif kind == "insert":
            lines.insert(index, draw(st.binary(max_size=20)) + b"\n")
        elif kind == "truncate":
            lines = lines[: index + 1]
        elif lines[index]:
            position = draw(st.integers(0, len(lines[index]) - 1))
            byte = draw(st.integers(0, 255)).to_bytes(1, "big")
            lines[index] = lines[index][:position] + byte + lines[index][position + 1:]
    return source.name, b"".join(lines)


@FUZZ
@given(case=mutations())
def test_mutated_files_only_exit_0_1_or_2(case: tuple[str, bytes]) -> None:
    name, data = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        code, out = invoke("audit", str(path), "-f", "json")
        assert code in (0, 1, 2)
        if code == 2:
            assert LOCATED.search(out) or "no such file" in out, out
        else:
            json.loads(out)


def test_loader_fuzz_script_runs_and_finds_no_crash() -> None:
    """The fallback loop of fuzz/fuzz_loader.py, briefly, over the example journeys."""
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("fuzz_loader", ROOT / "fuzz" / "fuzz_loader.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.fallback(EXAMPLES, 1.0) > 0


def test_the_fuzz_target_has_its_dictionary_and_seeds_from_every_journey_file(
        tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("fuzz_loader", JOURNEYS.parent / "fuzz" /
                                                  "fuzz_loader.py")
    assert spec is not None and spec.loader is not None
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    words = fuzz.tokens()
    # YAML tags and indicators, numbers YAML 1.1 and 1.2 read differently, the format's keys
    for expected in (b"!!int ", b"!!bool ", b"&anchor ", b"1e3", b"0o17", b"steps:",
                     b"handoff: cold", b"\n  "):
        assert expected in words
    copied = fuzz.seed_corpus(tmp_path)
    examples = len(list(JOURNEYS.glob("*.yaml")))
    hostile = len(list((JOURNEYS.parent / "tests").rglob("*.yaml")))
    assert copied == examples + hostile and copied > examples
    # the seeds are byte copies: the corpus starts from real journeys
    assert {p.read_bytes() for p in tmp_path.iterdir()} >= {
        p.read_bytes() for p in JOURNEYS.glob("*.yaml")}

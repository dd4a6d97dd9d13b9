"""The round-trip law: every journey the tool writes loads back and audits like the model written.

The oracle is JSON: a document encoded with :func:`json.dumps` is YAML 1.2
whose strings can only be strings, so loading it gives the journey the
document means. Text written by :func:`cx_audit.io.writer.dump_journey`, by
each importer, by ``discover`` and by ``init`` must load to the same ids and
labels (lone surrogates become U+FFFD, as documented) and to the same
figures, within 1e-9.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
import tempfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cx_audit.analysis import analyse
from cx_audit.core.errors import ProblemsError
from cx_audit.core.model import Journey
from cx_audit.eventlog.discover import discover
from cx_audit.importers import (
    ImportResult,
    import_bpmn,
    import_connect,
    import_mermaid,
    journey_text,
)
from cx_audit.importers.drafts import TEXT_MAX, clean_text
from cx_audit.io.loader import load_journey_text
from cx_audit.io.starter import starter_journey
from cx_audit.io.writer import dump_journey, yaml_text
from cx_audit.text.safe import printable

LAW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NUMBERS_AS_TEXT = st.sampled_from([
    "1e3", "1E5", "0o17", "0x1F", "0E0", "+1", "-0", ".5", "1_000", "1:30", "2024-01-01",
    "true", "True", "yes", "No", "on", "OFF", "y", "n", "null", "Null", "~", "", ".inf",
    "-.inf", ".nan", "=", "<<", "- a", "a: b", "a #b", "#x", "&a", "*a", "!x", "%x", "@x",
    "`x", "|", ">", "'q'", '"q"', "[a]", "{a: 1}", "a,b", "?", "? x", " lead", "trail ",
    "a:", "bpmn:task", "_x", "x\\y",
])
CONTROL_TEXT = st.text(st.sampled_from("\x00\x1b\x07\x7f\x85\u2028\u2029\u202e\ufeff\ufffe"
                                       "\ud800\udfff\n\r\t a:#'\"\\"), max_size=8)
TEXT = st.one_of(NUMBERS_AS_TEXT, st.text(max_size=30), CONTROL_TEXT)
IDS = st.one_of(st.sampled_from(["1e3", "0e0", "true", "null", "yes", "0o17", "1_0", "no"]),
                st.from_regex(r"[a-z0-9][a-z0-9_-]{0,12}", fullmatch=True))


def _figures(journey: Journey) -> dict[str, Any]:
    return analyse(journey).metrics.to_dict()


def assert_same_figures(written: Journey, model: Journey) -> None:
    """Every metric equal: numbers within 1e-9, everything else exactly."""
    first, second = _figures(written), _figures(model)
    assert first.keys() == second.keys()
    for name, value in first.items():
        other = second[name]
        if isinstance(value, float) and isinstance(other, float):
            assert math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-9), name
        else:
            assert value == other, name


def oracle(document: dict[str, Any]) -> Journey:
    """The journey ``document`` means, read from JSON (surrogates replaced as the writer does)."""
    text = json.dumps(document, ensure_ascii=False)  # astral characters raw: YAML has no pairs
    text = _RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", yaml_text(text))
    return load_journey_text(text, "oracle.json")


_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
"""Characters JSON leaves raw that a YAML file cannot hold raw (escaped in the oracle)."""


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """Valid journey documents with hostile ids, titles, labels, owners, tags and numbers."""
    ids = draw(st.lists(IDS, min_size=2, max_size=6, unique=True))
    steps: dict[str, Any] = {}
    for index, ident in enumerate(ids):
        step: dict[str, Any] = {"label": draw(TEXT)}
        last = index == len(ids) - 1
        if index == 0:
            step["kind"] = "entry"
        elif last:
            step["kind"] = draw(st.sampled_from(["resolution", "abandon"]))
        if draw(st.booleans()):
            step["owner"] = draw(TEXT)
        if draw(st.booleans()):
            step["tags"] = draw(st.lists(TEXT, max_size=3))
        if draw(st.booleans()):
            # the longest wait a journey holds is 100 years (36,500 days)
            step["wait"] = draw(st.sampled_from(["30s", "36500d", "1.5h", 0, 12.25]))
        if draw(st.booleans()):
            step["emotion"] = draw(st.integers(-2, 2))
        if not last:
            targets = draw(st.lists(st.sampled_from(ids[index + 1:]), min_size=1, unique=True))
            if draw(st.booleans()):
                step["next"] = targets
            else:
                step["next"] = [{"to": t, "label": draw(TEXT)} for t in targets]
        step["x-source-id"] = draw(TEXT)
        steps[ident] = step
    return {"journey": draw(IDS), "version": 1, "title": draw(TEXT),
            "x-note": draw(st.lists(TEXT, max_size=2)), "steps": steps}


@LAW
@given(documents(), st.lists(TEXT, max_size=3))
def test_the_writer_loads_back_what_it_was_given(document: dict[str, Any],
                                                 comments: list[str]) -> None:
    text = dump_journey(document, comments)
    written = load_journey_text(text, "written.yaml")
    model = oracle(document)
    assert written.id == model.id == document["journey"]
    assert written.title == model.title
    assert list(written.steps) == list(document["steps"])
    for ident, step in written.steps.items():
        assert step.label == (yaml_text(document["steps"][ident]["label"]) or ident)
        assert step.label == model.steps[ident].label
        assert step.owner == model.steps[ident].owner
        assert step.tags == model.steps[ident].tags
        assert step.extensions == model.steps[ident].extensions
    assert written.extensions == model.extensions
    assert_same_figures(written, model)
    header = text.split("\njourney:")[0].splitlines()
    assert all(line.startswith("#") and printable(line) == line for line in header), header


def _check_import(result: ImportResult) -> Journey:
    """The imported text validates and audits like its document; returns the journey."""
    assert result.problems == [], result.problems
    written = load_journey_text(journey_text(result), "imported.yaml")
    assert_same_figures(written, oracle(result.document))
    return written


def _expected_label(name: str) -> str:
    """What an importer makes of a name: white space made single, cut at TEXT_MAX."""
    label = yaml_text(clean_text(name))
    return label if len(label) <= TEXT_MAX else label[: TEXT_MAX - 1] + "…"


NAMES = st.one_of(NUMBERS_AS_TEXT, st.text(max_size=30), CONTROL_TEXT).filter(
    lambda n: clean_text(n) != "")


@LAW
@given(st.lists(NAMES, min_size=1, max_size=5), NAMES)
@example(["a"], "\ud800\udfff")  # two escaped surrogates that JSON reads as one character
def test_imported_connect_flows_obey_the_law(prompts: list[str], flow_name: str) -> None:
    actions: list[dict[str, Any]] = [
        {"Identifier": f"a{i}", "Type": "MessageParticipant", "Parameters": {"Text": prompt},
         "Transitions": {"NextAction": f"a{i + 1}"}} for i, prompt in enumerate(prompts)]
    actions.append({"Identifier": f"a{len(prompts)}", "Type": "DisconnectParticipant",
                    "Transitions": {}})
    flow = {"Version": "2019-10-30", "StartAction": "a0", "Metadata": {"name": flow_name},
            "Actions": actions}
    journey = _check_import(import_connect(json.dumps(flow).encode(), "flow.json"))
    # the name as JSON gives it back: an escaped surrogate pair reads as one character
    assert journey.title == _expected_label(json.loads(json.dumps(flow_name)))


def _xml_text(text: str) -> str:
    """``text`` as XML 1.0 can hold it (no control characters, surrogates or U+FFFE/F)."""
    return "".join(c for c in text if c in "\t\n\r" or (" " <= c <= "\ud7ff")
                   or ("\ue000" <= c <= "\ufffd") or c >= "\U00010000")


XML_NAMES = NAMES.map(_xml_text).filter(lambda n: clean_text(n) != "")


@LAW
@given(st.lists(XML_NAMES, min_size=1, max_size=5), XML_NAMES)
def test_imported_bpmn_models_obey_the_law(names: list[str], lane: str) -> None:
    ids = [f"t{i}" for i in range(len(names))]
    tasks = "".join(f"<task id={quoteattr(i)} name={quoteattr(n)}/>"
                    for i, n in zip(ids, names, strict=True))
    chain = ["s", *ids, "e"]
    flows = "".join(f'<sequenceFlow id="f{k}" sourceRef="{a}" targetRef="{b}" name="{k}"/>'
                    for k, (a, b) in enumerate(itertools.pairwise(chain)))
    refs = "".join(f"<flowNodeRef>{i}</flowNodeRef>" for i in ids)
    model = ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
             f'targetNamespace="t"><process id="p"><laneSet id="ls"><lane id="l" '
             f'name={quoteattr(lane)}>{refs}</lane></laneSet><startEvent id="s"/>{tasks}'
             f'<endEvent id="e"/>{flows}</process></definitions>')
    journey = _check_import(import_bpmn(model.encode(), "model.bpmn"))
    by_source = {str(s.extensions.get("x-source-id")): s for s in journey.steps.values()}
    for ident, name in zip(ids, names, strict=True):
        assert by_source[ident].label == _expected_label(name)
        assert by_source[ident].owner == _expected_label(lane)


def _task_name(name: str) -> bool:
    """Names a Mermaid task line can hold (no colon, comment, keyword or line break)."""
    cleaned = clean_text(name)
    return (bool(cleaned) and not any(c in name for c in _NOT_IN_TASKS)
            and not cleaned.lower().startswith(("section", "title", "acc", "journey"))
            and cleaned != "---")


_NOT_IN_TASKS = ":#%\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\ud800\udfff"


@LAW
@given(st.lists(NAMES.filter(_task_name), min_size=1, max_size=5), st.integers(1, 5))
def test_imported_mermaid_diagrams_obey_the_law(names: list[str], score: int) -> None:
    lines = ["journey", "  section Main"] + [f"    {clean_text(n)}: {score}: customer"
                                              for n in names]
    data = ("\n".join(lines) + "\n").encode("utf-8", "replace")
    journey = _check_import(import_mermaid(data, "d.mmd"))
    labels = [step.label for step in journey.steps.values()]
    assert labels == [_expected_label(n) for n in names] + ["Journey complete"]


CSV_TEXT = st.one_of(NUMBERS_AS_TEXT, st.text(st.characters(exclude_categories=("Cs",)),
                                              max_size=20)).filter(lambda n: n.strip() != "")


@LAW
@given(st.lists(CSV_TEXT, min_size=2, max_size=4, unique=True), st.integers(1, 7000))
def test_discovered_journeys_obey_the_law(activities: list[str], years: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "log.csv"
        with log.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(["case", "activity", "timestamp"])
            for case in ("c1", "c2"):
                out.writerow([case, activities[0], "2000-01-01T00:00:00"])
                for hour, activity in enumerate(activities[1:], start=1):
                    out.writerow([case, activity, f"2000-01-01T{hour:02d}:00:00"])
            out.writerow(["c3", activities[0], "2000-01-01T00:00:00"])
            out.writerow(["c3", activities[-1], f"{2000 + years:04d}-01-02T00:00:00"])
        try:
            document, notes = discover(log)
        except ProblemsError:  # a log the reader refuses is reported, never written
            return
    written = load_journey_text(dump_journey(document, notes), "discovered.yaml")
    assert_same_figures(written, oracle(document))
    labels = {s.label for s in written.steps.values()}
    for activity in activities:
        assert activity in labels or activity in written.steps, activity


@LAW
@given(IDS)
def test_init_writes_a_journey_of_the_id_asked_for(journey_id: str) -> None:
    journey = load_journey_text(starter_journey(journey_id, "x\n\x1b.yaml"), "start.yaml")
    assert journey.id == journey_id


def test_discover_caps_a_wait_no_journey_may_hold_and_says_so(tmp_path: Path) -> None:
    from cx_audit.io.loader import MAX_DURATION_MINUTES, load_journey_text

    log = tmp_path / "log.csv"
    # a million days between the call and its resolution
    log.write_text("case,activity,timestamp\n1,call,2024-01-01T10:00:00\n"
                   "1,done,4762-11-27T10:00:00\n", encoding="utf-8")
    from typer.testing import CliRunner

    from cx_audit.cli import app

    result = CliRunner().invoke(app, ["discover", str(log)])
    assert result.exit_code == 0, result.output
    journey = load_journey_text(result.output, "discovered.yaml")
    assert journey.steps["done"].wait == MAX_DURATION_MINUTES
    assert "longer than a journey may hold; written as 100 years" in result.output

"""The loader: resolved values, probability semantics, positions and hostile input."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from conftest import FIXTURES

from cx_audit.core.errors import JourneyError
from cx_audit.core.model import Actor, Handoff, Location, StepKind
from cx_audit.io.loader import (
    MAX_FILE_BYTES,
    load_journey,
    load_journey_bytes,
    load_journey_text,
    parse_duration,
)
from cx_audit.io.yamlsource import ALIAS_BUDGET, MAX_DEPTH


def problems_of(text: str | bytes) -> list[str]:
    with pytest.raises(JourneyError) as caught:
        if isinstance(text, bytes):
            load_journey_bytes(text, "j.yaml")
        else:
            load_journey_text(text, "j.yaml")
    return [str(p) for p in caught.value.problems]


def test_replaces_is_optional_and_must_be_a_journey_id() -> None:
    body = ("journey: b\n{}steps:\n  ask: {{kind: entry, next: [done]}}\n"
            "  done: {{kind: resolution}}\n")
    assert load_journey_text(body.format("")).replaces is None
    assert load_journey_text(body.format("replaces: a-1\n")).replaces == "a-1"
    what = "'replaces' (the id of the journey this one redesigns)"
    assert problems_of(body.format("replaces: [a, b]\n")) == [
        f"j.yaml:2:11: {what} must be a journey id, found a list"]
    assert problems_of(body.format("replaces:\n")) == [
        f"j.yaml:2:10: {what} must be a journey id, found nothing (null)"]
    assert problems_of(body.format("replaces: 404\n")) == [
        f"j.yaml:2:11: {what} must be text, found the number 404; put it in quotes"]
    assert problems_of(body.format("replaces: Old Journey\n"))[0].startswith(
        f"j.yaml:2:11: {what} must be a journey id, found 'Old Journey': use lower-case")


def test_all_fields_are_resolved() -> None:
    journey = load_journey(FIXTURES / "valid" / "all-fields.yaml")
    assert journey.id == "all-fields" and journey.title == "Every field"
    assert journey.persona == "A careful tester" and journey.owner == "care"
    assert journey.replaces == "all-fields-as-is"
    assert dict(journey.extensions) == {"x-source": "workshop notes, March"}
    phone, web, menu = (journey.steps[s] for s in ("phone", "web", "menu"))
    queue, agent, specialist = (journey.steps[s] for s in ("queue", "agent", "specialist"))
    assert phone.kind is StepKind.ENTRY and phone.share == 0.6
    assert phone.channel == "Phone" and phone.channel_key == "phone"
    assert phone.actor is Actor.CUSTOMER and phone.emotion == -1
    assert phone.label == "Calls the hotline" and menu.label == "menu"
    # entries: 0.6 given, the 0.4 not given goes to the one entry without a share
    assert dict(journey.entry_shares) == {"phone": 0.6, "web": pytest.approx(0.4)}
    # web: p 0.5 given, the other 0.5 goes to the transition without p
    assert [(t.target, t.probability, t.p_given) for t in web.next] == [
        ("menu", 0.5, 0.5), ("queue", 0.5, None)]
    assert web.next[0].handoff is Handoff.WARM and web.next[0].label == 'clicks "call me"'
    assert menu.is_shield and menu.shield == "ivr" and menu.wait == 1.5
    assert menu.abandon == 0.1 and menu.owner == "telephony" and queue.owner == "care"
    assert menu.tags == ("ivr", "legacy") and menu.notes == "Four levels deep."
    assert menu.evidence == ("27% of callers hang up in the menu (ACD report)",)
    assert [(s.rule, s.reason) for s in menu.suppressions] == [
        ("CX502", "the wait is the recorded message, not a queue"),
        ("long-wait", "same as above, by name")]
    assert [(t.target, t.probability) for t in menu.next] == [("queue", 0.8),
                                                             ("lost", pytest.approx(0.2))]
    assert queue.wait is None and queue.staffing is not None
    assert (queue.staffing.arrivals_per_hour, queue.staffing.handle_minutes,
            queue.staffing.agents) == (200, 3.0, 14)
    assert queue.staffing.load == pytest.approx(10.0)  # 200/60 calls a minute x 3 minutes
    assert agent.can_resolve is False and agent.wait == 30.0
    assert agent.next[1].handoff is Handoff.COLD and agent.next[1].probability == pytest.approx(0.3)
    assert specialist.wait == 2 * 24 * 60
    assert journey.steps["lost"].kind is StepKind.ABANDON


def test_locations_point_at_ids_and_next_entries() -> None:
    journey = load_journey(FIXTURES / "valid" / "minimal.yaml")
    start = journey.steps["start"]
    assert start.location == Location(str(FIXTURES / "valid" / "minimal.yaml"), 3, 3)
    assert journey.location.line == 1
    source_line = (FIXTURES / "valid" / "minimal.yaml").read_text().splitlines()[2]
    assert (start.next[0].location.line, start.next[0].location.column) == (
        3, source_line.index("end]") + 1)
    assert journey.first_entry_location == start.location


def test_even_split_of_unassigned_probability() -> None:
    journey = load_journey_text(
        "journey: split\nsteps:\n  a:\n    kind: entry\n    next:\n"
        "      - {to: b, p: 0.4}\n      - c\n      - d\n"
        "  b: {kind: resolution}\n  c: {kind: resolution}\n  d: {kind: abandon}\n")
    # 1 - 0.4 = 0.6 left, split evenly between c and d: 0.3 each
    assert [t.probability for t in journey.steps["a"].next] == [0.4, pytest.approx(0.3),
                                                               pytest.approx(0.3)]


def test_given_probabilities_may_sum_to_one_within_tolerance() -> None:
    text = ("journey: t\nsteps:\n  a:\n    kind: entry\n    next:\n"
            "      - {to: b, p: 0.3333333}\n      - {to: c, p: 0.6666666}\n"
            "  b: {kind: resolution}\n  c: {kind: resolution}\n")
    load_journey_text(text)  # 0.9999999 is short of 1 by 1e-7 < 1e-6: accepted
    short = text.replace("0.6666666", "0.66666")  # 0.9999933: short by 6.7e-6 > 1e-6
    assert problems_of(short) == [
        "j.yaml:5:5: the probabilities 'p' of step 'a' sum to 0.999993: when every transition "
        "gives 'p' they must sum to 1"]


def test_missing_probability_when_given_ones_already_sum_to_one() -> None:
    journey = load_journey_text(
        "journey: t\nsteps:\n  a:\n    kind: entry\n    next:\n"
        "      - {to: b, p: 1}\n      - c\n  b: {kind: resolution}\n  c: {kind: resolution}\n")
    assert [t.probability for t in journey.steps["a"].next] == [1.0, 0.0]


def test_entry_shares_split_and_sum_check() -> None:
    journey = load_journey_text(
        "journey: t\nsteps:\n  a: {kind: entry, share: 0.5, next: [z]}\n"
        "  b: {kind: entry, next: [z]}\n  c: {kind: entry, next: [z]}\n  z: {kind: resolution}\n")
    assert dict(journey.entry_shares) == {"a": 0.5, "b": 0.25, "c": 0.25}


@pytest.mark.parametrize(("value", "minutes"), [
    (5, 5.0), (2.5, 2.5), ("90s", 1.5), ("4m", 4.0), ("1.5h", 90.0), ("2d", 2880.0),
    (".5h", 30.0), ("10 m", 10.0), ("0s", 0.0),
])
def test_durations(value: object, minutes: float) -> None:
    assert parse_duration(value) == minutes


@pytest.mark.parametrize("value", ["4 minutes", "4min", "h", "", "-3m", True, None, [1]])
def test_not_durations(value: object) -> None:
    assert parse_duration(value) is None


def test_extensions_are_kept_everywhere() -> None:
    journey = load_journey_text(
        "journey: t\nx-a: 1\nsteps:\n  a:\n    kind: entry\n    x-b: {deep: [1, 2]}\n"
        "    next: [{to: z, x-c: yes}]\n  z: {kind: resolution}\n")
    assert journey.extensions["x-a"] == 1
    assert journey.steps["a"].extensions["x-b"] == {"deep": [1, 2]}


def test_byte_order_mark_and_crlf_are_accepted_with_true_positions() -> None:
    text = ("journey: t\r\nsteps:\r\n  a:\r\n    kind: entry\r\n    next: [z]\r\n"
            "  z: {kind: resolution}\r\n")
    journey = load_journey_bytes(b"\xef\xbb\xbf" + text.encode())
    assert journey.steps["z"].location.line == 6
    bad = text.replace("entry", "entyr")
    assert problems_of(b"\xef\xbb\xbf" + bad.encode()) == [
        "j.yaml:4:11: the kind of step 'a' must be one of entry, step, resolution, abandon; "
        "found 'entyr' (did you mean 'entry'?)"]


def test_not_utf8_is_reported_at_the_byte() -> None:
    assert problems_of(b"journey: t\nsteps:\n  a: {label: caf\xe9}\n") == [
        "j.yaml:3:17: not UTF-8 text: byte 0xe9 cannot be decoded"]


def test_binary_file() -> None:
    # bytes 0..127 are ASCII (with one newline, byte 10); 0x80 is the first non-UTF-8 byte
    (problem,) = problems_of(bytes(range(256)) * 4)
    assert problem == f"j.yaml:2:{128 - 11 + 1}: not UTF-8 text: byte 0x80 cannot be decoded"


def test_control_character_is_reported_at_its_position() -> None:
    assert problems_of("journey: t\nsteps:\n  a: {label: x\x07y}\n") == [
        "j.yaml:3:15: invalid character U+0007: control characters are not allowed"]


def test_alias_bomb_is_rejected() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    (problem,) = problems_of("\n".join(lines) + "\n")
    assert f"aliases expand past {ALIAS_BUDGET} nodes" in problem


def test_aliases_within_budget_are_values() -> None:
    journey = load_journey_text(
        "journey: t\nsteps:\n  a: {kind: entry, evidence: &ev [heard twice], next: [z]}\n"
        "  z: {kind: resolution, evidence: *ev}\n")
    assert journey.steps["z"].evidence == ("heard twice",)


@pytest.mark.parametrize("opener", ["[", "{a: ", "- "])
def test_ten_thousand_deep_nesting_is_an_error_not_a_crash(opener: str) -> None:
    if opener == "- ":
        text = "".join("  " * i + "-\n" for i in range(10_000))
    else:
        text = opener * 10_000 + ("]" if opener == "[" else "}") * 10_000
    (problem,) = problems_of(text)
    # the composer stops at MAX_DEPTH; recent libyaml releases stop deep flow collections
    # themselves first (at 1,000 levels), which is reported as invalid YAML at that point
    pattern = (rf"j\.yaml:\d+:\d+: (nesting deeper than {MAX_DEPTH} levels"
               r"|invalid YAML: exceeded maximum nesting depth.*)")
    assert re.fullmatch(pattern, problem), problem


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(JourneyError) as caught:
        load_journey(big)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (1, 1) and "are not read" in problem.message


def test_missing_file() -> None:
    with pytest.raises(JourneyError) as caught:
        load_journey("/nonexistent/j.yaml")
    assert "cannot read the file" in caught.value.problems[0].message


@pytest.mark.slow
def test_ten_megabyte_journey_loads() -> None:
    count = 45_000
    parts = ["journey: big\nsteps:\n  s0:\n    kind: entry\n    next: [s1]\n"]
    for i in range(1, count):
        parts.append(
            f"  s{i}:\n    label: \"Step number {i} of a very long journey map\"\n"
            f"    channel: phone\n    wait: {i % 7}m\n    abandon: 0.01\n"
            f"    evidence: [\"observed in the field, week {i % 52}\"]\n"
            f"    next:\n      - {{to: s{i + 1}, p: 0.9, handoff: warm}}\n      - {{to: end}}\n")
    parts.append(f"  s{count}:\n    next: [end]\n  end:\n    kind: resolution\n")
    text = "".join(parts)
    assert len(text.encode()) > 10_000_000
    journey = load_journey_text(text)
    assert len(journey.steps) == count + 2
    assert journey.steps["s5"].next[1].probability == pytest.approx(0.1)


def test_huge_numbers_are_out_of_range() -> None:
    (problem,) = problems_of(
        "journey: t\nsteps:\n  a: {kind: entry, emotion: 1e999, next: [z]}\n"
        "  z: {kind: resolution}\n")
    assert problem == ("j.yaml:3:29: the emotion of step 'a' is out of range: it must be in "
                       "[-2, 2], found the number 1e999")


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    problems = problems_of(
        "journey: t\nsteps:\n  a: {kind: entry, wiat: 1, next: [b, zz]}\n"
        "  b: {abandon: 2, next: [z]}\n  z: {kind: resolution, next: [a]}\n")
    assert len(problems) == 4
    assert problems == sorted(problems, key=lambda p: (int(p.split(":")[1]), int(p.split(":")[2])))


def test_ids_that_are_numbers_must_be_quoted() -> None:
    (problem,) = problems_of(
        "journey: t\nsteps:\n  a: {kind: entry, next: [404]}\n  '404': {kind: resolution}\n")
    assert problem == ("j.yaml:3:27: a 'next' target of step 'a' must be text, "
                       "found the number 404; put it in quotes")


def test_nan_probability_and_negative_wait() -> None:
    problems = problems_of(
        "journey: t\nsteps:\n  a:\n    kind: entry\n    wait: -1\n    next: [{to: z, p: .nan}]\n"
        "  z: {kind: resolution}\n")
    assert problems == [
        "j.yaml:5:11: the wait of step 'a' must be zero or more, found -1 minutes",
        "j.yaml:6:23: the probability 'p' of step 'a' must be a finite number, "
        "found the number .nan",
    ]
    assert math.isnan(float(".nan".replace(".", "")))  # sanity of the literal used above


def test_a_quoted_value_with_a_number_tag_is_not_text() -> None:
    """Quoting makes a value text unless a tag says otherwise: ``!!int "5"`` is a number."""
    found = problems_of('journey: j\nsteps:\n  a: {kind: entry, label: !!int "5", next: [b]}\n'
                        '  b: {kind: resolution}\n')
    assert any("label" in p and "must be text" in p for p in found), found
    journey = load_journey_text('journey: j\nsteps:\n  a: {kind: entry, label: "5", next: [b]}\n'
                                '  b: {kind: resolution}\n', "j.yaml")
    assert journey.steps["a"].label == "5"

"""The report's two charts: where 1,000 customers end, and how they feel along the journey."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from analysis.builder import make_journey
from analysis.strategies import journey_specs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cx_audit.audit.engine import JourneyAudit, audit_journey
from cx_audit.core.model import Journey
from cx_audit.io.loader import load_journey
from cx_audit.renderers.charts import (
    CHART_WIDTH,
    LABEL_CHARS,
    MAX_POINTS,
    emotion_chart,
    endings,
    largest_remainder,
    outcome_chart,
)

ROOT = Path(__file__).resolve().parents[2]
JOURNEYS = sorted((ROOT / "journeys").glob("*.yaml"))
SVG = "{http://www.w3.org/2000/svg}"
Spec = dict[str, dict[str, Any]]


def feel(journey: Journey, emotions: Mapping[str, float],
         labels: Mapping[str, str] | None = None) -> Journey:
    """``journey`` with these steps' feelings and labels (the builder sets neither)."""
    labels = labels or {}
    steps = {k: replace(s, emotion=emotions.get(k), label=labels.get(k, s.label))
             for k, s in journey.steps.items()}
    return replace(journey, steps=steps)


def audited(spec: Spec, emotions: Mapping[str, float] | None = None,
            labels: Mapping[str, str] | None = None, title: str = "test") -> JourneyAudit:
    journey = feel(make_journey(spec), emotions or {}, labels)
    return audit_journey(replace(journey, title=title))


def texts(svg: str) -> list[str]:
    """Every text element's content, in document order."""
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def x_labels(svg: str) -> list[str]:
    """The emotion chart's step names: the texts turned along the x axis."""
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for g in root.iter(f"{SVG}g")
            if g.get("transform", "").startswith("rotate") for t in g.iter(f"{SVG}text")]


# --- where customers end -----------------------------------------------------------------

# call -> menu: 20% give up at the menu, the rest split evenly between agent and faq.
# agent: 3/4 resolved at done, 1/8 to billing (no way on: 40% give up, the rest stranded),
#        1/8 into limbo <-> limbo2, a loop nobody leaves.
# faq: 60% solved online, 40% to the abandon step lost.
HAND: Spec = {
    "call": {"kind": "entry", "next": ["menu"]},
    "menu": {"abandon": 0.2, "next": [("agent", 0.5), ("faq", 0.5)]},
    "agent": {"next": [("done", 0.75), ("billing", 0.125), ("limbo", 0.125)]},
    "billing": {"abandon": 0.4},
    "limbo": {"next": ["limbo2"]},
    "limbo2": {"next": ["limbo"]},
    "faq": {"next": [("solved-online", 0.6), ("lost", 0.4)]},
    "done": {"kind": "resolution"},
    "solved-online": {"kind": "resolution"},
    "lost": {"kind": "abandon"},
}


def test_outcome_counts_of_a_journey_computed_by_hand() -> None:
    groups = endings(audited(HAND))
    # of 1,000: 200 give up at the menu; 400 reach the agent, 400 the faq.
    # agent: 400 * 3/4 = 300 resolved at done; 400 / 8 = 50 to billing, of whom
    # 50 * 0.4 = 20 give up and 30 are stranded; 400 / 8 = 50 trapped in the loop.
    # faq: 400 * 0.6 = 240 solved online, 400 * 0.4 = 160 to lost.
    # resolved 300 + 240 = 540; gave up 200 + 160 + 20 = 380; stranded 30; trapped 50.
    shown = {g.name: (g.count, [(p.steps, p.count) for p in g.places]) for g in groups}
    assert shown == {
        "resolved": (540, [(("done",), 300), (("solved-online",), 240)]),
        "gave up": (380, [(("menu",), 200), (("lost",), 160), (("billing",), 20)]),
        "stranded": (30, [(("billing",), 30)]),
        "trapped": (50, [(("limbo", "limbo2"), 50)]),
    }
    assert sum(g.count for g in groups) == 1000
    assert [p.label for p in groups[3].places] == ["loop of limbo and 1 more steps"]
    assert math.isclose(groups[1].share, 0.38) and math.isclose(groups[1].places[2].share, 0.02)


def test_the_outcome_chart_writes_every_count_of_the_hand_journey() -> None:
    shown = texts(outcome_chart(audited(HAND)).svg)
    for label, count in [("done", "300"), ("solved-online", "240"), ("menu", "200"),
                         ("lost", "160"), ("billing", "20"), ("billing", "30")]:
        at = [i for i, t in enumerate(shown) if t == label]
        assert any(shown[i + 1] == count for i in at), (label, count)
    assert "Resolved: 540 in 1,000" in shown and "Gave up: 380 in 1,000" in shown
    assert "Stranded: 30 in 1,000" in shown and "Trapped in a loop: 50 in 1,000" in shown
    assert "540 resolved" in shown and "380 gave up" in shown  # labelled segments of the bar


def test_small_places_are_grouped_as_elsewhere_largest_first() -> None:
    # menu loses 30%; then seven steps in a row each lose 0.1% (about 1 in 1,000 each) and
    # one loses 3%; only the small ones go elsewhere, listed after the places shown.
    chain = ["s1", "s2", "s3", "s4", "s5", "s6", "s7"]
    spec: Spec = {"call": {"kind": "entry", "next": ["menu"]},
                                       "menu": {"abandon": 0.3, "next": ["big"]},
                                       "big": {"abandon": 0.03 / 0.7, "next": [chain[0]]}}
    for here, there in zip(chain, [*chain[1:], "done"]):
        spec[here] = {"abandon": 0.001, "next": [there]}
    spec["done"] = {"kind": "resolution"}
    gave_up = next(g for g in endings(audited(spec)) if g.name == "gave up")
    assert [p.label for p in gave_up.places] == ["menu", "big", "elsewhere (7 steps)"]
    assert gave_up.places[-1].steps == tuple(chain)
    assert sum(p.count for p in gave_up.places) == gave_up.count


def test_one_small_place_is_shown_rather_than_grouped_alone() -> None:
    spec: Spec = {
        "call": {"kind": "entry", "next": ["menu"]},
        "menu": {"abandon": 0.3, "next": ["tiny"]},
        "tiny": {"abandon": 0.002, "next": ["done"]},
        "done": {"kind": "resolution"},
    }
    gave_up = next(g for g in endings(audited(spec)) if g.name == "gave up")
    assert [p.label for p in gave_up.places] == ["menu", "tiny"]


def test_a_journey_nobody_starts_has_no_ending_and_still_a_chart() -> None:
    audit = audited({"ask": {"next": ["done"]}, "done": {"kind": "resolution"}})
    assert endings(audit) == ()
    figure = outcome_chart(audit)
    assert "No customer starts this journey" in " ".join(texts(figure.svg))


def test_largest_remainder_adds_up_where_rounding_each_does_not() -> None:
    thirds = [1 / 3, 1 / 3, 1 / 3]
    assert sum(round(v * 1000) for v in thirds) == 999  # why it is needed
    assert largest_remainder(thirds, 1000) == [334, 333, 333]
    # quotas 232.5, 232.5, 267.5, 267.5: each floor leaves .5; the earlier two get the units
    assert largest_remainder([0.2325, 0.2325, 0.2675, 0.2675], 1000) == [233, 233, 267, 267]
    assert largest_remainder([0.0, 0.0], 1000) == [0, 0]
    assert largest_remainder([0.9995, 0.0005], 1000) == [1000, 0]


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12), st.integers(0, 5000))
@settings(max_examples=200, derandomize=True, database=None)
def test_largest_remainder_sums_to_the_total_and_stays_within_one(values: list[float],
                                                                  total: int) -> None:
    counts = largest_remainder(values, total)
    weight = sum(Fraction(v) for v in values)
    if weight == 0:
        assert counts == [0] * len(values)
        return
    assert sum(counts) == total
    for value, count in zip(values, counts):
        assert abs(count - Fraction(value) * total / weight) < 1 + 1e-9


@pytest.mark.parametrize("path", JOURNEYS, ids=lambda p: p.name)
def test_every_example_adds_up_to_1000_and_matches_its_metrics(path: Path) -> None:
    audit = audit_journey(load_journey(path))
    groups = endings(audit)
    assert sum(g.count for g in groups) == 1000
    for group in groups:
        assert sum(p.count for p in group.places) == group.count
        assert abs(group.count - group.share * 1000) < 1
        assert math.isclose(math.fsum(p.share for p in group.places), group.share,
                            rel_tol=1e-9, abs_tol=1e-12)
        assert [p.share for p in group.places if not p.label.startswith("elsewhere")] == sorted(
            (p.share for p in group.places if not p.label.startswith("elsewhere")), reverse=True)


@settings(max_examples=80, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(journey_specs(), st.randoms(use_true_random=False))
def test_random_journeys_add_up_and_draw_valid_svg(spec: Spec,
                                                   rng: Any) -> None:
    emotions = {k: float(rng.choice([-2, -1.5, -1, 0, 0.5, 1, 2])) for k in spec}
    audit = audited(spec, emotions)
    groups = endings(audit)
    metrics = audit.analysis.metrics
    started = metrics.p_resolution + metrics.p_abandon + metrics.p_stranded + metrics.p_trapped
    assert sum(g.count for g in groups) == (1000 if started > 0.5 else 0)
    for group in groups:
        assert sum(p.count for p in group.places) == group.count
    ET.fromstring(outcome_chart(audit).svg)
    figure = emotion_chart(audit)
    if figure is not None:
        ET.fromstring(figure.svg)


# --- how customers feel --------------------------------------------------------------------

BRANCHES: Spec = {
    "call": {"kind": "entry", "next": ["menu"]},
    "menu": {"next": [("faq", 0.3), ("agent", 0.7)]},
    "agent": {"next": ["done"]},
    "faq": {"next": [("solved", 0.5), ("lost", 0.5)]},
    "done": {"kind": "resolution"},
    "solved": {"kind": "resolution"},
    "lost": {"kind": "abandon"},
}
FEELINGS = {"call": -1, "menu": -2, "agent": 0, "faq": -1, "done": 1, "solved": 1, "lost": -2}


def test_steps_come_in_the_order_met_busiest_branch_first_then_the_outcomes() -> None:
    figure = emotion_chart(audited(BRANCHES, FEELINGS))
    assert figure is not None
    # menu sends 70% to the agent: that branch comes straight after it, the faq after;
    # outcomes on the right, resolutions (done 70%, solved 15%) before the abandon.
    assert x_labels(figure.svg) == ["call", "menu", "agent", "faq", "done", "solved", "lost"]


def test_a_step_comes_after_every_step_that_leads_to_it() -> None:
    spec: Spec = dict(BRANCHES, faq={"next": [("agent", 0.5), ("lost", 0.5)]})
    figure = emotion_chart(audited(spec, FEELINGS))
    assert figure is not None
    assert x_labels(figure.svg) == ["call", "menu", "faq", "agent", "done", "lost"]


def test_a_loop_is_read_from_where_most_customers_enter_it() -> None:
    # 80% enter the loop at front, 20% at back; back is first in the file.
    spec: Spec = {
        "call": {"kind": "entry", "next": [("x", 0.8), ("y", 0.2)]},
        "back": {"next": [("front", 0.5), ("done", 0.5)]},
        "front": {"next": ["back"]},
        "x": {"next": ["front"]},
        "y": {"next": ["back"]},
        "done": {"kind": "resolution"},
    }
    emotions = dict.fromkeys(spec, 0.0)
    figure = emotion_chart(audited(spec, emotions))
    assert figure is not None
    assert x_labels(figure.svg) == ["call", "x", "y", "front", "back", "done"]


def test_the_largest_entry_comes_first() -> None:
    spec: Spec = {
        "walk-in": {"kind": "entry", "share": 0.25, "next": ["desk"]},
        "phone": {"kind": "entry", "share": 0.75, "next": ["queue"]},
        "desk": {"next": ["done"]},
        "queue": {"next": ["done"]},
        "done": {"kind": "resolution"},
    }
    figure = emotion_chart(audited(spec, dict.fromkeys(spec, 0.0)))
    assert figure is not None
    assert x_labels(figure.svg) == ["phone", "queue", "walk-in", "desk", "done"]


def test_points_show_the_share_that_reaches_them_and_the_routes_their_share() -> None:
    figure = emotion_chart(audited(BRANCHES, FEELINGS))
    assert figure is not None
    shown = texts(figure.svg)
    for share in ("100%", "70%", "30%", "15%"):
        assert share in shown
    assert "likeliest route (70% of customers)" in shown
    assert "2nd likeliest (15% of customers)" in shown
    root = ET.fromstring(figure.svg)
    radii = sorted(float(c.get("r", "0")) for c in root.iter(f"{SVG}circle"))
    assert radii[0] < radii[-1]  # a point's area follows its reach
    assert len(list(root.iter(f"{SVG}polyline"))) == 2


def test_long_labels_are_shortened_and_steps_without_feeling_left_out() -> None:
    long = "The agent reads out the terms and conditions of the refund policy"
    figure = emotion_chart(audited(BRANCHES, {"call": -1, "agent": 0, "done": 1},
                                   labels={"agent": long}))
    assert figure is not None
    names = x_labels(figure.svg)
    assert names[0] == "call" and names[2] == "done"
    assert names[1].endswith("\u2026") and len(names[1]) <= LABEL_CHARS
    assert long.startswith(names[1][:-1])


def test_no_chart_with_fewer_than_two_reached_feelings() -> None:
    assert emotion_chart(audited(BRANCHES, {"call": -1})) is None
    assert emotion_chart(audited(BRANCHES)) is None
    unreached: Spec = dict(BRANCHES, island={"next": ["done"]})
    assert emotion_chart(audited(unreached, {"call": -1, "island": 1})) is None
    assert emotion_chart(audited(unreached, {"call": -1, "agent": 1})) is not None


def test_past_the_limit_the_least_reached_steps_are_left_out_and_said_so() -> None:
    count = MAX_POINTS + 4
    spec: Spec = {"call": {"kind": "entry", "next": ["s0"]}}
    for i in range(count):
        spec[f"s{i}"] = {"abandon": 0.01, "next": [f"s{i + 1}" if i + 1 < count else "done"]}
    spec["done"] = {"kind": "resolution"}
    figure = emotion_chart(audited(spec, dict.fromkeys(spec, 0.0)))
    assert figure is not None
    names = x_labels(figure.svg)
    assert len(names) == MAX_POINTS
    assert names == ["call", *[f"s{i}" for i in range(MAX_POINTS - 1)]]
    assert figure.note is not None and "6 more steps" in figure.note


# --- both -----------------------------------------------------------------------------------

HOSTILE = ["</script><script>alert(1)", '" onload="alert(2)', "a & b <b>bold</b>\x1b[31m"]


def test_hostile_labels_and_titles_stay_inert() -> None:
    labels = {"menu": HOSTILE[0], "agent": HOSTILE[1], "faq": HOSTILE[2], "lost": HOSTILE[0],
              "done": HOSTILE[1]}
    audit = audited(BRANCHES, FEELINGS, labels=labels, title=HOSTILE[1] + HOSTILE[0])
    emotion = emotion_chart(audit)
    assert emotion is not None
    for svg in (emotion.svg, outcome_chart(audit).svg):
        assert "<script" not in svg and "onload=" not in svg.replace("onload=&quot;", "")
        assert "\x1b" not in svg
        root = ET.fromstring(svg)
        assert all(not el.tag.endswith("script") for el in root.iter())
        assert all(not name.startswith("on") for el in root.iter() for name in el.attrib)
        assert HOSTILE[1] + HOSTILE[0] in root.get("aria-label", "")
    outcome_texts = texts(outcome_chart(audit).svg)
    assert HOSTILE[0] in outcome_texts and HOSTILE[1] in outcome_texts
    names = x_labels(emotion.svg)
    assert "</script><script>alert(\u2026" in names  # shortened, literal
    assert any(n.startswith("a & b <b>bold</b>\\x1b[") for n in names)  # escape made visible


@pytest.mark.parametrize("path", JOURNEYS, ids=lambda p: p.name)
def test_every_example_draws_self_contained_svg_of_the_page_width(path: Path) -> None:
    audit = audit_journey(load_journey(path))
    figures = [outcome_chart(audit), emotion_chart(audit)]
    assert figures[1] is not None  # every example records feelings
    for figure in figures:
        assert figure is not None
        root = ET.fromstring(figure.svg)
        assert root.tag == f"{SVG}svg" and root.get("width") == str(CHART_WIDTH)
        assert figure.width == CHART_WIDTH and figure.height == float(root.get("height", "0"))
        assert not re.search(r"<script|<image|<foreignObject|@import|href=", figure.svg)
        assert "http" not in figure.svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_same_audit_always_draws_the_same_bytes() -> None:
    path = ROOT / "journeys" / "airline-rebooking-after-cancellation.yaml"
    first, second = audit_journey(load_journey(path)), audit_journey(load_journey(path))
    one, other = emotion_chart(first), emotion_chart(second)
    assert one is not None and other is not None
    assert one == other and outcome_chart(first) == outcome_chart(second)


def test_patterns_of_two_journeys_on_one_page_do_not_share_ids() -> None:
    one = outcome_chart(audit_journey(load_journey(JOURNEYS[0]))).svg
    other = outcome_chart(audit_journey(load_journey(JOURNEYS[1]))).svg
    ids = set(re.findall(r'id="([^"]+)"', one))
    assert ids and not ids & set(re.findall(r'id="([^"]+)"', other))
    assert all(f"url(#{i})" in one for i in ids)

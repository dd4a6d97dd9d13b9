"""Before and after in the library: pairing, figures in their units, points matched by place."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import PINNED

from cx_audit.audit.compare import (
    FIGURES,
    compare_audits,
    match_points,
    metric_change,
    pair_journeys,
    pair_with_reasons,
)
from cx_audit.audit.engine import JourneyAudit, audit_journey
from cx_audit.audit.points import combustion_points
from cx_audit.audit.run import keep_analysed
from cx_audit.io.loader import load_journey_text

QUEUE = """journey: {id}
{extra}owner: care
steps:
  call: {{kind: entry, channel: phone, next: [queue]}}
  queue: {{shield: queue, wait: 10m, abandon: {abandon}, channel: phone, actor: system,
          next: [agent]}}
  agent: {{actor: frontline, can_resolve: true, channel: phone, next: [done]}}
  done: {{kind: resolution}}
"""


def audit(file: str, journey_id: str = "refund", abandon: float = 0.3,
          extra: str = "") -> JourneyAudit:
    text = QUEUE.format(id=journey_id, abandon=abandon, extra=extra)
    return keep_analysed(audit_journey(load_journey_text(text, file), PINNED))


FIGURE = {figure.name: figure for figure in FIGURES}


# -- pairing ------------------------------------------------------------------


def test_pairing_by_file_name_comes_before_replaces_and_id(tmp_path: Path) -> None:
    old_a = audit(str(tmp_path / "old" / "a.yaml"), "alpha")
    old_b = audit(str(tmp_path / "old" / "b.yaml"), "beta")
    old_c = audit(str(tmp_path / "old" / "c.yaml"), "gamma")
    # a.yaml keeps its name and changes id; x.yaml replaces beta; gamma moved to y.yaml
    new_a = audit(str(tmp_path / "new" / "a.yaml"), "alpha-2")
    new_x = audit(str(tmp_path / "new" / "x.yaml"), "beta-2", extra="replaces: beta\n")
    new_y = audit(str(tmp_path / "new" / "y.yaml"), "gamma")
    new_z = audit(str(tmp_path / "new" / "z.yaml"), "zeta")
    pairs = pair_with_reasons([old_a, old_b, old_c], [new_a, new_x, new_y, new_z])
    assert [(p.old and p.old.id, p.new and p.new.id, p.paired_by) for p in pairs] == [
        ("alpha", "alpha-2", "path"), ("beta", "beta-2", "replaces"), ("gamma", "gamma", "id"),
        (None, "zeta", None)]
    # the public form: plain pairs, the same order
    assert pair_journeys([old_a, old_b], [new_z]) == [(None, new_z), (old_a, None),
                                                      (old_b, None)]


def test_file_name_wins_over_a_replaces_that_names_another_paired_journey(
        tmp_path: Path) -> None:
    old_a = audit(str(tmp_path / "old" / "a.yaml"), "alpha")
    new_a = audit(str(tmp_path / "new" / "a.yaml"), "alpha")
    new_b = audit(str(tmp_path / "new" / "b.yaml"), "alpha-2", extra="replaces: alpha\n")
    assert pair_journeys([old_a], [new_a, new_b]) == [(old_a, new_a), (None, new_b)]


def test_relative_paths_below_the_roots_pair_nested_files(tmp_path: Path) -> None:
    old = [audit(str(tmp_path / "v1" / d / "j.yaml"), f"{d}-old") for d in ("care", "sales")]
    new = [audit(str(tmp_path / "v2" / d / "j.yaml"), f"{d}-new") for d in ("sales", "care")]
    pairs = pair_journeys(old, new, old_root=tmp_path / "v1", new_root=tmp_path / "v2")
    assert [(o and o.id, n and n.id) for o, n in pairs] == [
        ("sales-old", "sales-new"), ("care-old", "care-new")]


def test_two_files_given_are_paired_whatever_their_names_and_ids(tmp_path: Path) -> None:
    old = audit(str(tmp_path / "before.yaml"), "one")
    new = audit(str(tmp_path / "after.yaml"), "two")
    (pair,) = pair_with_reasons([old], [new], tmp_path / "before.yaml", tmp_path / "after.yaml")
    assert (pair.old, pair.new, pair.paired_by) == (old, new, "files")
    # without the roots, the names differ and so do the ids: nothing pairs them
    assert pair_journeys([old], [new]) == [(None, new), (old, None)]


def test_replaces_takes_each_as_is_journey_once(tmp_path: Path) -> None:
    old = audit(str(tmp_path / "o" / "a.yaml"), "alpha")
    first = audit(str(tmp_path / "n" / "b.yaml"), "beta", extra="replaces: alpha\n")
    second = audit(str(tmp_path / "n" / "c.yaml"), "gamma", extra="replaces: alpha\n")
    assert pair_journeys([old], [first, second]) == [(old, first), (None, second)]


# -- figures --------------------------------------------------------------------


def test_share_changes_are_in_points_of_percentage() -> None:
    change = metric_change(FIGURE["p_resolution"], 0.35334693736348766, 0.9836176249999999)
    # (0.98362 - 0.35335) * 100 = 63.03 points, written to one decimal without ".0"
    assert (change.before, change.after, change.change) == ("35.3%", "98.4%", "+63 points")
    assert change.wording == "chance of resolution 35.3% \u2192 98.4%, +63 points"
    assert change.changed and change.better is True
    fall = metric_change(FIGURE["p_abandon"], 0.2, 0.19)
    assert (fall.change, fall.better) == ("-1 point", True)
    worse = metric_change(FIGURE["p_first_time"], 0.5, 0.4)
    assert (worse.change, worse.better) == ("-10 points", False)


def test_a_change_below_the_shown_precision_is_no_change() -> None:
    change = metric_change(FIGURE["p_resolution"], 0.5, 0.50004)
    assert not change.changed and change.better is None
    assert change.wording == "chance of resolution 50%, unchanged"
    assert metric_change(FIGURE["p_resolution"], 0.5, 0.5006).changed


def test_waits_are_durations_and_unbounded_figures_no_limit() -> None:
    wait = metric_change(FIGURE["wait_expected"], 5681.155941933459, 116.80003255469039)
    # 5681 min / 1440 = 3.95 days; 116.8 min is under two hours, so minutes
    assert (wait.before, wait.after, wait.change) == ("3.95 d", "117 min", "-3.86 d")
    trapped = metric_change(FIGURE["wait_expected"], math.inf, 30.0)
    assert (trapped.before, trapped.change, trapped.better) == ("no limit", None, True)
    worst = metric_change(FIGURE["shields_max"], "unbounded", 2)
    assert worst.wording == "shield layers on the worst route no limit \u2192 2"
    assert worst.better is True
    routes = metric_change(FIGURE["paths"], 3, "unbounded")
    assert (routes.after, routes.better) == ("no limit", None)  # neither way is better
    gone = metric_change(FIGURE["shields_min"], 2, None)
    assert (gone.after, gone.better) == ("no route", None)


def test_counts_are_counts() -> None:
    best = metric_change(FIGURE["shields_min"], 8, 0)
    assert best.wording == "shield layers on the best route 8 \u2192 0, -8"
    retells = metric_change(FIGURE["retells_expected"], 0.9220395319874694, 0.0)
    assert (retells.before, retells.after, retells.change) == ("0.922", "0", "-0.922")


# -- combustion points --------------------------------------------------------------


def test_a_point_whose_place_remains_with_fewer_customers_lost_is_smaller(
        tmp_path: Path) -> None:
    old = audit(str(tmp_path / "a.yaml"), abandon=0.3)
    new = audit(str(tmp_path / "b.yaml"), abandon=0.2)
    comparison = compare_audits(old, new)
    (point,) = comparison.points
    assert (point.status, point.trend, point.title) == ("remaining", "smaller", "queue")
    assert point.old is not None and point.new is not None
    assert point.old.lost == pytest.approx(0.3) and point.new.lost == pytest.approx(0.2)
    assert [m.name for m in comparison.changed_metrics] == [
        "p_resolution", "p_first_time", "p_abandon"]
    (larger,) = compare_audits(new, old).points
    assert larger.trend == "larger"
    (same,) = compare_audits(old, old).points
    assert same.trend == "unchanged"


def test_a_renamed_step_is_another_place(tmp_path: Path) -> None:
    old = audit(str(tmp_path / "a.yaml"))
    text = QUEUE.format(id="refund", abandon=0.3, extra="").replace("queue", "line")
    new = keep_analysed(audit_journey(load_journey_text(text, str(tmp_path / "b.yaml")), PINNED))
    comparison = compare_audits(old, new)
    assert [(p.status, p.title) for p in comparison.points] == [("new", "line"),
                                                                ("fixed", "queue")]
    assert comparison.by_status("fixed")[0].old == combustion_points(old)[0]


def test_a_loop_that_loses_a_step_is_still_that_loop(tmp_path: Path) -> None:
    loop = """journey: bounce
steps:
  call: {kind: entry, next: [desk]}
  desk: {actor: frontline, next: [{to: done, p: 0.5}, {to: other, handoff: cold}]}
  other: {actor: frontline, next: [{to: desk, p: 0.4, handoff: cold}, third, {to: gone}]}
  third: {actor: backoffice, next: [{to: desk, handoff: cold}]}
  done: {kind: resolution}
  gone: {kind: abandon}
"""
    shorter = loop.replace("third, ", "").replace(
        "  third: {actor: backoffice, next: [{to: desk, handoff: cold}]}\n", "")
    old = keep_analysed(audit_journey(load_journey_text(loop, str(tmp_path / "a.yaml")), PINNED))
    new = keep_analysed(audit_journey(load_journey_text(shorter, str(tmp_path / "b.yaml")),
                                      PINNED))
    old_loop = [p for p in combustion_points(old) if p.kind == "loop"]
    new_loop = [p for p in combustion_points(new) if p.kind == "loop"]
    assert [p.steps for p in old_loop] == [("desk", "other", "third")]
    assert [p.steps for p in new_loop] == [("desk", "other")]
    assert [(c.status, c.old, c.new) for c in match_points(old_loop, new_loop)] == [
        ("remaining", old_loop[0], new_loop[0])]

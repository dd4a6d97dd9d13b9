"""The fix-first ranking: step findings ordered by what removing the step would gain."""

from __future__ import annotations

import pytest
from conftest import PINNED

from cx_audit.audit.engine import audit_journey, fix_first
from cx_audit.io.loader import load_journey_text

# Two queues in a row, each losing customers, then a form that loses none; the
# plain check between them makes the form a choke point of its own (CX503).
#   call -> queue-a (abandon 0.3) -> queue-b (abandon 0.1) -> check -> form -> done
# p_resolution = 0.7 x 0.9 = 0.63.
# Removing queue-a: 0.9 -> gain 0.27. Removing queue-b: 0.7 -> gain 0.07.
# Removing form (a shield with no abandon): no change in resolution, one shield fewer
# for the 0.63 who reach it -> shields drop by 0.63.
JOURNEY = """journey: queues
owner: care
steps:
  call: {kind: entry, next: [queue-a]}
  queue-a: {shield: queue, wait: 5m, abandon: 0.3, next: [queue-b]}
  queue-b: {shield: queue, wait: 5m, abandon: 0.1, next: [check]}
  check: {next: [form]}
  form: {shield: form, next: [done]}
  done: {kind: resolution}
"""


def test_fix_first_ranks_by_resolution_gain_then_shields() -> None:
    audit = audit_journey(load_journey_text(JOURNEY), PINNED)
    ranked = fix_first(audit)
    assert [f.step for f, _ in ranked] == ["queue-a", "queue-b", "form"]
    gains = [impact.delta_p_resolution for _, impact in ranked]
    assert gains == [pytest.approx(0.9 - 0.63), pytest.approx(0.7 - 0.63), pytest.approx(0.0)]
    assert ranked[2][1].delta_shields_expected == pytest.approx(-0.63)
    # one entry per step, its most severe finding (queue-a has CX501 and CX502, both warnings)
    assert len({f.step for f, _ in ranked}) == len(ranked)


def test_steps_whose_removal_gains_nothing_are_left_out() -> None:
    text = JOURNEY.replace("form: {shield: form, next: [done]}",
                           "form: {emotion: -2, next: [done]}")  # no shield, no wait, no loss
    audit = audit_journey(load_journey_text(text), PINNED)
    assert any(f.step == "form" for f in audit.findings)  # CX505 emotion dip
    assert "form" not in [f.step for f, _ in fix_first(audit)]

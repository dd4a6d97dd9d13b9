"""What CX505 (emotion-dip) says: the steps that share the lowest point, the drop that leads there.

The fixture folder checks where the findings sit; these tests check the
messages, and that the low point is found without solving the Markov chain.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import cx_audit.analysis.metrics as metrics_module
from cx_audit.audit.config import Config
from cx_audit.audit.engine import audit_journey
from cx_audit.core.findings import Finding
from cx_audit.io.loader import load_journey, load_journey_text

HERE = Path(__file__).resolve().parent


def _findings(text: str) -> list[Finding]:
    return audit_journey(load_journey_text(text), Config(select=("CX505",))).findings


def _only(key: str) -> Finding:
    journey = load_journey(HERE / key)
    (finding,) = audit_journey(journey, Config(select=("CX505",))).findings
    return finding


def test_lowest_point_names_the_other_steps_at_it() -> None:
    finding = _only("emotion_dip/invalid_tie_on_likeliest_route.yaml")
    assert finding.message == ("The lowest point of the emotional curve (-2) is at step 'fast'; "
                               "also at 'slow' and 'fee'")
    assert finding.evidence.metrics["steps_at_lowest"] == 3


def test_lowest_point_reached_by_a_drop_says_both_once() -> None:
    finding = _only("emotion_dip/invalid_worst_after_drop_one_finding.yaml")
    assert finding.message == ("The lowest point of the emotional curve (-2) is at step 'fee', "
                               "where emotion drops from +1 at 'call' to -2")
    assert finding.evidence.metrics["from"] == "call"


def test_many_steps_at_the_lowest_point_are_counted_past_five() -> None:
    steps = "\n".join(f"  s{i}: {{emotion: -2, next: [s{i + 1}]}}" for i in range(8))
    text = f"journey: long\nsteps:\n  in: {{kind: entry, next: [s0]}}\n{steps}\n"
    text += "  s8: {kind: resolution}\n"
    (finding,) = _findings(text)
    assert finding.step == "s0"
    assert finding.message.endswith("also at 's1', 's2', 's3', 's4', 's5' and 2 more steps")


@pytest.mark.parametrize("key", ["emotion_dip/invalid_tie_on_likeliest_route.yaml",
                                 "emotion_dip/invalid_tie_and_drop.yaml"])
def test_emotion_dip_never_solves_the_chain(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the Markov chain was solved")

    monkeypatch.setattr(metrics_module, "ChainSolution", refuse)
    audit = audit_journey(load_journey(HERE / key), Config(select=("CX505", "CX900")))
    assert audit.findings and {f.rule for f in audit.findings} == {"CX505"}

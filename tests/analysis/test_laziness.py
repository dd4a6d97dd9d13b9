"""The analysis is computed when read: structural rules and formats never solve the chain."""

from __future__ import annotations

from pathlib import Path

import pytest

import cx_audit.analysis.metrics as metrics_module
from cx_audit.analysis.chain import ChainSolution
from cx_audit.audit.config import Config
from cx_audit.audit.engine import audit_journey
from cx_audit.audit.run import AuditRun
from cx_audit.io.loader import load_journey
from cx_audit.renderers import render_audits

TELECOM = Path(__file__).resolve().parents[2] / "journeys" / "telecom-billing-dispute.yaml"


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the chains solved (each ``ChainSolution`` made) and the per-step passes run."""
    counted = [0, 0]

    class Counting(ChainSolution):
        __slots__ = ()

        def __init__(self, *args: object) -> None:
            counted[0] += 1
            super().__init__(*args)  # type: ignore[arg-type]

        def first_passage(self) -> tuple[list[float], list[float]]:
            if self._passage is None:
                counted[1] += 1
            return super().first_passage()

    monkeypatch.setattr(metrics_module, "ChainSolution", Counting)
    return counted


@pytest.mark.parametrize("rule", ["CX301", "CX502"])
def test_structural_and_queue_rules_solve_nothing(solves: list[int], rule: str) -> None:
    audit = audit_journey(load_journey(TELECOM), Config(select=(rule,)))
    assert audit.findings and {f.rule for f in audit.findings} == {rule}
    assert solves == [0, 0]
    render_audits("github", AuditRun(results=[audit]))  # annotations need no figures
    assert solves == [0, 0]


def test_metrics_solve_the_chain_once_and_per_step_figures_only_when_read(
        solves: list[int]) -> None:
    audit = audit_journey(load_journey(TELECOM), Config(select=("CX504",)))  # low resolution
    assert solves == [1, 0]  # the rule read the journey's metrics, not the per-step figures
    assert audit.analysis.metrics.p_resolution > 0
    assert solves == [1, 0]
    render_audits("json", AuditRun(results=[audit]))  # JSON shows every step's figures
    assert solves == [1, 1]
    render_audits("json", AuditRun(results=[audit]))  # computed once, then kept
    assert solves == [1, 1]

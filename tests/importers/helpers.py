"""Helpers for the importer tests: where the shared material is, and loading results back."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from cx_audit.audit.config import Config
from cx_audit.audit.engine import audit_journey
from cx_audit.core.model import Journey
from cx_audit.importers import ImportResult, journey_text
from cx_audit.io.loader import load_journey_text

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
STRUCTURAL = ("CX101", "CX102", "CX103", "CX104", "CX105", "CX106")


def load(result: ImportResult) -> Journey:
    """The imported journey, written as YAML and read back by the loader (which validates)."""
    assert result.problems == [], result.problems
    return load_journey_text(journey_text(result), result.source or "imported.yaml")


def findings(journey: Journey, select: tuple[str, ...] = STRUCTURAL) -> list[tuple[str, str]]:
    """(code, step) of every finding of the selected rules, sorted."""
    audit = audit_journey(journey, Config(select=select))
    return sorted((f.rule, f.step or "") for f in audit.findings)


def by_source(journey: Journey) -> dict[str, list[str]]:
    """Step ids grouped by the source element id they came from."""
    out: dict[str, list[str]] = {}
    for step in journey.steps.values():
        source = step.extensions.get("x-source-id")
        if source is not None:
            out.setdefault(str(source), []).append(step.id)
    return out


def model_graph(journey: Journey) -> nx.DiGraph[str]:
    """The journey's steps and transitions as a networkx graph, read from the model."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(journey.steps)
    graph.add_edges_from((t.source, t.target) for s in journey.steps.values() for t in s.next)
    return graph

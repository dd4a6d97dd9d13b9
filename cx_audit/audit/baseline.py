"""Baselines: record today's findings, and later report only the new ones.

A finding's identity in a baseline is its *baseline key*: the rule, the
journey, the step and the message with every number replaced by ``#``. It
survives lines moving (no positions) and figures drifting (a wait of 11
minutes instead of 10 is the same finding), but a different transition or
loop is a different finding. Keys are counted, so two identical findings
need two entries.

The file is JSON: ``{"cx-audit-baseline": 1, "findings": [{"key", "rule",
"journey", "step", "message"}]}`` sorted for clean diffs in version control.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from cx_audit.core.errors import BaselineError, Problem
from cx_audit.core.findings import Finding
from cx_audit.io.reading import parse_json, read_text

__all__ = ["BaselineError", "baseline_key", "filter_new", "read_baseline", "render_baseline"]

FORMAT = 1
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")



def baseline_key(finding: Finding) -> str:
    """The finding's identity in a baseline (see the module docstring)."""
    message = _NUMBER.sub("#", finding.message)
    raw = "\x1f".join((finding.rule, finding.journey, finding.step or "", message))
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def render_baseline(findings: Iterable[Finding]) -> str:
    """The baseline file's text for ``findings``."""
    entries = sorted(
        ({"key": baseline_key(f), "rule": f.rule, "journey": f.journey, "step": f.step,
          "message": f.message} for f in findings),
        key=lambda e: (e["journey"], e["rule"], e["step"] or "", e["key"]),
    )
    return json.dumps({"cx-audit-baseline": FORMAT, "findings": entries}, indent=2,
                      ensure_ascii=False) + "\n"


def read_baseline(path: Path) -> Counter[str]:
    """The keys recorded in a baseline file, counted. Raises :class:`BaselineError`."""
    name = str(path)
    text = read_text(path, name, error=BaselineError, what="baseline")
    data = parse_json(text, name, error=BaselineError, invalid="not a baseline file")
    if not isinstance(data, dict) or data.get("cx-audit-baseline") != FORMAT or not isinstance(
            data.get("findings"), list):
        raise BaselineError([Problem(name, 1, 1, "not a cx-audit baseline file (version 1); "
                                                 "write one with --write-baseline")])
    keys: Counter[str] = Counter()
    for entry in data["findings"]:
        if isinstance(entry, dict) and isinstance(entry.get("key"), str):
            keys[entry["key"]] += 1
    return keys


def filter_new(findings: Iterable[Finding], known: Counter[str]) -> list[Finding]:
    """The findings not covered by ``known`` (each baseline entry covers one finding)."""
    remaining = Counter(known)
    new = []
    for finding in findings:
        key = baseline_key(finding)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            new.append(finding)
    return new

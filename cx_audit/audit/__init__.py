"""Audit orchestration: configuration, the rule engine, runs over many files, baselines, diffs
and conformance."""

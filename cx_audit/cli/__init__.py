"""The command line: one module per group of commands, all on one typer application.

``cx-audit`` (the console script) and ``python -m cx_audit`` run :func:`main`.
Commands parse their arguments, call the library and write its results;
nothing else in the package writes to the terminal or to files.
"""

from __future__ import annotations

from cx_audit.cli import auditing, authoring, comparing, sources  # noqa: F401  (registration)
from cx_audit.cli.common import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, app, main

__all__ = ["EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "app", "main"]

"""The application object and what every command shares.

Exit codes follow ruff: 0 when all is well, 1 when findings reach the
failure threshold, 2 for bad input, bad configuration, bad usage or an
internal error. Only the command modules write to the terminal or to
files; everything else returns values.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cx_audit import __version__
from cx_audit.core.errors import OutputRefused
from cx_audit.io.files import write_atomic

if TYPE_CHECKING:
    from cx_audit.audit.config import Config
    from cx_audit.core.model import Journey

__all__ = [
    "EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "ConfigOption", "FailOn", "OutputFormat",
    "OutputOption", "Paths", "ViewFormat", "app", "bad_input", "emit", "fail", "load_one",
    "load_settings", "main",
]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

app = typer.Typer(
    name="cx-audit",
    help="Audit customer journeys: count the shield layers between customers and a "
    "resolution, compute what customers really go through, and flag combustion points.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

Paths = Annotated[
    list[Path],
    typer.Argument(help="Journey files, or folders to search for *.yaml and *.yml files."),
]


def _version(value: bool) -> None:
    """``--version``: print the version and stop."""
    if value:
        typer.echo(f"cx-audit {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True,
                           help="Show the version and exit.")
    ] = False,
) -> None:
    """Audit customer journeys written in YAML."""


def fail(message: str) -> typer.Exit:
    """Print ``cx-audit: message`` on stderr; return the exit-2 exception to raise."""
    typer.echo(f"cx-audit: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


class OutputFormat(StrEnum):
    """The formats of ``audit --format`` (the keys of the renderer registry)."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"
    JUNIT = "junit"
    GITLAB = "gitlab"
    MARKDOWN = "markdown"


class ViewFormat(StrEnum):
    """The formats of the ``paths`` and ``diff`` views."""

    TEXT = "text"
    JSON = "json"


class FailOn(StrEnum):
    """The lowest severity that fails the audit."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


def bad_input(problems: Iterable[object]) -> typer.Exit:
    """Print each ``FILE:LINE:COL: message`` on stderr; return the exit-2 exception to raise."""
    for problem in problems:
        typer.echo(str(problem), err=True)
    return typer.Exit(EXIT_ERROR)


def load_settings(path: Path | None) -> Config:
    """The configuration (``--config``, or the nearest one); exit 2 on a bad one."""
    from cx_audit.audit.config import load_config
    from cx_audit.core.errors import ConfigError

    try:
        return load_config(path)
    except ConfigError as exc:
        raise bad_input(exc.problems) from None


def load_one(path: Path) -> Journey:
    """One journey file for the commands that take a single file; exit 2 when it is invalid."""
    from cx_audit.core.errors import JourneyError
    from cx_audit.io.loader import load_journey

    try:
        return load_journey(path)
    except JourneyError as exc:
        raise bad_input(exc.problems) from None


def emit(text: str, output: Path | None, inputs: list[Path]) -> None:
    """Write ``text`` to ``output`` atomically (never over an input), or to stdout."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_atomic(output, text, protected=inputs)
    except OutputRefused as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None


ConfigOption = Annotated[Path | None, typer.Option(
    "--config", help="Configuration file (default: the nearest .cx-audit.toml, or "
    "pyproject.toml with [tool.cx-audit]).", dir_okay=False)]
OutputOption = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Write to this file (replaced atomically) instead of stdout.",
    dir_okay=False)]


def main() -> None:
    """Console-script entry point: run the app, turning crashes into exit 2."""
    from cx_audit.core.errors import LoopTooEntangled

    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except LoopTooEntangled as exc:  # an input beyond the work budget, not a bug
        typer.echo(f"cx-audit: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except Exception as exc:  # a bug: say so briefly, never dump a traceback on users
        if os.environ.get("CX_AUDIT_DEBUG"):
            raise
        typer.echo(f"cx-audit: internal error: {type(exc).__name__}: {exc} "
                   "(set CX_AUDIT_DEBUG=1 for details)", err=True)
        sys.exit(EXIT_ERROR)

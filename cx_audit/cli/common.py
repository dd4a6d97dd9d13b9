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
from cx_audit.renderers import RENDERERS

if TYPE_CHECKING:
    from cx_audit.audit.config import Config
    from cx_audit.core.model import Journey

__all__ = [
    "EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "TEXT_FORMAT", "ConfigOption", "ExtendSelectOption",
    "FailOn", "IgnoreOption", "OutputFormat", "OutputOption", "Paths", "SelectOption",
    "SeverityOption", "ViewFormat", "app", "bad_input", "emit", "fail", "load_one",
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


OutputFormat = StrEnum(  # type: ignore[misc]
    "OutputFormat", {name.upper(): name for name in RENDERERS}, module=__name__)
OutputFormat.__doc__ = """The formats of ``audit --format``: the renderer registry's keys."""
TEXT_FORMAT = OutputFormat("text")
"""The default format, for a person at a terminal (it takes colour and width)."""


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


def load_settings(path: Path | None, select: list[str] | None = None,
                  ignore: list[str] | None = None, extend_select: list[str] | None = None,
                  severity: list[str] | None = None) -> Config:
    """The configuration (``--config``, or the nearest one) with the command line's
    selection and severities on top; exit 2 on a bad one."""
    from cx_audit.audit.config import load_config
    from cx_audit.core.errors import ConfigError
    from cx_audit.core.findings import Severity

    try:
        config = load_config(path)
    except ConfigError as exc:
        raise bad_input(exc.problems) from None
    levels = {}
    for item in severity or ():
        selector, _, level = item.partition("=")
        levels[selector.strip()] = Severity(level.strip().lower())
    return config.with_overrides(select, ignore or (), extend_select or (), levels)


def _selectors(ctx: typer.Context, param: typer.CallbackParam,
               values: list[str] | None) -> list[str] | None:
    """Split comma-separated selectors and check that each names a rule (usage error if not)."""
    if not values:
        return values
    from cx_audit.audit.config import did_you_mean
    from cx_audit.rules import resolve_selector

    selectors = [part.strip() for value in values for part in value.split(",") if part.strip()]
    for selector in selectors:
        if not resolve_selector(selector):
            raise typer.BadParameter(f"'{selector}' names no rule{did_you_mean(selector)}; a "
                                     "selector is a code, a name, a code prefix such as CX3, "
                                     "or ALL")
    return selectors


def _severities(ctx: typer.Context, param: typer.CallbackParam,
                values: list[str] | None) -> list[str] | None:
    """Check each ``CODE=LEVEL`` of ``--severity`` (usage error if one is malformed)."""
    if not values:
        return values
    from cx_audit.audit.config import did_you_mean
    from cx_audit.rules import resolve_selector

    levels = ("error", "warning", "info", "off")
    items = [part.strip() for value in values for part in value.split(",") if part.strip()]
    for item in items:
        selector, equals, level = (part.strip() for part in item.partition("="))
        if not equals or not selector:
            raise typer.BadParameter(f"'{item}' is not CODE=LEVEL, such as CX502=error")
        if not resolve_selector(selector):
            raise typer.BadParameter(f"'{selector}' names no rule{did_you_mean(selector)}")
        if level.lower() not in levels:
            raise typer.BadParameter(f"the level in '{item}' must be error, warning, info or "
                                     "off")
    return items


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
SelectOption = Annotated[list[str] | None, typer.Option(
    "--select", metavar="RULES", callback=_selectors, help="Run only these rules (codes, "
    "names, code prefixes such as CX3, or ALL; comma-separated or repeated), replacing the "
    "configuration's select and ignore.")]
IgnoreOption = Annotated[list[str] | None, typer.Option(
    "--ignore", metavar="RULES", callback=_selectors, help="Do not run these rules (on top of "
    "the configuration; comma-separated or repeated).")]
ExtendSelectOption = Annotated[list[str] | None, typer.Option(
    "--extend-select", metavar="RULES", callback=_selectors, help="Run these rules too, on top "
    "of those selected (comma-separated or repeated).")]
SeverityOption = Annotated[list[str] | None, typer.Option(
    "--severity", metavar="RULE=LEVEL", callback=_severities, help="Set a rule's severity: "
    "error, warning, info or off, over the configuration's (repeatable; RULE may be a code, a "
    "name or a prefix).")]
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

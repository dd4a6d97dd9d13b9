"""The application object and what every command shares.

Exit codes follow ruff: 0 when all is well, 1 when findings reach the
failure threshold, 2 for bad input, bad configuration, bad usage, an
output that cannot be written or an internal error. Only the command
modules write to the terminal or to files; everything else returns values.

Everything the commands print goes through three functions here: messages
through :func:`say` (made printable by :func:`cx_audit.text.safe.printable`,
whatever the format, since they may quote journey text and file names),
problems through :func:`bad_input`, and whole outputs through :func:`emit`
(to a file by :func:`cx_audit.io.files.write_output`, else to stdout, where
a full disk, a closed stdout or an encoding that cannot hold the output
ends the run in :func:`main` with one line and exit 2).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from cx_audit import __version__
from cx_audit.core.errors import OutputRefused, Problem
from cx_audit.io.files import Inputs, check_output, write_output
from cx_audit.renderers import RENDERERS
from cx_audit.text.safe import printable, printable_path, printable_problem

if TYPE_CHECKING:
    from cx_audit.audit.config import Config
    from cx_audit.core.model import Journey

__all__ = [
    "EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "TEXT_FORMAT", "ConfigOption", "ExtendSelectOption",
    "FailOn", "IgnoreOption", "OutputFormat", "OutputOption", "Paths", "SelectOption",
    "SeverityOption", "ViewFormat", "app", "bad_input", "check_target", "emit", "fail",
    "journey_inputs",
    "load_one", "load_settings", "main", "problem_line", "say", "say_missing",
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


class _StdoutFailed(Exception):
    """Standard output cannot take the output; the message says why (exit 2)."""


class _StdoutGone(Exception):
    """The reader of standard output has gone (``| head``): stop quietly."""


def _write_stdout(text: str) -> None:
    """Write ``text`` to stdout and flush it, turning a failure into one of the two above."""
    stream = sys.stdout
    if stream is None:  # started with stdout closed
        raise _StdoutFailed("cannot write the output: standard output is closed")
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        raise _StdoutGone from None
    except UnicodeEncodeError as exc:
        shown = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(exc.object[exc.start:exc.end]))
        raise _StdoutFailed(
            f"cannot write the output: standard output takes {exc.encoding}, which cannot hold "
            f"{shown}; set PYTHONIOENCODING=utf-8 or write to a file with --output") from None
    except OSError as exc:
        raise _StdoutFailed(f"cannot write the output to standard output: "
                            f"{exc.strerror or exc}") from None


def say(message: str, *, err: bool = True) -> None:
    """Print one line of ``message``, made printable, on stderr (or stdout).

    Every message goes through here, whatever the output format: they
    quote journey text and file names, which must neither drive the
    terminal nor start a line that CI reads as a command.
    """
    line = printable(message) + "\n"
    if err:
        typer.echo(line, err=True, nl=False)  # nothing at all when stderr is closed
    else:
        _write_stdout(line)


def problem_line(problem: Problem) -> str:
    """``FILE:LINE:COL: message``, the file name and the message made printable."""
    return printable_problem(problem.file, problem.line, problem.column, problem.message)


def say_missing(paths: Iterable[str]) -> None:
    """``PATH: no such file or folder`` on stderr for each path that does not exist."""
    for path in paths:
        say(f"{printable_path(path)}: no such file or folder")


def fail(message: str) -> typer.Exit:
    """Print ``cx-audit: message`` on stderr; return the exit-2 exception to raise."""
    say(f"cx-audit: {message}")
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


def show_problems(problems: Iterable[Problem], *, err: bool = True) -> None:
    """Print each problem as ``FILE:LINE:COL: message`` on stderr (or stdout), in order."""
    for problem in sorted(problems):
        say(problem_line(problem), err=err)


def bad_input(problems: Iterable[Problem]) -> typer.Exit:
    """Print each ``FILE:LINE:COL: message`` on stderr; return the exit-2 exception to raise."""
    show_problems(problems)
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


def journey_inputs(journeys: Iterable[str | os.PathLike[str]], settings: Config | None = None,
                   **others: Path | str | None) -> Inputs:
    """A command's inputs for :func:`emit`: its journeys, the configuration it read, and the
    files named by ``others`` (what each is -> its path, ``None`` when not given)."""
    inputs: dict[str, Sequence[str | os.PathLike[str]]] = {
        "one of the input journeys": list(journeys)}
    if settings is not None and settings.source is not None:
        inputs["the configuration this command reads"] = [settings.source]
    for what, path in others.items():
        if path is not None:
            inputs[f"the {what.replace('_', ' ')} this command reads"] = [path]
    return inputs


def check_target(output: str | os.PathLike[str] | None, inputs: Inputs | None = None, *,
                 replace: bool = True) -> None:
    """Refuse a bad output target before the work starts (exit 2, one line).

    :func:`emit` checks again when it writes: the target may change meanwhile.
    """
    if output is None:
        return
    try:
        check_output(output, inputs=inputs, replace=replace)
    except OutputRefused as exc:
        raise fail(str(exc)) from None


def emit(text: str, output: str | os.PathLike[str] | None, inputs: Inputs | None = None, *,
         replace: bool = True) -> None:
    """Write ``text`` to ``output`` in one step (never over an input), or to stdout.

    With ``replace`` false an existing ``output`` is refused. Every file the
    command line writes goes through here, and so through
    :func:`cx_audit.io.files.write_output`.
    """
    if output is None:
        _write_stdout(text)
        return
    try:
        write_output(output, text, inputs=inputs, replace=replace)
    except OutputRefused as exc:
        raise fail(str(exc)) from None


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
OutputOption = Annotated[str | None, typer.Option(
    "--output", "-o", metavar="<file>",
    help="Write to this file (replaced atomically) instead of stdout.")]


def main() -> None:
    """Console-script entry point: run the app, turning crashes into exit 2."""
    from cx_audit.core.errors import LoopTooEntangled

    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except _StdoutGone:  # the reader stopped early: nothing to say, and nothing more to write
        _silence_stdout()
        sys.exit(EXIT_ERROR)
    except _StdoutFailed as exc:
        say(f"cx-audit: {exc}")
        _silence_stdout()
        sys.exit(EXIT_ERROR)
    except LoopTooEntangled as exc:  # an input beyond the work budget, not a bug
        say(f"cx-audit: {exc}")
        sys.exit(EXIT_ERROR)
    except OSError as exc:
        if exc.filename is not None or exc.errno not in _STREAM_ERRORS:
            _internal_error(exc)
        # a stream failed outside the commands' own writes (typer printing --help)
        say(f"cx-audit: cannot write the output: {exc.strerror or exc}")
        _silence_stdout()
        sys.exit(EXIT_ERROR)
    except Exception as exc:  # a bug: say so briefly, never dump a traceback on users
        _internal_error(exc)


_STREAM_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EBADF})
"""What writing to a full, failing or closed standard stream raises."""


def _internal_error(exc: Exception) -> NoReturn:
    """Say briefly that cx-audit failed (the traceback with ``CX_AUDIT_DEBUG``) and exit 2."""
    if os.environ.get("CX_AUDIT_DEBUG"):
        raise exc
    say(f"cx-audit: internal error: {type(exc).__name__}: {exc} "
        "(set CX_AUDIT_DEBUG=1 for details)")
    sys.exit(EXIT_ERROR)


def _silence_stdout() -> None:
    """Point stdout at the null device, so that flushing it at exit cannot fail again."""
    stream = sys.stdout
    if stream is None:
        return
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)

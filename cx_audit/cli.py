"""The command-line interface: parse arguments, call the library, write, exit.

Exit codes follow ruff: 0 when all is well, 1 when findings reach the
failure threshold, 2 for bad input, bad configuration, bad usage or an
internal error. Only this module writes to the terminal or to files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from cx_audit import __version__
from cx_audit.collection import load_paths
from cx_audit.files import OutputRefused, write_new
from cx_audit.schema import schema_json
from cx_audit.starter import starter_journey, starter_target

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


def _fail(message: str) -> typer.Exit:
    typer.echo(f"cx-audit: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


@app.command()
def validate(paths: Paths) -> None:
    """Check journey files against the format; exit 0 when all are valid, 2 otherwise."""
    loaded = load_paths(paths)
    for missing in loaded.missing:
        typer.echo(f"{missing}: no such file or folder", err=True)
    for problem in sorted(loaded.problems):
        typer.echo(str(problem))
    count = len(loaded.files)
    if not loaded.files and not loaded.missing:
        raise _fail("no journey files (*.yaml, *.yml) found")
    if loaded.problems:
        n = len(loaded.problems)
        typer.echo(f"Found {n} problem{'s' * (n != 1)} in {loaded.files_with_problems} of "
                   f"{count} file{'s' * (count != 1)}.")
    elif not loaded.missing:
        typer.echo(f"{count} file{'s' * (count != 1)} checked: all valid.")
    if loaded.problems or loaded.missing:
        raise typer.Exit(EXIT_ERROR)


@app.command()
def schema() -> None:
    """Print the JSON Schema (draft-07) of the journey format, for editors."""
    sys.stdout.write(schema_json())


@app.command()
def init(
    name: Annotated[str, typer.Argument(help="A journey id (written to ID.yaml) or a file path "
                                        "ending in .yaml.")],
) -> None:
    """Write a commented starter journey; an existing file is never overwritten."""
    journey_id, target = starter_target(name)
    try:
        write_new(target, starter_journey(journey_id, target.name))
    except OutputRefused as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write {target}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {target}. Check it with: cx-audit validate {target}")


def main() -> None:
    """Console-script entry point: run the app, turning crashes into exit 2."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # a bug: say so briefly, never dump a traceback on users
        if os.environ.get("CX_AUDIT_DEBUG"):
            raise
        typer.echo(f"cx-audit: internal error: {type(exc).__name__}: {exc} "
                   "(set CX_AUDIT_DEBUG=1 for details)", err=True)
        sys.exit(EXIT_ERROR)

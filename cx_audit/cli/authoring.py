"""Commands for writing journeys: validate, schema, init, rules, explain."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cx_audit.audit.collection import load_paths
from cx_audit.cli.common import (
    EXIT_ERROR,
    Paths,
    app,
    fail,
)
from cx_audit.core.errors import OutputRefused
from cx_audit.io.files import write_new
from cx_audit.io.schema import schema_json
from cx_audit.io.starter import starter_journey, starter_target


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
        raise fail("no journey files (*.yaml, *.yml) found")
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
    try:
        journey_id, target = starter_target(name)
    except ValueError as exc:
        raise fail(str(exc)) from None
    try:
        write_new(target, starter_journey(journey_id, target.name))
    except OutputRefused as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write {target}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {target}. Check it with: cx-audit validate {target}")


@app.command()
def rules() -> None:
    """List the rule catalogue: codes, names, default severities and options."""
    from cx_audit.renderers.rule_docs import render_rule_list

    sys.stdout.write(render_rule_list())


@app.command()
def explain(
    rule: Annotated[str, typer.Argument(help="A rule code (CX301) or name (cold-handoff).")],
) -> None:
    """Print one rule's documentation."""
    from cx_audit.renderers.rule_docs import render_rule_doc
    from cx_audit.rules import get

    try:
        found = get(rule)
    except KeyError:
        raise fail(f"no rule '{rule}': `cx-audit rules` lists them") from None
    sys.stdout.write(render_rule_doc(found))

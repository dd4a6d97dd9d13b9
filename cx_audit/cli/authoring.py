"""Commands for writing journeys: validate, schema, init, rules, explain."""

from __future__ import annotations

from typing import Annotated

import typer

from cx_audit.audit.collection import load_paths
from cx_audit.cli.common import (
    EXIT_ERROR,
    Paths,
    app,
    emit,
    fail,
    say,
    say_missing,
    show_problems,
)
from cx_audit.io.schema import schema_json
from cx_audit.io.starter import starter_journey, starter_target
from cx_audit.text.safe import printable_path


@app.command()
def validate(paths: Paths) -> None:
    """Check journey files against the format; exit 0 when all are valid, 2 otherwise."""
    loaded = load_paths(paths)
    say_missing(loaded.missing)
    show_problems(loaded.problems, err=False)
    count = len(loaded.files)
    if not loaded.files and not loaded.missing:
        raise fail("no journey files (*.yaml, *.yml) found")
    if loaded.problems:
        n = len(loaded.problems)
        say(f"Found {n} problem{'s' * (n != 1)} in {loaded.files_with_problems} of "
            f"{count} file{'s' * (count != 1)}.", err=False)
    elif not loaded.missing:
        say(f"{count} file{'s' * (count != 1)} checked: all valid.", err=False)
    if loaded.problems or loaded.missing:
        raise typer.Exit(EXIT_ERROR)


@app.command()
def schema() -> None:
    """Print the JSON Schema (draft-07) of the journey format, for editors."""
    emit(schema_json(), None)


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
    emit(starter_journey(journey_id, target.name), target, replace=False)
    shown = printable_path(target)
    say(f"Wrote {shown}. Check it with: cx-audit validate {shown}", err=False)


@app.command()
def rules() -> None:
    """List the rule catalogue: codes, names, default severities and options."""
    from cx_audit.renderers.rule_docs import render_rule_list

    emit(render_rule_list(), None)


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
    emit(render_rule_doc(found), None)

"""The terminal view at 80 and 200 columns: nothing past the width, no word broken,
errors first, the summary's legend; and labels shown literally."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent

import pytest
from conftest import JOURNEYS, PINNED, ROOT
from rich.cells import cell_len

from cx_audit.audit.engine import JourneyAudit
from cx_audit.audit.run import AuditRun, run_audit
from cx_audit.core.findings import Finding
from cx_audit.renderers.terminal import render_terminal
from cx_audit.text.formatting import percent
from cx_audit.text.safe import printable

from .shared import HOSTILE_FILE

WIDTHS = (80, 200)
FINDING = re.compile(r"^  (\d+):(\d+) +(error|warning|info) +(\S+)  (.*)$")
RANK = {"error": 3, "warning": 2, "info": 1}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def journeys_run() -> Iterator[AuditRun[JourneyAudit]]:
    """Every example journey, audited from the checkout so that paths read ``journeys/...``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        yield run_audit([JOURNEYS.relative_to(ROOT)], PINNED)


@pytest.fixture(scope="module")
def rendered(journeys_run: AuditRun[JourneyAudit]) -> dict[int, str]:
    return {width: render_terminal(journeys_run, width=width) for width in WIDTHS}


def sections(text: str, run: AuditRun[JourneyAudit]) -> dict[str, list[str]]:
    """Each journey's lines, from its heading (its file's line) to the next heading."""
    lines = text.splitlines()
    starts = {}
    for audit in (a for a in run.audits if a.findings):  # a journey without any has none
        file = printable(audit.journey.file)
        starts[file] = next(i for i, line in enumerate(lines) if line.startswith(file))
    order = [*sorted(starts.items(), key=lambda item: item[1]), ("", len(lines))]
    return {file: lines[start:order[n + 1][1]] for n, (file, start) in enumerate(order[:-1])}


def finding_blocks(lines: list[str]) -> list[tuple[re.Match[str], list[str]]]:
    """Each finding's first line and the lines that continue its message.

    Its route or loop (a line ``        route: ...`` and the lines under it)
    comes after the message and belongs to neither.
    """
    blocks: list[tuple[re.Match[str], list[str]]] = []
    in_evidence = False
    for line in lines:
        match = FINDING.match(line)
        if match:
            blocks.append((match, []))
            in_evidence = False
        elif blocks and re.match(r" {8}(route|loop): ", line):
            in_evidence = True
        elif blocks and line.startswith(" " * 11):
            if not in_evidence:
                blocks[-1][1].append(line)
        elif blocks:
            break
    return blocks


def test_every_example_journey_is_audited(journeys_run: AuditRun[JourneyAudit]) -> None:
    """The tests below read each journey's findings: most examples have some."""
    assert len(journeys_run.audits) == len(list(JOURNEYS.glob("*.yaml")))
    assert not journeys_run.problems
    assert sum(1 for audit in journeys_run.audits if audit.findings) >= 5


@pytest.mark.parametrize("width", WIDTHS)
def test_no_line_is_wider_than_the_console(rendered: dict[int, str], width: int) -> None:
    too_wide = [line for line in rendered[width].splitlines() if cell_len(line) > width]
    assert too_wide == []


@pytest.mark.parametrize("width", WIDTHS)
def test_every_word_of_every_message_is_shown_whole(
        journeys_run: AuditRun[JourneyAudit], rendered: dict[int, str], width: int) -> None:
    shown = set(rendered[width].split())
    for audit in journeys_run.audits:
        for finding in audit.findings:
            missing = [w for w in printable(finding.message).split() if w not in shown]
            assert missing == [], (finding.rule, finding.message)


@pytest.mark.parametrize("width", WIDTHS)
def test_each_finding_reads_back_whole_from_its_lines(
        journeys_run: AuditRun[JourneyAudit], rendered: dict[int, str], width: int) -> None:
    """Its first line starts with LINE:COL; its message, lines joined, is the message."""
    for file, lines in sections(rendered[width], journeys_run).items():
        (audit,) = [a for a in journeys_run.audits if printable(a.journey.file) == file]
        blocks = finding_blocks(lines)
        assert len(blocks) == len(audit.findings)
        expected = {(f.line, f.column, f.rule, " ".join(printable(f.message).split()))
                    for f in audit.findings}
        read = set()
        for match, more in blocks:
            start = match.start(5)
            assert all(line[:start].isspace() for line in more), "not hung under the message"
            message = " ".join([match.group(5), *(line.strip() for line in more)])
            read.add((int(match.group(1)), int(match.group(2)), match.group(4), message))
        assert read == expected


@pytest.mark.parametrize("width", WIDTHS)
def test_errors_come_first_then_warnings_then_info_each_in_file_order(
        journeys_run: AuditRun[JourneyAudit], rendered: dict[int, str], width: int) -> None:
    for lines in sections(rendered[width], journeys_run).values():
        shown = [(RANK[m.group(3)], int(m.group(1)), int(m.group(2)))
                 for m, _ in finding_blocks(lines)]
        assert shown == sorted(shown, key=lambda s: (-s[0], s[1], s[2]))
        assert shown[0][0] == max(rank for rank, _, _ in shown)


def test_a_finding_that_fits_at_200_columns_is_one_line(
        journeys_run: AuditRun[JourneyAudit], rendered: dict[int, str]) -> None:
    lines = rendered[200].splitlines()
    fitting = [f for a in journeys_run.audits for f in a.findings if len(whole_line(f)) <= 200]
    assert fitting  # the examples have such findings, else this would test nothing
    for finding in fitting:
        assert whole_line(finding) in lines


def whole_line(finding: Finding) -> str:
    return (f"  {finding.line}:{finding.column}".ljust(10) + f"{finding.severity.value:<8}"
            f"{finding.rule}  {printable(finding.message)}")


def test_at_80_columns_findings_wrap_and_at_200_fewer_do(rendered: dict[int, str]) -> None:
    def continued(text: str) -> int:
        return sum(1 for line in text.splitlines() if line.startswith(" " * 25)
                   and not line.startswith(" " * 26))
    assert continued(rendered[80]) > continued(rendered[200])


@pytest.mark.parametrize("width", WIDTHS)
def test_the_summary_shows_whole_headers_and_a_legend(
        journeys_run: AuditRun[JourneyAudit], rendered: dict[int, str], width: int) -> None:
    summary = rendered[width].split("\n\n")[0]
    words = summary.split()
    for header in ("journey", "shields", "resolved", "gave", "up", "first", "time", "wait",
                   "E", "W", "I"):
        assert header in words
    flat = " ".join(words)
    for legend in ("E/W/I: errors/warnings/info", "∞: no limit (a loop on a route)",
                   "-: no route", "gave up: customers who abandon"):
        assert legend in flat
    if width == 200:
        assert "…" not in summary  # every id fits whole


@pytest.mark.parametrize("width", WIDTHS)
def test_journey_ids_stay_on_one_line_whole_or_shortened(
        journeys_run: AuditRun[JourneyAudit], rendered: dict[int, str], width: int) -> None:
    rows = rendered[width].split("\n\n")[0].splitlines()
    for audit in journeys_run.audits:
        journey = audit.journey.id
        (row,) = [r for r in rows if r.split()[0] == journey
                  or (r.split()[0].endswith("…") and journey.startswith(r.split()[0][:-1]))]
        assert width == 80 or row.split()[0] == journey


def test_the_gave_up_column_is_the_abandon_share_and_the_rest_is_noted(
        journeys_run: AuditRun[JourneyAudit], rendered: dict[int, str]) -> None:
    lines = rendered[200].splitlines()
    header = lines[1].split()
    column = header.index("gave")  # the words before it are one column each, as in a row
    noted = 0
    for audit in journeys_run.audits:
        m = audit.analysis.metrics
        (row,) = [line.split() for line in lines[3:] if line.split()[:1] == [audit.journey.id]]
        assert row[column] == percent(m.p_abandon)
        note = [line for line in lines if line.startswith(f"{audit.journey.id}: ")]
        if percent(m.p_stranded) != "0%":
            noted += 1
            assert note and f"{percent(m.p_stranded)} are stranded" in note[0]
        else:
            assert note == []
    assert noted  # motor-insurance-claim strands customers at its write-off letter


LONG = dedent("""\
    journey: {id}
    title: 申請の払い戻し、とても長い題名がここに続きます、そしてさらに続きます、終わりはまだです
    owner: care
    steps:
      call:
        kind: entry
        label: 電話をかける、とても長いラベルがここに続きます、そしてさらに続きます
        next: [{step}]
      {step}:
        actor: frontline
        can_resolve: false
        abandon: 0.3
        next:
          - {{to: done, handoff: cold}}
      done:
        kind: resolution
    """)
LONG_ID = "a-journey-whose-identifier-is-far-longer-than-any-summary-column-can-hold"
LONG_STEP = ("a-step-whose-identifier-is-longer-than-a-whole-line-of-an-eighty-column-"
             "terminal-so-it-must-be-cut")


def test_a_long_id_is_shortened_with_an_ellipsis_and_wide_text_fits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("long.yaml").write_text(LONG.format(id=LONG_ID, step=LONG_STEP), encoding="utf-8")
    run = run_audit(["long.yaml"], PINNED)
    assert run.audits and run.audits[0].findings
    text = render_terminal(run, width=80)
    lines = text.splitlines()
    assert [line for line in lines if cell_len(line) > 80] == []
    (row,) = [line for line in lines if line.startswith(LONG_ID[:10])]
    shortened = row.split()[0]
    assert shortened.endswith("…") and LONG_ID.startswith(shortened[:-1])
    assert LONG_ID not in text.split("\n\n")[0]
    # a title of wide characters wraps by cells, under the file's own line
    assert "long.yaml" in lines and any(line.startswith("  申請") for line in lines)
    # the only word ever cut is one wider than a line: the step id, under its finding
    assert LONG_STEP not in text and LONG_STEP[:40] in text


def test_at_60_columns_the_summary_is_a_list_with_nothing_cut(
        journeys_run: AuditRun[JourneyAudit]) -> None:
    text = render_terminal(journeys_run, width=60)
    assert [line for line in text.splitlines() if cell_len(line) > 60] == []
    summary = text.split("\n\n")[0]
    for audit in journeys_run.audits:
        assert audit.journey.id in summary.splitlines()
    assert "gave up" in summary and "first time" in summary and "…" not in summary


@pytest.mark.parametrize("color", [False, True])
def test_hostile_labels_stay_inert_when_wrapped(hostile_run: AuditRun[JourneyAudit],
                                                color: bool) -> None:
    text = render_terminal(hostile_run, color=color, width=80)
    plain = ANSI.sub("", text)
    assert "\x1b" not in plain  # every escape left is one of the view's own styles
    assert "\r" not in text and "[red]bold[/red]" in plain and "\\x1b[31mred\\x1b[0m" in plain
    assert HOSTILE_FILE in plain.splitlines()  # too long beside its title: a line of its own
    problems = {printable(str(problem)) for problem in hostile_run.problems}
    assert problems  # one line each, never wrapped, the only lines allowed past the width
    assert problems <= set(plain.splitlines())
    assert [line for line in plain.splitlines()
            if cell_len(line) > 80 and line not in problems] == []


def test_the_places_that_matter_most_across_journeys_come_before_the_journeys() -> None:
    """With several journeys, the points that lose most customers across them, each with
    its best fix, stand under the summary: a consultant reads where to start first."""
    from cx_audit.audit.points import combustion_points
    from cx_audit.renderers.report_content import top_points

    run = run_audit([JOURNEYS], PINNED)
    text = render_terminal(run, width=80)
    head, _, rest = text.partition("The places that matter most")
    assert rest and "journeys/airline" not in head  # above every journey's section
    block = rest.split("\n\n")[0]
    top = top_points([combustion_points(a) for a in run.audits], 5)
    for number, item in enumerate(top, start=1):
        journey = run.audits[item.journey].journey.id
        assert f"{number}. " in block and f"At {item.point.step} in {journey}:" in " ".join(
            block.split())
    assert " ".join(block.split()).count("fix first:") == sum(
        1 for item in top if item.lever is not None)
    single = run_audit([JOURNEYS / "telecom-billing-dispute.yaml"], PINNED)
    assert "The places that matter most" not in render_terminal(single, width=80)

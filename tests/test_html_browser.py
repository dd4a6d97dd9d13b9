"""The HTML report of journeys/ in a real browser: it loads, shows every picture, prints well.

Runs Debian's headless Chromium (``.ci/run`` installs it when it can); the
test is skipped, saying why, where no Chromium is found. Screenshots and
the printed PDF are kept in ``build/test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT

from cx_audit.audit.config import Config
from cx_audit.audit.run import run_audit
from cx_audit.renderers import render_audits
from cx_audit.renderers.report_content import urgency

pytestmark = pytest.mark.slow

ARTIFACTS = Path(os.environ.get("CX_AUDIT_ARTIFACTS", ROOT / "build" / "test-artifacts"))
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
PAGES_PER_JOURNEY = 4
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", "--no-default-browser-check", "--virtual-time-budget=5000"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The report's page and its journeys' titles, in report order."""
    if BROWSER is None:
        pytest.skip("no Chromium here (install Debian's chromium package to run this test)")
    folder = tmp_path_factory.mktemp("html")
    run = run_audit([ROOT / "journeys"], Config())
    page = folder / "report.html"
    page.write_text(render_audits("html", run), encoding="utf-8")
    return page, [a.journey.title for a in sorted(run.audits, key=urgency)]


def _chromium(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    home = ARTIFACTS / ".chromium-home"
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={home}", *args],
                          capture_output=True, text=True, timeout=timeout, check=False)


class _Sections(HTMLParser):
    """Counts, per journey section of a DOM, the pictures it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[dict[str, int]] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "section" and "journey" in classes:
            self.sections.append({"svg": 0, "figure": 0})
        elif self.sections and tag in ("svg", "figure"):
            self.sections[-1][tag] += 1


def test_the_page_loads_without_errors_and_shows_every_picture(
        report: tuple[Path, list[str]]) -> None:
    page, titles = report
    result = _chromium("--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines()
               if "CONSOLE" in line or "Failed to load resource" in line
               or "Refused to" in line]
    assert console == []
    parser = _Sections()
    parser.feed(result.stdout)
    assert len(parser.sections) == len(titles)
    for counts in parser.sections:
        # the diagram and where customers end, at least; the emotional curve where drawn
        assert counts["figure"] >= 2 and counts["svg"] >= counts["figure"], counts
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, height in (("report-top.png", 1600), ("report-long.png", 9000)):
        shot = ARTIFACTS / name
        _chromium(f"--window-size=1100,{height}", f"--screenshot={shot}", page.as_uri())
        assert shot.stat().st_size > 10_000


def test_printed_the_summary_is_page_one_and_each_journey_fits_four_pages(
        report: tuple[Path, list[str]]) -> None:
    pypdf = pytest.importorskip("pypdf")
    page, titles = report
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "report.pdf"
    result = _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert result.returncode == 0 and pdf.exists(), result.stderr[-2000:]
    texts = [p.extract_text() or "" for p in pypdf.PdfReader(pdf).pages]
    assert "Executive summary" in texts[0] and "The places that matter most" in texts[0]
    flat = [" ".join(text.split()) for text in texts]
    starts = []
    for number, title in enumerate(titles, start=1):
        heading = f"{number}. {' '.join(title.split())[:30]}"
        starts.append(next(i for i, text in enumerate(flat) if i > 0 and heading in text))
    assert starts[0] == 1  # the first journey starts on page 2: the summary fits page 1
    appendix = next(i for i, text in enumerate(texts) if "How to read this report" in text)
    ends = [*starts[1:], appendix]
    lengths = [end - start for start, end in zip(starts, ends, strict=True)]
    assert max(lengths) <= PAGES_PER_JOURNEY, lengths

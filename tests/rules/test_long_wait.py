"""What CX502 (long-wait) says: the limit that applied, and why.

The fixture folder checks where the findings sit; these tests check the
messages and the option that sets the asynchronous limit.
"""

from __future__ import annotations

from pathlib import Path

from cx_audit.audit.config import Config
from cx_audit.audit.engine import audit_journey
from cx_audit.core.findings import Finding
from cx_audit.io.loader import load_journey_text
from cx_audit.rules import RULES

HERE = Path(__file__).resolve().parent


def _findings(text: str, code: str, **options: float) -> list[Finding]:
    journey = load_journey_text(text)
    return audit_journey(journey, Config(select=(code,), options=options)).findings


WAITS = """
journey: waits
steps:
  call: {kind: entry, channel: phone, next: [queue]}
  queue: {channel: phone, shield: queue, wait: 4.5m, next: [letter]}
  letter: {channel: mail, wait: 21d, next: [web]}
  web: {channel: web, wait: 10m, next: [reply]}
  reply: {channel: email, wait: 1d, next: [done]}
  done: {kind: resolution}
"""


def test_long_wait_defaults_follow_the_catalogue() -> None:
    options = RULES["CX502"].options
    assert options["max_wait"].default == 3.0
    assert options["max_async_wait"].default == 2 * 24 * 60


def test_long_wait_messages_say_which_limit_applied() -> None:
    messages = {f.step: f.message for f in _findings(WAITS, "CX502")}
    assert messages == {
        "queue": "A live wait of 4.5 min at step 'queue' (more than 3 min; channel 'phone')",
        "letter": ("Customers wait 21 d at step 'letter' (more than 2 d for an asynchronous "
                   "wait; channel 'mail')"),
        "web": ("A wait of 10 min at step 'web' (more than 3 min, the limit for a live wait: "
                "nothing marks it asynchronous)"),
    }


def test_long_wait_evidence_names_the_kind_and_the_limit() -> None:
    metrics = {f.step: f.evidence.metrics for f in _findings(WAITS, "CX502")}
    assert metrics["queue"]["wait_kind"] == "live"
    assert metrics["queue"]["max_wait"] == 3.0
    assert metrics["letter"]["wait_kind"] == "asynchronous"
    assert metrics["letter"]["max_wait"] == 2880.0


def test_each_limit_is_set_by_its_own_option() -> None:
    tighter = {f.step for f in _findings(WAITS, "CX502", max_async_wait=12 * 60.0)}
    assert tighter == {"queue", "letter", "web", "reply"}
    looser = {f.step for f in _findings(WAITS, "CX502", max_wait=5.0)}
    assert looser == {"letter", "web"}


def test_an_erlang_wait_says_it_was_computed() -> None:
    (finding,) = _findings((HERE / "long_wait" / "invalid_erlang_wait_is_live.yaml")
                           .read_text("utf-8"), "CX502")
    assert finding.message.startswith("A live wait of 6.")
    assert "(Erlang C) at step 'tickets'" in finding.message
    assert finding.message.endswith("; a staffed queue)")

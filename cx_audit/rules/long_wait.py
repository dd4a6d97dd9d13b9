"""## What it does
Flags a step where the customer waits longer than the limit for its kind of
wait: `max_wait` for a LIVE wait, where the customer is held (on the line,
in the chat, at the counter) until it ends, and `max_async_wait` for an
ASYNCHRONOUS wait, where the customer is let go while the matter moves on
(an e-mail, a letter, an approval, a callback, the back office). The wait is
the step's `wait`, or, for a queue with `staffing` and no `wait`, the
average wait that the Erlang C formula gives. The message says which limit
applied and why. The first test that applies classifies the wait:
1. the step has `staffing`: live;
2. shield kind `hold`: live; `callback`, `appointment` or `booking`:
   asynchronous;
3. a live channel (a call, a chat, being there in person): live; an
   asynchronous one (e-mail, mail, letter, SMS, portal, form): asynchronous;
4. shield kind `approval`: asynchronous;
5. actor `backoffice`: asynchronous;
6. shield kind `queue`: live;
7. anything else: live.

## Why it matters
Waiting on hold is where patience runs out: about 60% of customers find one
minute on hold too long (Velaro survey), abandonment peaks near 60 seconds
(Brown et al., JASA, 2005), and callers give up after about three minutes
on hold (TSIA). A wait for a letter or a decision is measured in days:
holding it to the limit of a phone queue would flag every such step and
bury the holds that matter. Published figures for how long customers
accept an asynchronous wait are thin, so its two-day default is a
judgement call.

The order of the tests follows what each field says. Staffing is a queue
model of customers held until an agent is free, and a hold or a callback
says by itself whether the customer stays. The channel comes next because
it says how the customer is in touch during the step: a back-office check
while the caller holds on the phone is a live wait, and an unstaffed queue
of e-mails is not. When nothing decides, the live limit applies because it is
the safer mistake: a wait wrongly judged live adds a finding for a person
to dismiss (with an `ignore` on the step), while a hold wrongly judged
asynchronous would hide anything up to `max_async_wait`.

## Example
```yaml
  hold: {channel: phone, shield: queue, wait: 12m, next: [agent]}
  decision: {channel: mail, actor: backoffice, wait: 10d, next: [done]}
```

## Use instead
```yaml
  hold: {channel: phone, shield: queue, wait: 2m, next: [agent, callback]}
  decision: {channel: email, actor: backoffice, wait: 1d, next: [done]}
```

## Options
- `max_wait` (default 3 minutes, the TSIA figure): the longest acceptable
  live wait at one step; a number of minutes or a duration such as `90s`.
- `max_async_wait` (default 2 days, that is 2880 minutes, a judgement
  call): the longest acceptable asynchronous wait at one step; a number of
  minutes or a duration such as `36h`.

The words that classify a wait are fixed. A channel is read as lower-case
words, so `Live Chat`, `in-person` and `parcel-shop` all match, and a
channel that names both kinds counts as live. Live channels: `phone`,
`telephone`, `call`, `voice`, `ivr`, `hotline`, `helpline`, `chat`,
`livechat`, `messaging`, `messenger`, `video`, and the places where the
customer is present: `in person`, `face to face`, `store`, `shop`, `branch`,
`counter`, `kiosk`, `reception`, `venue`, `on site`, `onsite`, `park`,
`airport`, `station`, `clinic`, `hospital`. Asynchronous channels: `email`,
`e-mail`, `mail`, `post`, `postal`, `letter`, `sms`, `text`, `fax`,
`voicemail`, `portal`, `form`, `webform`, `ticket`, `callback`. A channel
such as `web`, `app` or `social` says neither, and the tests go on. Shield
kinds are read as words too (`manager approval` is an approval).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.analysis.erlang import step_wait
from cx_audit.core.findings import Candidate, Severity
from cx_audit.core.model import Actor, Step
from cx_audit.rules.base import Option, RuleContext
from cx_audit.text.formatting import human_duration

CODE = "CX502"
NAME = "long-wait"
SUMMARY = "A step where the customer waits too long"
SEVERITY = Severity.WARNING
ADVICE = ("Shorten the wait: staff to the demand, offer a callback, answer or decide sooner, "
          "or tell customers how long it will take.")
OPTIONS = {
    "max_wait": Option("duration", 3.0, "longest acceptable live wait at a step (minutes)"),
    "max_async_wait": Option("duration", 2 * 24 * 60.0,
                             "longest acceptable asynchronous wait at a step (minutes)"),
}

LIVE = "live"
ASYNC = "asynchronous"
UNMARKED = "nothing marks it asynchronous"
"""Why a wait that no field classifies is judged live."""

_LIVE_SHIELDS = ("hold",)
_RELEASING_SHIELDS = ("callback", "call back", "appointment", "booking")
_LIVE_CHANNELS = (
    "phone", "telephone", "call", "voice", "ivr", "hotline", "helpline",
    "chat", "livechat", "messaging", "messenger", "video",
    "in person", "face to face", "store", "shop", "branch", "counter", "kiosk", "reception",
    "venue", "on site", "onsite", "park", "airport", "station", "clinic", "hospital",
)
_ASYNC_CHANNELS = (
    "email", "mail", "post", "postal", "letter", "sms", "text", "fax", "voicemail",
    "portal", "form", "webform", "ticket", "callback",
)


def _words(text: str) -> str:
    """``text`` as lower-case words between single spaces, padded: `` in person ``."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def _names(words: str, vocabulary: tuple[str, ...]) -> bool:
    """True when one of ``vocabulary`` (words or phrases) occurs in ``words``."""
    return any(f" {term} " in words for term in vocabulary)


def wait_kind(step: Step) -> tuple[str, str]:
    """Classify the wait at ``step``: (``"live"`` or ``"asynchronous"``, why, for a message).

    The order of the tests is the one the module docstring gives.

    >>> from cx_audit.io.loader import load_journey_text
    >>> journey = load_journey_text('''
    ... journey: kinds
    ... steps:
    ...   call: {kind: entry, channel: Phone, actor: backoffice, next: [letter]}
    ...   letter: {channel: e-mail, shield: queue, next: [later]}
    ...   later: {shield: callback, channel: phone, next: [desk]}
    ...   desk: {channel: app, next: [done]}
    ...   done: {kind: resolution}
    ... ''')
    >>> for step in list(journey.steps.values())[:4]:
    ...     print(*wait_kind(step), sep=": ")
    live: channel 'Phone'
    asynchronous: channel 'e-mail'
    asynchronous: shield 'callback'
    live: nothing marks it asynchronous
    """
    if step.staffing is not None:
        return LIVE, "a staffed queue"
    shield = _words(step.shield or "")
    if _names(shield, _LIVE_SHIELDS):
        return LIVE, f"shield '{step.shield}'"
    if _names(shield, _RELEASING_SHIELDS):
        return ASYNC, f"shield '{step.shield}'"
    channel = _words(step.channel or "")
    if _names(channel, _LIVE_CHANNELS):
        return LIVE, f"channel '{step.channel}'"
    if _names(channel, _ASYNC_CHANNELS):
        return ASYNC, f"channel '{step.channel}'"
    if _names(shield, ("approval",)):
        return ASYNC, f"shield '{step.shield}'"
    if step.actor is Actor.BACKOFFICE:
        return ASYNC, "back office"
    if _names(shield, ("queue",)):
        return LIVE, f"shield '{step.shield}'"
    return LIVE, UNMARKED


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield every step whose wait (given or from Erlang C) exceeds the limit of its kind.

    Reads the journey model only (waits of queues from Erlang C, not the chain).
    """
    limits = {LIVE: options["max_wait"], ASYNC: options["max_async_wait"]}
    for step in context.journey.steps.values():
        wait, erlang = step_wait(step)  # the queue model alone: no need to solve the chain
        if wait <= min(limits.values()):
            continue
        kind, basis = wait_kind(step)
        limit = limits[kind]
        if wait <= limit:
            continue
        metrics: dict[str, Any] = {"wait": wait, "max_wait": limit, "wait_kind": kind}
        source = ""
        if step.wait is None and erlang is not None:
            source = " (Erlang C)"
            metrics.update({"p_wait": erlang.p_wait, "load": erlang.load,
                            "agents": step.staffing.agents if step.staffing else None})
        if basis == UNMARKED:
            message = (f"A wait of {human_duration(wait)} at step '{step.id}' (more than "
                       f"{human_duration(limit)}, the limit for a live wait: {basis})")
        elif kind == LIVE:
            message = (f"A live wait of {human_duration(wait)}{source} at step '{step.id}' "
                       f"(more than {human_duration(limit)}; {basis})")
        else:
            message = (f"Customers wait {human_duration(wait)} at step '{step.id}' "
                       f"(more than {human_duration(limit)} for an asynchronous wait; {basis})")
        yield Candidate(message, step=step.id, metrics=metrics)

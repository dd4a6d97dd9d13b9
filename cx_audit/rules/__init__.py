"""The rule catalogue: an explicit registry, one module per rule.

Codes are stable (CI configurations, suppressions and baselines name them)
and grouped by hundreds: CX1 structure, CX2 shields, CX3 handoffs and
loops, CX4 people and ownership, CX5 waits, abandonment and outcomes, CX9
the audit itself. Each rule also has a kebab-case name; selectors accept
either, a code prefix such as ``CX3``, or ``ALL``.
"""

from __future__ import annotations

import re
from functools import cache

from cx_audit.rules import (
    channel_switch,
    choke_point,
    cold_handoff,
    conform_probability_drift,
    conform_unmodelled_activity,
    conform_unmodelled_loop,
    conform_unmodelled_transition,
    conform_unobserved_transition,
    conform_wait_drift,
    dangling_probability,
    dead_end,
    emotion_dip,
    high_abandon,
    long_wait,
    low_first_time,
    low_resolution,
    no_entry,
    no_escape,
    no_resolution,
    overloaded_queue,
    ping_pong,
    powerless_frontline,
    repeat_contact,
    retell_chain,
    rule_failed,
    shield_depth,
    shield_stack,
    stranded,
    trap_loop,
    unowned_step,
    unreachable,
    unused_ignore,
)
from cx_audit.rules.base import Option, Rule, RuleContext

__all__ = ["RULES", "Option", "Rule", "RuleContext", "all_options", "get", "resolve_selector"]

_MODULES = (
    no_entry,
    no_resolution,
    dead_end,
    unreachable,
    stranded,
    trap_loop,
    dangling_probability,
    shield_depth,
    shield_stack,
    no_escape,
    cold_handoff,
    retell_chain,
    ping_pong,
    channel_switch,
    repeat_contact,
    powerless_frontline,
    unowned_step,
    high_abandon,
    long_wait,
    choke_point,
    low_resolution,
    emotion_dip,
    low_first_time,
    overloaded_queue,
    conform_unmodelled_transition,
    conform_unobserved_transition,
    conform_probability_drift,
    conform_wait_drift,
    conform_unmodelled_loop,
    conform_unmodelled_activity,
    rule_failed,
    unused_ignore,
)

RULES: dict[str, Rule] = {m.CODE: Rule.from_module(m) for m in _MODULES}
"""Code -> rule, in catalogue order."""

_BY_NAME = {rule.name: rule for rule in RULES.values()}
_PREFIX = re.compile(r"CX[0-9]{0,3}")


def get(code_or_name: str) -> Rule:
    """The rule with this code or name; ``KeyError`` when there is none."""
    key = code_or_name.strip()
    rule = RULES.get(key.upper()) or _BY_NAME.get(key.lower())
    if rule is None:
        raise KeyError(code_or_name)
    return rule


@cache
def resolve_selector(selector: str) -> frozenset[str]:
    """The codes a selector picks: ``ALL``, a code, a name or a code prefix (``CX3``)."""
    key = selector.strip()
    if key.upper() == "ALL":
        return frozenset(RULES)
    if key.lower() in _BY_NAME:
        return frozenset({_BY_NAME[key.lower()].code})
    if _PREFIX.fullmatch(key.upper()):
        return frozenset(code for code in RULES if code.startswith(key.upper()))
    return frozenset()


def all_options() -> dict[str, Option]:
    """Every rule option by name (option names are unique across rules)."""
    return {name: option for rule in RULES.values() for name, option in rule.options.items()}

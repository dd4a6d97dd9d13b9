"""Any change of one step, solved by ``effect_of``, equals re-analysing the changed journey.

The change is drawn at random (new shares over the step's successors and any
other steps, a new abandon share, wait, shield and handoffs), written into the
journey itself, and the changed journey is analysed from scratch: the closed
form, the loop re-solve and the whole-chain re-solve must all agree with it.
"""

from __future__ import annotations

import copy
import math

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cx_audit.analysis import analyse
from cx_audit.analysis.view import journey_view
from cx_audit.analysis.whatif import effect_of, unchanged

from .builder import make_journey
from .strategies import journey_specs
from .transform import transitions

TOL = 1e-8


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOL, abs_tol=TOL)


@st.composite
def changed_journeys(draw):  # type: ignore[no-untyped-def]
    """A journey and a copy in which one non-terminal step is rewritten."""
    spec = draw(journey_specs())
    movable = [s for s, step in spec.items() if step.get("kind") not in ("resolution", "abandon")]
    assume(movable)
    s = draw(st.sampled_from(movable))
    changed = copy.deepcopy(spec)
    step = changed[s]
    # mostly the step's own ways on (reweighted, some dropped), sometimes a step it did not lead to
    own = [to for to, _, _ in transitions(spec[s])]
    kept = [to for to in own if draw(st.booleans()) or to == own[0]] if own else []
    extra = draw(st.lists(st.sampled_from(list(spec)), max_size=2, unique=True))
    targets = list(dict.fromkeys(kept + extra))
    weights = [draw(st.integers(1, 5)) for _ in targets]
    total = sum(weights)
    step["next"] = [(t, w / total, draw(st.sampled_from([None, "cold", "warm"])))
                    for t, w in zip(targets, weights, strict=True)]
    step["abandon"] = draw(st.sampled_from([0.0, 0.0, 0.1, 0.5, 0.999999, 1.0]))
    step["wait"] = draw(st.sampled_from([None, 0.0, 2.0, 30.0]))
    step["shield"] = draw(st.sampled_from([None, "ivr"]))
    return spec, changed, s


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(changed_journeys())
def test_a_step_change_equals_the_changed_journey_analysed(case) -> None:  # type: ignore[no-untyped-def]
    spec, changed, s = case
    before = analyse(make_journey(spec))
    altered = make_journey(changed)
    after = analyse(altered).metrics
    sol = before.solution
    index = sol.net.index[s]
    # the change, read from the changed journey's own view (the same steps in the same order)
    change = unchanged(analyse(altered, journey_view(altered)).solution, index)
    effect = effect_of(sol, change)
    assert effect is not None
    old = before.metrics
    assert close(old.p_resolution + effect.delta_p_resolution, after.p_resolution)
    for name, delta in (("wait_expected", effect.delta_wait_expected),
                        ("shields_expected", effect.delta_shields_expected),
                        ("retells_expected", effect.delta_retells_expected)):
        b, f = getattr(old, name), getattr(after, name)
        if math.isinf(b) or math.isinf(f):
            assert delta is None, (name, b, f, delta)
        else:
            assert delta is not None and close(b + delta, f), (name, b, f, delta)

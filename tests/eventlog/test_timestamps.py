"""Timestamp formats: ISO 8601 with and without zone and fraction, and the slash form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cx_audit.eventlog.timestamps import CACHE_LIMIT, TimestampParser, parse_timestamp


def epoch(*parts: int) -> float:
    return datetime(*parts, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(("text", "expected"), [
    ("2010-03-31T15:59:42", epoch(2010, 3, 31, 15, 59, 42)),
    ("2010-03-31 15:59:42", epoch(2010, 3, 31, 15, 59, 42)),
    ("2010-03-31T15:59:42Z", epoch(2010, 3, 31, 15, 59, 42)),
    ("2010-03-31T15:59:42+01:00", epoch(2010, 3, 31, 14, 59, 42)),
    ("2010-03-31T15:59:42+0100", epoch(2010, 3, 31, 14, 59, 42)),
    ("2010-03-31T15:59:42-05", epoch(2010, 3, 31, 20, 59, 42)),
    ("2010-03-31T15:59:42.250", epoch(2010, 3, 31, 15, 59, 42) + 0.25),
    ("2010-03-31T15:59:42,5+01:00", epoch(2010, 3, 31, 14, 59, 42) + 0.5),
    ("2010-03-31T15:59:42.123456Z", epoch(2010, 3, 31, 15, 59, 42) + 0.123456),
    ("2010-03-31T15:59", epoch(2010, 3, 31, 15, 59)),
    ("2010-03-31", epoch(2010, 3, 31)),
    ("2012/10/9 14:50:17", epoch(2012, 10, 9, 14, 50, 17)),
    ("2012/1/9 8:05:07", epoch(2012, 1, 9, 8, 5, 7)),
    ("2010/01/13 08:40:25.000", epoch(2010, 1, 13, 8, 40, 25)),
    ("2010-03-31 15:59:42 UTC", epoch(2010, 3, 31, 15, 59, 42)),
    ("2010-03-31T24:00:00", epoch(2010, 4, 1)),
])
def test_accepted_forms(text: str, expected: float) -> None:
    assert parse_timestamp(text) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("text", [
    "", "yesterday", "2012-02-30 10:00:00", "2012-13-01", "2010-03-31T25:00:00",
    "2010-03-31T10:61:00", "31/03/2010 10:00", "2010-03-31T15:59:42.", "2010-03-31T15:59:42+x",
    "2010-03-31T24:00:01",
])
def test_rejected_forms(text: str) -> None:
    assert parse_timestamp(text) is None


def test_caches_give_the_same_answers_and_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    parse = TimestampParser()
    first = [parse(f"2020-01-{d:02d}T10:{m:02d}:00+01:00") for d in range(1, 29) for m in range(60)]
    again = [parse(f"2020-01-{d:02d}T10:{m:02d}:00+01:00") for d in range(1, 29) for m in range(60)]
    assert first == again
    assert first[1] - first[0] == 60 and first[60] - first[0] == 86400
    import cx_audit.eventlog.timestamps as module

    monkeypatch.setattr(module, "CACHE_LIMIT", 5)
    small = TimestampParser()
    values = [small(f"2020-02-{d:02d} 00:00:{s:02d}") for d in range(1, 20) for s in range(20)]
    assert values == sorted(values)
    assert len(small._days) <= 5 and len(small._times) <= 5
    assert CACHE_LIMIT >= 100_000

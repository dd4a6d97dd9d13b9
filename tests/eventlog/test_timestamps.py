"""Timestamp formats: ISO 8601 with and without zone and fraction, and the slash form."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cx_audit.eventlog.timestamps import CACHE_LIMIT, TimestampParser, iso_column, parse_timestamp


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


ISO_COLUMNS = [
    ["2023-09-14T17:37:37+00:00", "2023-09-14T17:37:37.5+01:00", "1970-01-01T00:00:00Z",
     "2011-10-01T00:38:44.546+02:00", "2023-09-14T17:37:37.123456-05:30",
     "2023-09-14 17:37+01", "2023-09-14T17:37:37+0130", "2023-09-14T17:37Z"],
    ["2023-09-14 17:37:37", "2023-09-14", "2023-09-14T17:37", "2023-09-14T17:37:37.123456",
     "1969-12-31T23:59:59.25"],
]


@pytest.mark.parametrize("texts", ISO_COLUMNS)
def test_an_iso_column_reads_as_the_parser_reads_each_text(texts: list[str]) -> None:
    parser = TimestampParser()
    values = iso_column(texts, parser)
    assert values is not None
    assert values.tolist() == [TimestampParser().unchecked(text) for text in texts]
    assert parser.zoned is texts[0].endswith(("Z", "00", "01"))


@pytest.mark.parametrize("odd", [
    "2023-09-14T17:37:37.1234567Z", "2023-09-14T17:37:37.Z", "2023-09-14T17:37:37+1",
    "2023-09-14T24:00:00", "2023-02-30T10:00", "today", "2023-09-14T17:37:37UTC",
    "2023-09-14T17:37:37 +01:00", "2023-09-14T17:37:37 ", "2012/10/9 14:50:17",
    "2023-09-14T17:37:37"])
def test_a_column_with_one_text_numpy_cannot_take_is_read_text_by_text(odd: str) -> None:
    texts = ["2023-09-14T17:37:37+00:00", odd]
    assert iso_column(texts, TimestampParser()) is None


def test_an_iso_column_of_the_other_kind_is_left_to_the_parser() -> None:
    parser = TimestampParser()
    assert parser("2023-09-14T17:37:37Z") is not None
    assert iso_column(["2023-09-14T17:37:37"], parser) is None
    assert iso_column(["2023-09-14T17:37:37"], TimestampParser(fmt="%Y-%m-%dT%H:%M:%S")) is None


ISO_PIECES = st.tuples(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 30)),
    st.sampled_from(["date", "T", " "]),
    st.sampled_from(["minutes", "seconds", "fraction"]),
    st.integers(1, 6),
    st.sampled_from(["Z", "+hh", "-hhmm", "+hh:mm", "-hh:mm"]),
    st.integers(0, 14 * 60),
)


def iso_text(pieces: tuple[datetime, str, str, int, str, int]) -> str:
    """One ISO 8601 text in one of the shapes :func:`iso_column` reads."""
    moment, separator, precision, digits, zone, offset = pieces
    text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    if separator == "date":
        return text
    text += moment.strftime(f"{separator}%H:%M")
    if precision != "minutes":
        text += moment.strftime(":%S")
    if precision == "fraction":
        text += f".{moment.microsecond:06d}"[:digits + 1]
    hours, minutes = divmod(offset, 60)
    return text + zone.replace("hh", f"{hours:02d}").replace("mm", f"{minutes:02d}")


@settings(max_examples=300, deadline=None)
@given(st.lists(ISO_PIECES, min_size=1, max_size=40), st.booleans())
def test_an_iso_column_is_read_as_the_parser_reads_each_text(pieces: list[tuple[Any, ...]],
                                                             zoned: bool) -> None:
    """Every text of one kind: numpy's reading is the parser's, float for float."""
    texts = [iso_text((*p[:4], p[4] if zoned else "", p[5])) for p in pieces]
    if zoned and all(p[1] == "date" for p in pieces):
        texts.append("2020-01-01T00:00Z")
    parser = TimestampParser()
    values = iso_column(texts, parser)
    expected = [TimestampParser().unchecked(text) for text in texts]
    if zoned and any(p[1] == "date" for p in pieces):  # a date alone is naive: mixed kinds
        assert values is None
        return
    assert values is not None, texts
    assert values.tolist() == expected
    assert parser.zoned is zoned


@settings(max_examples=300, deadline=None)
@given(ISO_PIECES, st.integers(0, 30), st.characters(codec="utf-8"))
def test_a_changed_iso_text_is_read_as_the_parser_reads_it_or_left_to_it(
        pieces: tuple[Any, ...], at: int, character: str) -> None:
    """One character replaced: either the column still reads as the parser does, or ``None``."""
    text = iso_text((*pieces[:4], "", pieces[5])) if at % 2 else iso_text(pieces)
    changed = text[:at] + character + text[at + 1:]
    values = iso_column([changed], TimestampParser())
    if values is not None:
        assert values.tolist() == [TimestampParser().unchecked(changed)], changed


def test_a_long_iso_column_read_in_pieces_reads_as_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read in pieces, the column gives the values it gives whole; one odd text stops it all."""
    import cx_audit.eventlog.timestamps as module

    texts = [f"2023-09-{day:02d}T17:{minute:02d}:37+01:00" for day in range(1, 29)
             for minute in range(0, 60, 7)]
    whole = iso_column(texts, TimestampParser())
    monkeypatch.setattr(module, "ISO_CHUNK", 5)
    assert whole is not None
    assert iso_column(texts, TimestampParser()).tolist() == whole.tolist()
    parser = TimestampParser()
    assert iso_column([*texts, "2023-09-14T17:37:37"], parser) is None
    assert parser.zoned is None  # nothing was read

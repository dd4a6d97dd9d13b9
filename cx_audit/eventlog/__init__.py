"""Event logs: discover the journey customers actually went through, and set it beside the map.

- :mod:`~cx_audit.eventlog.reader`: one streaming pass over a CSV event log;
- :mod:`~cx_audit.eventlog.timestamps`: the timestamp formats read;
- :mod:`~cx_audit.eventlog.mapping`: the mapping file (entries, resolutions, owners, …);
- :mod:`~cx_audit.eventlog.discover`: a journey document from a log;
- :mod:`~cx_audit.eventlog.conform`: a journey beside a log, as an audit run.
"""

from __future__ import annotations

from cx_audit.eventlog.discover import build_journey, discover
from cx_audit.eventlog.mapping import LogMapping, MappingError, load_mapping, mapping_from_data
from cx_audit.eventlog.reader import EventLogError, LogColumns, LogStats, scan_log

__all__ = [
    "EventLogError",
    "LogColumns",
    "LogMapping",
    "LogStats",
    "MappingError",
    "build_journey",
    "discover",
    "load_mapping",
    "mapping_from_data",
    "scan_log",
]

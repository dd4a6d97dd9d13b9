"""Event logs: discover the journey customers actually went through, and set it beside the map.

- :mod:`~cx_audit.eventlog.reader`: one streaming pass over an event log (CSV or XES, maybe
  gzipped);
- :mod:`~cx_audit.eventlog.xes`: the XES (IEEE 1849) stream of traces, read safely;
- :mod:`~cx_audit.eventlog.timestamps`: the timestamp formats read;
- :mod:`~cx_audit.eventlog.mapping`: the mapping file (entries, resolutions, owners, …);
- :mod:`~cx_audit.eventlog.discover`: a journey document from a log;
- :mod:`~cx_audit.audit.conformance`: a journey beside a log, as an audit run.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cx_audit.eventlog.discover import build_journey
    from cx_audit.eventlog.mapping import LogMapping, load_mapping, mapping_from_data
    from cx_audit.eventlog.reader import LogColumns, LogFormat, LogStats, scan_log

_HOMES = {
    "build_journey": "discover",
    "LogMapping": "mapping", "load_mapping": "mapping",
    "mapping_from_data": "mapping",
    "LogColumns": "reader", "LogFormat": "reader", "LogStats": "reader",
    "scan_log": "reader",
}


def __getattr__(name: str) -> Any:
    """Import the submodule that holds ``name`` on first use.

    Every audit imports the conformance rules, which need only the small
    observations module; the log reader and discovery load when a log is read.
    (The ``discover`` function lives in :mod:`cx_audit.eventlog.discover`,
    whose name it shares.)
    """
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)

__all__ = [
    "LogColumns",
    "LogFormat",
    "LogMapping",
    "LogStats",
    "build_journey",
    "load_mapping",
    "mapping_from_data",
    "scan_log",
]

"""Finding journey files on disk and writing output files safely.

Reading: a folder stands for every ``*.yaml`` / ``*.yml`` file below it, in
sorted order, so the same tree always gives the same report. Writing:
outputs are written to a temporary file beside the target and moved into
place, so a reader never sees half a report, and a target that is one of
the audit's input journeys is refused.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cx_audit.core.errors import OutputRefused

__all__ = ["JOURNEY_SUFFIXES", "OutputRefused", "expand_paths", "write_atomic", "write_new"]

JOURNEY_SUFFIXES = (".yaml", ".yml")



def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[str]]:
    """Expand files and folders into journey files, and name the paths that do not exist.

    Folders are searched recursively for ``*.yaml`` and ``*.yml``; hidden
    folders (``.git``) are skipped. A file named directly is taken whatever
    its suffix. Each file appears once, in the order given, folders sorted.
    """
    found: list[Path] = []
    missing: list[str] = []
    seen: set[tuple[int, int]] = set()

    def add(path: Path) -> None:
        try:
            status = os.stat(path)  # one file however it is reached (links included)
        except OSError:  # vanished or unreadable: reading it will say so
            key: tuple[int, int] = (-1, len(found))
        else:
            key = (status.st_dev, status.st_ino)
        if key not in seen:
            seen.add(key)
            found.append(path)

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            below: list[tuple[str, ...]] = []
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                parts = Path(folder).parts
                below.extend((*parts, f) for f in files if f.endswith(JOURNEY_SUFFIXES))
            for file in sorted(below):  # by parts, as paths sort
                add(Path(*file))
        elif path.exists():
            add(path)
        else:
            missing.append(os.fspath(raw))
    return found, missing


def write_atomic(path: str | os.PathLike[str], text: str,
                 protected: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Replace ``path`` with ``text`` in one step; refuse to overwrite ``protected`` files.

    The text goes to a temporary file in the same folder, is flushed to disk
    and then renamed over the target, so the target holds either the old or
    the new content, never a mixture.
    """
    target = Path(path)
    if target.exists():
        for other in protected:
            try:
                if target.samefile(other):
                    raise OutputRefused(f"{target} is one of the input journeys; choose another "
                                        "output file")
            except OSError:
                continue
    folder = target.parent if str(target.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(temp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def write_new(path: str | os.PathLike[str], text: str) -> None:
    """Create ``path`` with ``text``; refuse when it already exists."""
    target = Path(path)
    if target.exists():
        raise OutputRefused(f"{target} already exists; it was left as it is")
    try:
        with open(target, "x", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except FileExistsError:
        raise OutputRefused(f"{target} already exists; it was left as it is") from None


def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask

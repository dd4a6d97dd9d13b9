"""Finding journey files on disk, and the one writer of every file the tool writes.

Reading: a folder stands for every ``*.yaml`` / ``*.yml`` file below it, in
sorted order, so the same tree always gives the same report.

Writing (:func:`write_output`; reports, ``audit -o``, baselines, diagrams,
journeys from ``import``, ``discover`` and ``init``): the text goes to a
temporary file in the target's folder, is flushed to disk and renamed into
place, so the target holds either its old content or the whole new one,
never part of it, and a failure (a full disk) leaves nothing behind. It
refuses, with a one-line reason, to replace what is not a regular file (a
symbolic link, a FIFO, a device such as ``/dev/null``, a folder), to write
into a folder that does not exist, and to write over any input of the
same command, recognised by its identity on disk (device and inode), so
that a hard link or another spelling of the same file is refused too.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from cx_audit.core.errors import OutputRefused
from cx_audit.text.safe import printable, printable_path

__all__ = [
    "JOURNEY_SUFFIXES",
    "OutputRefused",
    "check_output",
    "expand_paths",
    "write_atomic",
    "write_new",
    "write_output",
]

Inputs = Mapping[str, Iterable[str | os.PathLike[str]]]
"""What a command reads, by what it is to the user (``"one of the input journeys"``)."""

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


def check_output(path: str | os.PathLike[str], *, inputs: Inputs | None = None,
                 replace: bool = True) -> os.stat_result | None:
    """Refuse a target :func:`write_output` would refuse, before any work is done.

    Raises :class:`OutputRefused` saying why; returns the target's status
    (``None`` when it does not exist yet). A command calls it before a long
    audit, so that a bad ``-o`` is said at once, not after the work.
    """
    name = os.fspath(path)
    shown = printable_path(name)
    target = Path(name)
    separators = tuple(s for s in (os.sep, os.altsep, "/") if s)
    if not name or name.endswith(separators) or target.name in ("", ".", ".."):
        if target.is_dir():
            raise OutputRefused(f"{shown} is a folder; name a file to write")
        raise OutputRefused(f"{shown} names a folder, which does not exist; name a file to "
                            "write, in a folder that exists")
    folder = target.parent
    if not folder.is_dir():
        problem = "is not a folder" if os.path.lexists(folder) else "does not exist"
        raise OutputRefused(f"cannot write {shown}: the folder {printable_path(folder)} "
                            f"{problem}")
    existing = _status(target)
    if existing is not None:
        _check_replaceable(shown, existing, inputs or {}, replace)
    return existing


def write_output(path: str | os.PathLike[str], text: str, *, inputs: Inputs | None = None,
                 replace: bool = True) -> None:
    """Write ``text`` to ``path`` in one step, or raise :class:`OutputRefused` saying why not.

    ``inputs`` names the files the command reads, by what they are; a
    target that is one of them is refused, whatever its spelling (a folder
    among them stands for the journeys below it). With ``replace`` false an
    existing target is refused too, and the file appears only complete.
    The target keeps its permissions when it is replaced; a new one gets
    those the umask allows. Failing to write (a full disk) raises
    :class:`OutputRefused` as well, and leaves the target as it was.
    """
    existing = check_output(path, inputs=inputs, replace=replace)
    name = os.fspath(path)
    shown = printable_path(name)
    target = Path(name)
    folder = target.parent
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate a renderer did not escape
        raise OutputRefused(f"cannot write {shown}: the text holds "
                            f"{printable(exc.object[exc.start:exc.end])}, which is not "
                            "valid Unicode") from None
    try:
        _write_in_place(target, folder, data, existing, replace)
    except FileExistsError:
        raise OutputRefused(f"{shown} already exists; it was left as it is") from None
    except OSError as exc:
        raise OutputRefused(f"cannot write {shown}: {exc.strerror or exc}") from None


def write_atomic(path: str | os.PathLike[str], text: str,
                 protected: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Replace ``path`` with ``text`` in one step, never over one of the journeys ``protected``.

    :func:`write_output` with the journeys as its inputs.
    """
    write_output(path, text, inputs={"one of the input journeys": protected})


def write_new(path: str | os.PathLike[str], text: str) -> None:
    """Create ``path`` with ``text`` in one step; refuse when it already exists."""
    write_output(path, text, replace=False)


_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _status(target: Path) -> os.stat_result | None:
    """The target itself (a link is not followed), or ``None`` when nothing is there."""
    try:
        return os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputRefused(f"cannot write {printable_path(target)}: "
                            f"{exc.strerror or exc}") from None


def _check_replaceable(shown: str, existing: os.stat_result, inputs: Inputs,
                       replace: bool) -> None:
    """Refuse a target that is not a regular file, that must not be replaced, or that is read."""
    if not stat.S_ISREG(existing.st_mode):
        kind = next((what for test, what in _KINDS if test(existing.st_mode)), "not a file")
        raise OutputRefused(f"{shown} is {kind}, not a regular file; it was left as it is")
    if not replace:
        raise OutputRefused(f"{shown} already exists; it was left as it is")
    identity = (existing.st_dev, existing.st_ino)
    for what, paths in inputs.items():
        for read in paths:
            if identity in _identities(read):
                raise OutputRefused(f"{shown} is {what}; choose another output file")


def _identities(path: str | os.PathLike[str]) -> set[tuple[int, int]]:
    """The (device, inode) of a file read, or of every journey below a folder read."""
    try:
        status = os.stat(path)
    except OSError:  # not there (any more): nothing to protect
        return set()
    if not stat.S_ISDIR(status.st_mode):
        return {(status.st_dev, status.st_ino)}
    found, _ = expand_paths([path])
    identities = set()
    for file in found:
        with contextlib.suppress(OSError):
            below = os.stat(file)
            identities.add((below.st_dev, below.st_ino))
    return identities


def _write_in_place(target: Path, folder: Path, data: bytes, existing: os.stat_result | None,
                    replace: bool) -> None:
    """Write a temporary file beside ``target``, sync it, and move it into place."""
    fd, temp = tempfile.mkstemp(prefix=f".{target.name[:48]}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        mode = existing.st_mode & 0o7777 if existing is not None else 0o666 & ~_umask()
        os.chmod(temp, mode)
        if replace:
            os.replace(temp, target)
        else:
            _move_new(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _sync_folder(folder)


def _move_new(temp: str, target: Path) -> None:
    """Move ``temp`` to ``target`` only if nothing is there (``FileExistsError`` otherwise).

    A hard link is created atomically or not at all; where the file system
    has none, the check and the rename are separate steps.
    """
    try:
        os.link(temp, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                             errno.EMLINK, errno.ENOSYS):
            raise
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "File exists", os.fspath(target)) from None
        os.replace(temp, target)
    else:
        os.unlink(temp)


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for the renamed file to disk, where the system allows it."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask

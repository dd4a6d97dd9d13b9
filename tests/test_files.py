"""Which files an audit reads, in which order, each once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cx_audit.io.files import expand_paths


def test_folders_are_searched_in_path_order_and_each_file_is_taken_once(tmp_path: Path) -> None:
    for name in ("b.yaml", "a/x.yml", "a-b/x.yaml", "a/c/y.yaml", ".hidden/z.yaml", "notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("journey: x\n", "utf-8")
    found, missing = expand_paths([tmp_path, tmp_path / "b.yaml", tmp_path / "nowhere.yaml"])
    relative = [p.relative_to(tmp_path).as_posix() for p in found]
    # "a/..." before "a-b/...": paths sort by their parts, as pathlib sorts them
    assert relative == ["a/c/y.yaml", "a/x.yml", "a-b/x.yaml", "b.yaml"]
    assert relative == [p.relative_to(tmp_path).as_posix() for p in sorted(found)]
    assert missing == [str(tmp_path / "nowhere.yaml")]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_file_reached_through_a_link_is_read_once(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("journey: x\n", "utf-8")
    try:
        (tmp_path / "link.yaml").symlink_to(real)
    except OSError:
        pytest.skip("symbolic links are not allowed here")
    found, _ = expand_paths([tmp_path / "link.yaml", tmp_path])
    assert found == [tmp_path / "link.yaml"]

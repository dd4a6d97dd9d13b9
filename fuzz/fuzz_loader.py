"""Coverage-guided fuzzing of the journey loader with atheris.

    pip install atheris
    mkdir -p corpus && cp journeys/*.yaml corpus/
    python fuzz/fuzz_loader.py corpus/ -max_total_time=300

Every input must either load or fail with a JourneyError whose problems all
carry a line and column of at least 1; anything else (an exception escaping,
a hang, a crash of the interpreter) is a finding of the fuzzer, which saves
the input that caused it. The arguments after the script are libFuzzer's:
a corpus folder, which libFuzzer adds the inputs it finds interesting to
(so give it a copy of the example journeys, not journeys/ itself), and
options such as -max_total_time or -runs.

Without atheris the script falls back to a plain random mutation loop over
the corpus (no coverage guidance), so it still runs anywhere:

    python fuzz/fuzz_loader.py journeys/ --seconds 60

``--smoke SECONDS`` does everything itself: it seeds a temporary corpus
with the example journeys and every journey file of the test suite (the
hostile ones included), gives libFuzzer the dictionary of YAML tokens, tags
and journey keys in ``fuzz/yaml.dict``, and fuzzes for that long (``.ci/run``
runs a 60-second smoke when atheris can be installed):

    python fuzz/fuzz_loader.py --smoke 600
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

try:
    import atheris
except ImportError:  # the fallback below needs nothing but the standard library
    atheris = None

if atheris is not None:
    with atheris.instrument_imports():
        from cx_audit.core.errors import JourneyError
        from cx_audit.io.loader import load_journey_bytes
else:
    from cx_audit.core.errors import JourneyError
    from cx_audit.io.loader import load_journey_bytes


ROOT = Path(__file__).resolve().parent.parent
DICTIONARY = Path(__file__).resolve().parent / "yaml.dict"
"""libFuzzer's dictionary: YAML indicators, tags, directives, ambiguous numbers, journey keys."""


def tokens() -> list[bytes]:
    """The dictionary's entries as bytes (its ``"..."`` lines, escapes decoded)."""
    found = []
    for raw in DICTIONARY.read_text(encoding="utf-8").splitlines():
        entry = raw.strip()
        if entry.startswith('"') and entry.endswith('"') and len(entry) >= 2:
            found.append(entry[1:-1].encode("latin-1").decode("unicode_escape")
                         .encode("utf-8", "surrogatepass"))
    return found


def seed_corpus(folder: Path) -> int:
    """Copy every journey of the project (examples and test files) into ``folder``."""
    sources = [ROOT / "journeys", ROOT / "tests"]
    count = 0
    for source in sources:
        for path in sorted(source.rglob("*.yaml")):
            shutil.copyfile(path, folder / f"seed-{count:04d}.yaml")
            count += 1
    return count


def check_one(data: bytes) -> None:
    """Load ``data``; only a located JourneyError may come out."""
    try:
        load_journey_bytes(data, "fuzz.yaml")
    except JourneyError as exc:
        assert exc.problems, "a JourneyError without problems"
        for problem in exc.problems:
            assert problem.line >= 1 and problem.column >= 1, problem


def _mutate(data: bytes, rng: random.Random, words: list[bytes]) -> bytes:
    """A few random byte-level edits: flips, deletions, insertions, duplications."""
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not buffer:
            buffer.extend(rng.randbytes(4))
        position = rng.randrange(len(buffer))
        choice = rng.random()
        if choice < 0.3:
            buffer[position] = rng.randrange(256)
        elif choice < 0.5:
            del buffer[position:position + rng.randint(1, 16)]
        elif choice < 0.7:
            buffer[position:position] = rng.choice(words)
        else:
            end = min(len(buffer), position + rng.randint(1, 64))
            buffer[position:position] = buffer[position:end]
    return bytes(buffer)


def fallback(corpus: list[Path], seconds: float) -> int:
    """Random mutation fuzzing for ``seconds``; returns the number of inputs tried."""
    seeds = [p.read_bytes() for p in corpus] or [b"journey: x\nsteps: {}\n"]
    words = tokens()
    rng = random.Random(0)
    deadline = time.monotonic() + seconds
    tried = 0
    while time.monotonic() < deadline:
        data = _mutate(rng.choice(seeds), rng, words)
        try:
            check_one(data)
        except Exception:
            crash = Path(f"crash-{tried}.yaml")
            crash.write_bytes(data)
            print(f"crash saved to {crash}", file=sys.stderr)
            raise
        tried += 1
    return tried


def main(argv: list[str]) -> None:
    """Run atheris when it is installed, else the fallback loop."""
    if "--smoke" in argv:
        seconds = int(float(argv[argv.index("--smoke") + 1]))
        folder = Path(tempfile.mkdtemp(prefix="cx-fuzz-"))
        try:
            seeds = seed_corpus(folder)
            print(f"seeded {seeds} journeys; fuzzing for {seconds} s", file=sys.stderr)
            if atheris is None:
                tried = fallback(sorted(folder.glob("*.yaml")), seconds)
                print(f"{tried} inputs, no crash (atheris not installed: random mutations only)")
                return
            atheris.Setup([argv[0], str(folder), f"-max_total_time={seconds}",
                           f"-dict={DICTIONARY}", "-timeout=20", "-rss_limit_mb=3072",
                           "-print_final_stats=1"], check_one)
            atheris.Fuzz()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    if atheris is not None:
        atheris.Setup(argv, check_one)
        atheris.Fuzz()
        return
    seconds = 30.0
    if "--seconds" in argv:
        seconds = float(argv[argv.index("--seconds") + 1])
    corpus = [p for arg in argv[1:] if Path(arg).is_dir()
              for p in sorted(Path(arg).glob("*.yaml"))]
    tried = fallback(corpus, seconds)
    print(f"{tried} inputs, no crash (atheris not installed: random mutations only)")


if __name__ == "__main__":
    main(sys.argv)

"""Bounce parsing against a public corpus of real bounce messages: the samples shipped in the source
distribution of flufl.bounce (PyPI), fetched at test time into a cache (never committed), run through
`posta list parse-bounce --json`. flufl.bounce's own table of expected addresses per sample is read from
its test module's source text with the ast module (never imported or run).

Prints the detection rate: samples where every expected address was found in the expected class
(permanent or temporary), and addresses found that were not expected.

Standalone: `POSTA_BIN=.build/debug/posta python3 -m pytest -q -s interop/test_bounce_corpus.py`."""
import ast
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

from conftest import POSTA

FLUFL_BOUNCE = "6.0.0"  # ships tests/data/*.txt (117 samples) and tests/test_detectors.py
# Samples (with expected addresses) where every expected address is found in the right class. Measured:
# see docs/lists.md "Bounce parsing"; raise it when the parser gets better.
MIN_DETECTION_RATE = 0.97


def cache_folder() -> Path:
    """Where the corpus is kept between runs: $POSTA_BOUNCE_CORPUS, else /var/cache/posta-bounces (as the
    DKIM and SPF suites under /var/cache), else ~/.cache/posta-tests when /var/cache is not writable."""
    if os.environ.get("POSTA_BOUNCE_CORPUS"):
        return Path(os.environ["POSTA_BOUNCE_CORPUS"])
    system = Path("/var/cache/posta-bounces")
    if os.access(system if system.exists() else system.parent, os.W_OK):
        return system
    return Path.home() / ".cache" / "posta-tests" / "bounces"


def fetch_corpus() -> Path:
    """The folder holding data/*.txt and test_detectors.py of flufl.bounce FLUFL_BOUNCE, fetched once."""
    target = cache_folder() / f"flufl.bounce-{FLUFL_BOUNCE}"
    if (target / "test_detectors.py").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fetch.") as work:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--no-binary", ":all:", f"flufl.bounce=={FLUFL_BOUNCE}", "-d", work],
            check=True, timeout=600)
        [sdist] = Path(work).glob("flufl*bounce-*.tar.gz")
        staged = Path(work) / "corpus"
        (staged / "data").mkdir(parents=True)
        with tarfile.open(sdist) as archive:
            for member in archive.getmembers():
                parts = Path(member.name).parts
                if not member.isfile() or len(parts) < 3 or parts[1] != "tests":
                    continue
                if parts[2:] == ("test_detectors.py",) or (
                        len(parts) == 4 and parts[2] == "data" and parts[3].endswith(".txt")):
                    destination = staged / Path(*parts[2:])
                    destination.write_bytes(archive.extractfile(member).read())
        assert (staged / "test_detectors.py").is_file(), f"{sdist.name} has no tests/test_detectors.py"
        os.replace(staged, target)
    return target


def expected_addresses(test_module: Path) -> dict[str, tuple[set[str], set[str]]]:
    """flufl's table `DETECTORS = [(detector, file, [addresses], is_temporary), …]`, per file: the permanent
    and the temporary addresses expected (lower-cased; several rows for one file are merged)."""
    tree = ast.parse(test_module.read_text(encoding="utf-8"))
    table = next(ast.literal_eval(node.value) for node in ast.walk(tree) if isinstance(node, ast.Assign)
                 and any(isinstance(t, ast.Name) and t.id == "DETECTORS" for t in node.targets))
    expected: dict[str, tuple[set[str], set[str]]] = {}
    for _detector, filename, addresses, is_temporary in table:
        permanent, temporary = expected.setdefault(filename, (set(), set()))
        (temporary if is_temporary else permanent).update(a.decode().lower() for a in addresses)
    return expected


def test_flufl_bounce_corpus():
    corpus = fetch_corpus()
    expected = expected_addresses(corpus / "test_detectors.py")
    samples = sorted((corpus / "data").glob("*.txt"))
    assert len(samples) >= 100

    r = subprocess.run([POSTA, "list", "parse-bounce", "--json", *map(str, samples)],
                       capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    reports = {Path(row["file"]).name: row for row in json.loads(r.stdout)}
    detectors = sorted({row["detector"] or "none" for row in reports.values()})
    assert set(reports) == {s.name for s in samples}, "a sample got no report"

    with_expected = detected = 0
    missed, unexpected = [], []
    for name, (permanent, temporary) in sorted(expected.items()):
        row = reports[name]
        found_permanent = {a.lower() for a in row["permanent"]}
        found_temporary = {a.lower() for a in row["temporary"]}
        if permanent or temporary:
            with_expected += 1
            if permanent <= found_permanent and temporary <= found_temporary:
                detected += 1
            else:
                missed.append(f"{name}: expected {sorted(permanent)} / {sorted(temporary)}, "
                              f"found {sorted(found_permanent)} / {sorted(found_temporary)} ({row['detector']})")
        extra = (found_permanent | found_temporary) - permanent - temporary
        unexpected += [f"{name}: {address}" for address in sorted(extra)]

    rate = detected / with_expected
    print(f"\nflufl.bounce {FLUFL_BOUNCE}: {len(samples)} samples, {len(expected)} in its table, "
          f"{with_expected} with expected addresses")
    print(f"detected: {detected}/{with_expected} = {rate:.1%}")
    print(f"addresses found that were not expected: {len(unexpected)}")
    for line in missed:
        print("  missed", line)
    for line in unexpected:
        print("  unexpected", line)
    recognised = sum(1 for row in reports.values() if row["detector"])
    print(f"samples with any detector: {recognised}/{len(samples)}")
    for detector in detectors:
        count = sum(1 for row in reports.values() if (row["detector"] or "none") == detector)
        print(f"  {detector}: {count}")
    assert rate >= MIN_DETECTION_RATE, f"detection rate {rate:.1%} below {MIN_DETECTION_RATE:.0%}"
    # A member scored for an address the bounce does not report would be a wrong decision: none allowed.
    assert not unexpected, unexpected

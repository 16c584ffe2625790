"""Mail is never lost: Postfix's smtp-source sends 2,000 messages over 10 sessions while Posta is
killed with SIGKILL several times and restarted. Afterwards every message that received 250 is in
the mailbox exactly once, and no half-written file is visible.

Messages are told apart by smtp-source's -N option (a sequence number prepended to the recipient),
which Posta's Received header records ("for <N...@example.org>"); a catch-all delivers them all to
one mailbox. smtp-source's -v log tells which messages got their 250."""
import random
import re
import signal
import subprocess
import time
from pathlib import Path

from conftest import wait_for_port
from mailsite import MailSite

TOTAL = 2000
SESSIONS = 10


def run_source(port: int, tag: str, count: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        ["smtp-source", "-v", "-N", "-s", str(SESSIONS), "-m", str(count), "-l", "2048", "-f", "load@remote.example",
         "-t", f"{tag}x@example.org", f"127.0.0.1:{port}"],
        stdout=open(log, "w"), stderr=subprocess.STDOUT)


def acknowledged(log: Path, tag: str) -> set[str]:
    """Recipients whose message got a 250 after DATA, read from smtp-source -v output."""
    acked = set()
    pending: dict[str, str] = {}  # per-session: the recipient of the transaction in flight
    for line in log.read_text(errors="replace").splitlines():
        m = re.search(r"(\S+): RCPT TO:<(\d+" + re.escape(tag) + r"x@example\.org)>", line)
        if m:
            pending[m.group(1)] = m.group(2)
            continue
        m = re.search(r"(\S+): 250 2\.0\.0 Ok: queued as", line)
        if m and m.group(1) in pending:
            acked.add(pending.pop(m.group(1)))
    return acked


def test_sigkill_during_load_loses_nothing(tmp_path: Path):
    site = MailSite(tmp_path).seed()
    site.posta("alias", "add", "@example.org", "alice@example.org")
    site.start()
    rounds = []
    sent = 0
    kills = 0
    rng = random.Random(42)
    while sent < TOTAL:
        tag = f"r{len(rounds)}"
        count = min(TOTAL - sent, 500)
        log = tmp_path / f"source-{tag}.log"
        source = run_source(site.smtp_port, tag, count, log)
        rounds.append((tag, log))
        sent += count
        if kills < 4:
            time.sleep(rng.uniform(0.3, 1.5))
            site.kill()  # SIGKILL
            kills += 1
            source.wait(timeout=120)
            site.start()
        else:
            source.wait(timeout=300)
    acked = set()
    for tag, log in rounds:
        acked |= acknowledged(log, tag)
    assert kills == 4 and len(acked) > TOTAL // 2, (kills, len(acked))

    # Let the queue drain (the restart recovered whatever was accepted but not yet delivered).
    deadline = time.monotonic() + 120
    while site.queue_counts() != (0, 0) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert site.queue_counts() == (0, 0)

    stored = site.messages("alice@example.org")
    seen: dict[str, int] = {}
    for data in stored:
        m = re.search(rb"for <(\d+r\d+x@example\.org)>;", data)
        assert m, data[:400]
        seen[m.group(1).decode()] = seen.get(m.group(1).decode(), 0) + 1
    missing = acked - seen.keys()
    assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {sorted(missing)[:5]}"
    duplicated = {k: v for k, v in seen.items() if v > 1}
    assert not duplicated, f"delivered more than once: {list(duplicated.items())[:5]}"

    # No half-written file is visible: every file in new/ and cur/ has the size its name declares
    # (Maildir ",S=<size>"); half-written ones can only ever be in tmp/.
    maildir = site.maildir("alice@example.org")
    visible = [p for sub in ("new", "cur") for p in (maildir / sub).iterdir()]
    assert len(visible) >= len(stored)
    for path in visible:
        m = re.search(r",S=(\d+)", path.name)
        assert m and int(m.group(1)) == path.stat().st_size, path
    site.stop()

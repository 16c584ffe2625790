"""Mail is never lost: Postfix's smtp-source sends 2,000 messages over 10 sessions while Posta is
killed with SIGKILL several times and restarted. Afterwards every message that received 250 is in
the mailbox exactly once, none is there twice, and no half-written file is visible.

Ten smtp-source processes with one session each (`-s 1`) make the ten sessions, so each log reads
as one dialog. Messages are told apart by `-N` (a sequence number prepended to the recipient) and a
per-worker, per-round tag; Posta's Received header records the recipient ("for <...>"), and a
catch-all delivers them all to one mailbox. A worker whose connection dies is started again, after
Posta's restart, for the messages it has not had acknowledged.

Crashes between a message file and its index row leave files no mailbox shows; the store's orphan
sweep (here with a 2 s age, every second) removes them, so that in the end the Maildir holds exactly
the indexed files — what a backup, a migration or Dovecot on the Maildir would otherwise show twice."""
import random
import re
import subprocess
import time
from pathlib import Path

from mailsite import MailSite

TOTAL = 2000
SESSIONS = 10
KILLS = 4


def start_worker(port: int, tag: str, count: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        ["smtp-source", "-v", "-N", "-s", "1", "-m", str(count), "-l", "2048", "-f", "load@remote.example",
         "-t", f"{tag}x@example.org", f"127.0.0.1:{port}"],
        stdout=open(log, "w"), stderr=subprocess.STDOUT)


def acknowledged(log: Path) -> list[str]:
    """Recipients whose message got its 250 after the data, from a one-session smtp-source -v log."""
    acked, current, in_data = [], None, False
    for line in log.read_text(errors="replace").splitlines():
        if m := re.search(r"RCPT TO:<([^>]+)>", line):
            current, in_data = m.group(1), False
        elif "<<< 354" in line:
            in_data = True
        elif in_data and "<<< 250" in line and current:
            acked.append(current)
            current, in_data = None, False
    return acked


def test_sigkill_during_load_loses_nothing(tmp_path: Path):
    site = MailSite(tmp_path, extra_config='[store]\norphan_age = "2s"\nsweep_interval = "1s"').seed()
    site.posta("alias", "add", "@example.org", "alice@example.org")
    site.start()
    rng = random.Random(7)
    share = TOTAL // SESSIONS
    acked_by_worker = {w: [] for w in range(SESSIONS)}
    rounds = 0
    kills = 0
    while True:
        remaining = {w: share - len(acked_by_worker[w]) for w in range(SESSIONS)}
        if not any(remaining.values()):
            break
        assert rounds < 30, f"no progress: {remaining}"
        workers = {w: (log := tmp_path / f"w{w}-r{rounds}.log", start_worker(site.smtp_port, f"w{w}r{rounds}", n, log))
                   for w, n in remaining.items() if n}
        if kills < KILLS:
            time.sleep(rng.uniform(0.5, 2.0))
            site.kill()  # SIGKILL, mid-transaction for most sessions
            kills += 1
        for w, (log, proc) in workers.items():
            proc.wait(timeout=600)
            acked_by_worker[w] += acknowledged(log)
        if site.proc.poll() is not None:
            site.start()  # recovers the spool and delivers what was accepted
        rounds += 1

    acked = [a for lst in acked_by_worker.values() for a in lst]
    assert kills == KILLS and len(acked) == TOTAL and len(set(acked)) == TOTAL

    deadline = time.monotonic() + 180
    while site.queue_counts() != (0, 0) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert site.queue_counts() == (0, 0)

    seen: dict[str, int] = {}
    for data in site.messages("alice@example.org"):
        m = re.search(rb"for <([^>]+)>;", data)
        assert m, data[:400]
        seen[m.group(1).decode()] = seen.get(m.group(1).decode(), 0) + 1
    missing = set(acked) - seen.keys()
    assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {sorted(missing)[:5]}"
    duplicated = {k: v for k, v in seen.items() if v > 1}
    assert not duplicated, f"delivered more than once: {list(duplicated.items())[:5]}"

    # No half-written file is visible: every file in new/ and cur/ has the size its name declares
    # (Maildir ",S=<size>"); unfinished writes can only ever be in tmp/.
    maildir = site.maildir("alice@example.org")
    visible = [p for sub in ("new", "cur") for p in (maildir / sub).iterdir()]
    assert len(visible) >= len(seen)
    for path in visible:
        m = re.search(r",S=(\d+)", path.name)
        assert m and int(m.group(1)) == path.stat().st_size, path

    # After recovery and the sweep, the Maildir holds exactly the indexed files: no orphans.
    with site.db() as db:
        indexed = {row[0] for row in db.execute(
            """SELECT m.file FROM message m JOIN mailbox b ON b.id = m.mailbox_id JOIN account a ON a.id = b.account_id
               WHERE a.address_key = 'alice@example.org'""")}
    def on_disk():
        return {f"{sub}/{p.name}" for sub in ("new", "cur", "tmp") for p in (maildir / sub).iterdir()}
    deadline = time.monotonic() + 30
    while on_disk() != indexed and time.monotonic() < deadline:
        time.sleep(0.5)
    orphans = on_disk() - indexed
    assert not orphans, f"{len(orphans)} message files outside the index, e.g. {sorted(orphans)[:5]}"
    assert on_disk() == indexed
    site.stop()


BATCH_SESSIONS = 50
BATCH_PER_SESSION = 20
BATCH_KILLS = 3


def spool_files_without_rows(site: MailSite) -> set[str]:
    """Queue ids of spool files in msg/ that no queue row names: renamed into place by a batch whose
    transaction the kill cut short (the server is down while this is read)."""
    with site.db() as db:
        named = {row[0] for row in db.execute("SELECT spool_file FROM queue_message")}
    return {p.name for p in (site.data / "spool" / "msg").iterdir()} - {n.removeprefix("msg/") for n in named}


def test_sigkill_mid_group_commit_of_50_sessions(tmp_path: Path):
    """Fifty sessions end their DATA at nearly the same moment, so their messages are committed in
    shared batches (one directory fsync and one transaction each); SIGKILL lands while batches are
    in flight, between the spool files' rename and the transaction's commit. Every message that got
    its 250 is delivered exactly once; those of the cut batch got no 250 and are not delivered."""
    site = MailSite(tmp_path, extra_config='[store]\norphan_age = "2s"\nsweep_interval = "1s"').seed()
    site.posta("alias", "add", "@example.org", "alice@example.org")
    site.start()
    rng = random.Random(11)
    acked_by_worker = {w: [] for w in range(BATCH_SESSIONS)}
    cut_batches = 0
    never_queued: set[str] = set()
    for rounds in range(30):
        remaining = {w: BATCH_PER_SESSION - len(acked_by_worker[w]) for w in range(BATCH_SESSIONS)}
        if not any(remaining.values()):
            break
        workers = {w: (log := tmp_path / f"b{w}-r{rounds}.log", start_worker(site.smtp_port, f"b{w}r{rounds}", n, log))
                   for w, n in remaining.items() if n}
        if rounds < BATCH_KILLS:
            time.sleep(rng.uniform(1.0, 2.0))
            site.kill()
            cut = spool_files_without_rows(site)
            cut_batches += bool(cut)
            never_queued |= cut
        for w, (log, proc) in workers.items():
            proc.wait(timeout=600)
            acked_by_worker[w] += acknowledged(log)
        if site.proc.poll() is not None:
            site.start()
    acked = [a for lst in acked_by_worker.values() for a in lst]
    assert len(acked) == BATCH_SESSIONS * BATCH_PER_SESSION and len(set(acked)) == len(acked)
    # At least one kill cut a batch between its renames and its commit (else this tested nothing new).
    assert cut_batches >= 1, cut_batches

    deadline = time.monotonic() + 180
    while site.queue_counts() != (0, 0) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert site.queue_counts() == (0, 0)
    seen: dict[str, int] = {}
    delivered_ids = set()
    for data in site.messages("alice@example.org"):
        m = re.search(rb"for <([^>]+)>;", data)
        assert m, data[:400]
        seen[m.group(1).decode()] = seen.get(m.group(1).decode(), 0) + 1
        delivered_ids |= {i.decode() for i in re.findall(rb" id ([A-Za-z0-9-]+)", data)}
    missing = set(acked) - seen.keys()
    assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {sorted(missing)[:5]}"
    duplicated = {k: v for k, v in seen.items() if v > 1}
    assert not duplicated, f"delivered more than once: {list(duplicated.items())[:5]}"
    # The cut batch's files were never queued: nothing of them reached the mailbox.
    assert not never_queued & delivered_ids, sorted(never_queued & delivered_ids)[:5]
    site.stop()

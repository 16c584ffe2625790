"""Online backup (`posta backup create|verify|list`) of a running Posta under load.

While SMTP delivers 300 messages and a POP3 client keeps deleting another user's mail (so index rows
and their files vanish while the backup copies), `posta backup create` runs. Afterwards:
- `posta backup verify` passes, and a flipped byte in a copied file makes it fail naming the file;
- the snapshot database in the backup and its files agree: every message and queue row has its
  file in the backup, with the manifest's size and SHA-256, and no file is there without a row;
- every message acknowledged (250) before the backup started is in it exactly once, either in a
  mailbox or still in the queue's spool (accepted, not yet delivered);
- a second backup hard-links what the first holds and copies only what is new.
The full round trip (restore into a fresh data folder) comes with `posta backup restore`."""
import hashlib
import json
import poplib
import smtplib
import sqlite3
import ssl
import subprocess
import threading
import time
from pathlib import Path

from conftest import POSTA, free_port, wait_for_port
from mailsite import MailSite

TOTAL = 300
DOOMED_EVERY = 5  # every fifth message goes to bob, whose POP3 client deletes it again


class BackupSite(MailSite):
    def __init__(self, folder: Path):
        self.pop3_port = free_port()
        super().__init__(folder, extra_config=f'''
[[listener]]
protocol = "pop3"
address = "127.0.0.1:{self.pop3_port}"
''')

    def start(self):
        super().start()
        wait_for_port(self.pop3_port)
        return self

    def backup(self, *args, check=True):
        r = subprocess.run([POSTA, "backup", *args, "--config", str(self.config)] if args[0] == "create"
                           else [POSTA, "backup", *args], capture_output=True, text=True, timeout=300)
        if check:
            assert r.returncode == 0, (args, r.stdout, r.stderr)
        return r


def message(i: int) -> bytes:
    return (f"From: load@remote.example\r\nTo: someone@example.org\r\nSubject: load {i}\r\n"
            f"Message-ID: <load-{i}@remote.example>\r\n\r\nbody of load-{i}-end\r\n").encode()


def tag(i: int) -> bytes:
    return f"<load-{i}@remote.example>".encode()


def deliver(site: BackupSite, acked: list[tuple[int, float]], stop: threading.Event):
    with smtplib.SMTP("127.0.0.1", site.smtp_port, timeout=60) as smtp:
        for i in range(TOTAL):
            to = "bob@example.org" if i % DOOMED_EVERY == 0 else "alice@example.org"
            smtp.sendmail("load@remote.example", [to], message(i))
            acked.append((i, time.monotonic()))
            time.sleep(0.01)
    stop.set()


def delete_bobs_mail(site: BackupSite, stop: threading.Event, deleted: list[int]):
    context = ssl.create_default_context(cafile=str(site.cert))
    while not stop.is_set():
        pop = poplib.POP3("127.0.0.1", site.pop3_port, timeout=30)
        pop.stls(context=context)
        pop.user("bob@example.org")
        pop.pass_("password-123")
        count, _ = pop.stat()
        for n in range(1, count + 1):
            pop.dele(n)
        pop.quit()  # UPDATE state: rows go, then files (RFC 1939 §6)
        deleted.append(count)
        time.sleep(0.05)


def backup_contents(backup: Path):
    """The snapshot's rows that name files, and the manifest."""
    manifest = json.loads((backup / "manifest.json").read_text())
    db = sqlite3.connect(f"file:{backup / 'db/posta.db'}?mode=ro", uri=True)
    mail = [r[0] for r in db.execute(
        """SELECT 'data/mail/' || s.maildir || '/' || m.file FROM message m JOIN mailbox b ON b.id = m.mailbox_id
           JOIN store_account s ON s.account_id = b.account_id""")]
    spool = [r[0] for r in db.execute("SELECT 'data/spool/' || spool_file FROM queue_message")]
    db.close()
    return manifest, mail, spool


def test_backup_while_delivering_and_deleting(tmp_path: Path):
    site = BackupSite(tmp_path).seed().start()
    destination = tmp_path / "backups"
    try:
        acked: list[tuple[int, float]] = []
        deleted: list[int] = []
        stop = threading.Event()
        sender = threading.Thread(target=deliver, args=(site, acked, stop))
        deleter = threading.Thread(target=delete_bobs_mail, args=(site, stop, deleted))
        sender.start()
        deleter.start()
        while len(acked) < TOTAL // 3:
            time.sleep(0.01)
        started = time.monotonic()
        created = site.backup("create", str(destination), "--json")
        sender.join(timeout=300)
        stop.set()
        deleter.join(timeout=60)
        before = [i for i, at in acked if at < started]
        assert len(before) >= TOTAL // 3 and sum(deleted) > 0, (len(before), deleted)

        summary = json.loads(created.stdout)
        backup = Path(summary["path"])
        assert summary["database"] == "sqlite" and summary["lost"] == []
        assert site.backup("verify", str(backup)).stdout.strip().endswith("checked")

        # The snapshot and the files agree, both ways.
        manifest, mail, spool = backup_contents(backup)
        files = {f["path"]: f for f in manifest["files"]}
        assert sorted(mail + spool) == sorted(files)
        for path, entry in files.items():
            data = (backup / path).read_bytes()
            assert len(data) == entry["size"] and hashlib.sha256(data).hexdigest() == entry["sha256"], path
        assert summary["files"] == len(files)

        # Every message alice was sent before the backup began is in it, exactly once: delivered, or
        # still queued (then delivered from the restored spool).
        contents = [(backup / p).read_bytes() for p in mail]
        queued = [(backup / p).read_bytes() for p in spool]
        for i in before:
            if i % DOOMED_EVERY == 0:
                continue
            in_mail = sum(tag(i) in c for c in contents)
            in_queue = sum(tag(i) in c for c in queued)
            assert in_mail == 1 or (in_mail == 0 and in_queue == 1), (i, in_mail, in_queue)

        # Incremental: nothing changed for the messages already backed up.
        site.wait_for_messages("alice@example.org", TOTAL - TOTAL // DOOMED_EVERY, timeout=60)
        second = json.loads(site.backup("create", str(destination), "--json").stdout)
        assert second["previous"] == summary["name"]
        kept = set(files) & {f["path"] for f in json.loads((Path(second["path"]) / "manifest.json").read_text())["files"]}
        assert second["linkedFromPrevious"] == len(kept) and len(kept) >= len(before) // 2, (second, len(kept))
        assert second["copiedFiles"] + second["linkedFromData"] == second["files"] - len(kept)
        listing = json.loads(site.backup("list", str(destination), "--json").stdout)
        assert [b["name"] for b in listing] == [summary["name"], second["name"]]
        assert all(b["complete"] for b in listing)
    finally:
        site.stop()

    # Damage one copied file of the second backup: verify fails and names it.
    site2 = Path(second["path"])
    manifest = json.loads((site2 / "manifest.json").read_text())
    victim = manifest["files"][-1]["path"]
    target = site2 / victim
    data = bytearray(target.read_bytes())
    target.unlink()  # a hard link shares its bytes with the data folder and the first backup
    data[len(data) // 2] ^= 0x20
    target.write_bytes(bytes(data))
    r = site.backup("verify", str(site2), check=False)
    assert r.returncode == 1 and f"checksum: {victim}" in r.stdout, (r.stdout, r.stderr)
    (site2 / "manifest.json").unlink()
    listing = json.loads(site.backup("list", str(destination), "--json").stdout)
    assert [b["complete"] for b in listing] == [True, False]
    r = site.backup("verify", str(site2), check=False)
    assert r.returncode != 0 and "incomplete" in r.stderr, r.stderr

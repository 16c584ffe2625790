"""Backup and restore round trip under load (`posta backup create|verify|restore`).

While SMTP delivers messages to alice and an IMAP client sets flags on them (and keeps toggling
\\Answered on older ones), `posta backup create` runs. The backup is restored into a fresh data
folder with `posta backup restore`, and `posta serve` runs on it. Then:
- every message acknowledged (250) before the backup started is there exactly once (delivered
  already, or delivered by the restored server from the restored queue), seen over IMAP;
- every flag whose STORE was answered OK before the backup started is on its message;
- `posta backup verify` passes, and fails naming the file once one byte of a message file in the
  backup is flipped; a restore from the damaged backup is refused;
- a partial restore (`--account --folder --subject`) brings the matching messages back into alice's
  Restored folder over IMAP after she expunged her INBOX, and a second run adds nothing."""
import imaplib
import json
import re
import smtplib
import sqlite3
import ssl
import subprocess
import threading
import time
from pathlib import Path

from conftest import POSTA, free_port, wait_for_port
from mailsite import MailSite

TOTAL = 240
ALICE = "alice@example.org"


class RestoreSite(MailSite):
    """A MailSite with IMAP (STARTTLS) on a free loopback port."""

    def __init__(self, folder: Path):
        self.imap_port = free_port()
        super().__init__(folder, extra_config=f'''
[[listener]]
protocol = "imap"
address = "127.0.0.1:{self.imap_port}"
''')

    def start(self):
        super().start()
        wait_for_port(self.imap_port)
        return self

    def imap(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=60)
        imap.starttls(ssl_context=ssl.create_default_context(cafile=str(self.cert)))
        imap.login(ALICE, "password-123")
        return imap

    def run(self, *args, check=True):
        r = subprocess.run([POSTA, "backup", *args], capture_output=True, text=True, timeout=300)
        if check:
            assert r.returncode == 0, (args, r.stdout, r.stderr)
        return r


def message(i: int) -> bytes:
    return (f"From: Load Sender <load@remote.example>\r\nTo: {ALICE}\r\nSubject: load {i}\r\n"
            f"Message-ID: <load-{i}@remote.example>\r\n\r\nbody of load-{i}-end\r\n").encode()


def deliver(site: RestoreSite, acked: list[tuple[int, float]], done: threading.Event):
    try:
        with smtplib.SMTP("127.0.0.1", site.smtp_port, timeout=60) as smtp:
            for i in range(TOTAL):
                smtp.sendmail("load@remote.example", [ALICE], message(i))
                acked.append((i, time.monotonic()))
                time.sleep(0.01)
    finally:
        done.set()


def flag(site: RestoreSite, flagged: dict[int, float], done: threading.Event, errors: list[str]):
    """Sets \\Flagged $Done on every message of alice's INBOX once (remembering when the OK came)
    and toggles \\Answered on older ones, until delivery ends (bounded by time)."""
    deadline = time.monotonic() + 240
    try:
        imap = site.imap()
        imap.select("INBOX")
        toggle = 0
        while time.monotonic() < deadline:
            finished = done.is_set()
            imap.noop()
            typ, data = imap.uid("SEARCH", "ALL")
            assert typ == "OK", data
            uids = [int(u) for u in data[0].split()]
            for uid in uids:
                if uid in flagged:
                    continue
                typ, data = imap.uid("STORE", str(uid), "+FLAGS", r"(\Flagged $Done)")
                assert typ == "OK", data
                flagged[uid] = time.monotonic()
            if uids:
                uid = uids[toggle % len(uids)]
                toggle += 1
                imap.uid("STORE", str(uid), "+FLAGS" if toggle % 2 else "-FLAGS", r"(\Answered)")
            if finished:
                break
            time.sleep(0.02)
        imap.logout()
    except Exception as error:  # reported by the test, not lost in the thread
        errors.append(repr(error))


def inbox_over_imap(site: RestoreSite, mailbox: str = "INBOX") -> list[tuple[int, set[str], str]]:
    """(uid, flags, Message-ID) of every message of an alice mailbox."""
    imap = site.imap()
    typ, data = imap.select(mailbox)
    assert typ == "OK", data
    typ, data = imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    imap.logout()
    out = []
    for item in data:
        if not isinstance(item, tuple):
            continue
        head = item[0].decode()
        uid = int(re.search(r"UID (\d+)", head).group(1))
        flags = set(re.search(r"FLAGS \(([^)]*)\)", head).group(1).split())
        mid = re.search(rb"<[^>]+>", item[1])
        out.append((uid, flags, mid.group(0).decode() if mid else ""))
    return out


def test_backup_restore_round_trip_under_load(tmp_path: Path):
    site = RestoreSite(tmp_path / "live").seed().start()
    destination = tmp_path / "backups"
    try:
        acked: list[tuple[int, float]] = []
        flagged: dict[int, float] = {}
        errors: list[str] = []
        done = threading.Event()
        sender = threading.Thread(target=deliver, args=(site, acked, done))
        flagger = threading.Thread(target=flag, args=(site, flagged, done, errors))
        sender.start()
        flagger.start()
        deadline = time.monotonic() + 120
        while (len(acked) < TOTAL // 3 or len(flagged) < TOTAL // 6) and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        created = site.run("create", str(destination), "--json", "--config", str(site.config))
        sender.join(timeout=300)
        flagger.join(timeout=300)
        assert not errors, errors
        before = [i for i, at in acked if at < started]
        flagged_before = {uid for uid, at in flagged.items() if at < started}
        assert len(before) >= TOTAL // 3 and len(flagged_before) >= TOTAL // 6, (len(before), len(flagged_before))
        assert len(acked) == TOTAL
    finally:
        site.stop()

    summary = json.loads(created.stdout)
    backup = Path(summary["path"])
    assert summary["lost"] == []
    assert site.run("verify", str(backup)).returncode == 0

    # Restore into a fresh data folder and serve it.
    restored = RestoreSite(tmp_path / "restored")  # not seeded: the users come from the backup
    r = restored.run("restore", str(backup), "--config", str(restored.config), "--json")
    restore_summary = json.loads(r.stdout)
    assert restore_summary["files"] == summary["files"] and restore_summary["database"] == "sqlite"
    # A second restore into the now-filled folder is refused.
    again = restored.run("restore", str(backup), "--config", str(restored.config), check=False)
    assert again.returncode != 0 and "restore refused: the database" in again.stderr, again.stderr
    restored.start()
    try:
        # Messages still queued at backup time are delivered from the restored spool.
        wanted = {f"<load-{i}@remote.example>" for i in before}
        deadline = time.monotonic() + 60
        while True:
            seen = inbox_over_imap(restored)
            ids = [mid for _, _, mid in seen]
            if wanted <= set(ids) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for mid in wanted:
            assert ids.count(mid) == 1, (mid, ids.count(mid))
        # Only messages of the backup: nothing accepted after it started can be there twice, either.
        assert len(ids) == len(set(ids))
        by_uid = {uid: flags for uid, flags, _ in seen}
        for uid in flagged_before:
            assert {r"\Flagged", "$Done"} <= by_uid.get(uid, set()), (uid, by_uid.get(uid))
        # Every message of the snapshot has exactly the flags it had then (\Answered toggled too).
        snapshot = sqlite3.connect(f"file:{backup / 'db/posta.db'}?mode=ro", uri=True)
        then = {uid: set(flags.split()) for uid, flags in snapshot.execute(
            """SELECT m.uid, m.flags FROM message m JOIN mailbox b ON b.id = m.mailbox_id JOIN account a ON a.id = b.account_id
               WHERE a.address_key = ? AND b.name = 'INBOX'""", (ALICE,))}
        snapshot.close()
        assert len(then) >= len(flagged_before)
        for uid, flags in then.items():
            assert by_uid.get(uid, set()) - {r"\Recent"} == flags, (uid, by_uid.get(uid), flags)

        # Partial restore: alice expunges her INBOX, then gets the "load 1…" messages back.
        imap = restored.imap()
        imap.select("INBOX")
        imap.store("1:*", "+FLAGS", r"(\Deleted)")
        imap.expunge()
        imap.logout()
        assert inbox_over_imap(restored) == []
        snapshot = sqlite3.connect(f"file:{backup / 'db/posta.db'}?mode=ro", uri=True)
        files = [r[0] for r in snapshot.execute(
            """SELECT 'data/mail/' || s.maildir || '/' || m.file FROM message m JOIN mailbox b ON b.id = m.mailbox_id
               JOIN store_account s ON s.account_id = b.account_id JOIN account a ON a.id = b.account_id
               WHERE a.address_key = ? AND b.name = 'INBOX'""", (ALICE,))]
        snapshot.close()
        expected = set()
        for path in files:
            text = (backup / path).read_bytes()
            if re.search(rb"^Subject: load 1", text, re.M):
                expected.add(re.search(rb"<[^>]+>", text.split(b"\r\n\r\n")[0].split(b"Message-ID:")[1]).group(0).decode())
        assert expected
        args = ["restore", str(backup), "--config", str(restored.config), "--account", ALICE, "--folder", "INBOX",
                "--subject", "LOAD 1", "--json"]
        dry = json.loads(restored.run(*args, "--dry-run").stdout)
        assert len(dry["messages"]) == len(expected) and dry["restored"] == 0
        first = json.loads(restored.run(*args).stdout)
        assert first["restored"] == len(expected), first
        got = inbox_over_imap(restored, "Restored")
        assert sorted(mid for _, _, mid in got) == sorted(expected)
        second = json.loads(restored.run(*args).stdout)
        assert second["restored"] == 0 and second["alreadyRestored"] == len(expected), second
        assert len(inbox_over_imap(restored, "Restored")) == len(expected)
        assert inbox_over_imap(restored) == []
    finally:
        restored.stop()

    # Flip one byte of one message file of the backup: verify names it, restore refuses it.
    manifest = json.loads((backup / "manifest.json").read_text())
    victim = next(f["path"] for f in manifest["files"] if f["set"] == "mail")
    target = backup / victim
    data = bytearray(target.read_bytes())
    target.unlink()  # a hard link shares its bytes with the data folder
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    r = site.run("verify", str(backup), check=False)
    assert r.returncode == 1 and f"checksum: {victim}" in r.stdout, (r.stdout, r.stderr)
    fresh = RestoreSite(tmp_path / "fresh")
    r = fresh.run("restore", str(backup), "--config", str(fresh.config), check=False)
    assert r.returncode != 0 and victim in r.stderr and "verification" in r.stderr, r.stderr
    assert list(fresh.data.iterdir()) == [] and not (fresh.data / "posta.db").exists()

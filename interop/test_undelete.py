"""Undelete (issue #21): messages expunged over IMAP and folders deleted over IMAP are kept for
`[store] undelete_retention`, invisible and outside the quota; `posta undelete restore` puts them back
with their flags and new UIDs, and a client IDLEing on the folder sees them arrive (`* N EXISTS`);
after the retention the purge (the CLI's, and `posta serve`'s own) removes the files for good."""
import imaplib
import json
import re
import smtplib
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from conftest import POSTA, free_port, wait_for_port
from mailsite import MailSite

PASSWORD = "password-123"
ALICE = "alice@example.org"


class UndeleteSite(MailSite):
    def __init__(self, folder: Path, retention: str, sweep: str = "1h"):
        self.imap_port = free_port()
        super().__init__(folder, extra_config=f'''
[[listener]]
protocol = "imap"
address = "127.0.0.1:{self.imap_port}"
[store]
undelete_retention = "{retention}"
sweep_interval = "{sweep}"
''')

    def start(self):
        super().start()
        wait_for_port(self.imap_port)
        return self

    def imap(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=30)
        imap.starttls(ssl.create_default_context(cafile=str(self.cert)))
        imap.login(ALICE, PASSWORD)
        return imap

    def deliver(self, subjects: list[str]) -> None:
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30) as smtp:
            for subject in subjects:
                smtp.sendmail("someone@remote.example", [ALICE],
                              f"From: someone@remote.example\r\nTo: {ALICE}\r\nSubject: {subject}\r\n\r\nbody of {subject}\r\n")
        assert len(self.wait_for_messages(ALICE, len(subjects))) == len(subjects)

    def undelete(self, *args: str) -> str:
        return self.posta("undelete", *args)

    def kept_files(self) -> list[Path]:
        """The files of the kept (not restored) messages, from the index."""
        root = self.maildir(ALICE)
        with self.db() as db:
            rows = db.execute("SELECT file FROM deleted_message WHERE restored_at IS NULL ORDER BY id").fetchall()
        return [root / file for (file,) in rows]

    def used_bytes(self) -> int:
        with self.db() as db:
            return db.execute("SELECT s.used_bytes FROM store_account s JOIN account a ON a.id = s.account_id "
                              "WHERE a.address_key = ?", (ALICE,)).fetchone()[0]


@pytest.fixture
def site(tmp_path):
    s = UndeleteSite(tmp_path, retention="14d").seed().start()
    yield s
    s.stop()


def uid_flags(imap: imaplib.IMAP4) -> dict[int, set[str]]:
    typ, data = imap.uid("FETCH", "1:*", "(FLAGS)")
    assert typ == "OK"
    out = {}
    for line in data:
        if isinstance(line, bytes) and (m := re.search(rb"UID (\d+) FLAGS \(([^)]*)\)", line)):
            out[int(m.group(1))] = set(m.group(2).decode().split())
    return out


def idle_until_exists(imap: imaplib.IMAP4, count: int, action, timeout: float = 15.0) -> list[bytes]:
    """IDLE (RFC 2177) on the selected mailbox, run `action`, and read untagged responses until
    `* <count> EXISTS` (a socket timeout fails the test); then DONE. Returns what was read."""
    tag = imap._new_tag()
    imap.send(tag + b" IDLE\r\n")
    assert imap.readline().startswith(b"+"), "no IDLE continuation"
    action()
    want = f"* {count} EXISTS".encode()
    seen: list[bytes] = []
    imap.sock.settimeout(timeout)  # one timeout for the whole wait
    for _ in range(50):
        line = imap.readline()
        seen.append(line.strip())
        if not line or line.strip() == want:
            break
    assert seen[-1] == want, seen
    imap.send(b"DONE\r\n")
    for _ in range(20):
        line = imap.readline()
        if line.startswith(tag):
            assert b" OK" in line, line
            break
    imap.sock.settimeout(30)
    return seen


def test_expunged_message_is_restored_to_an_idling_client_with_its_flags(site: UndeleteSite):
    site.deliver(["one", "two"])
    used_before = site.used_bytes()
    imap = site.imap()
    imap.select("INBOX")
    assert imap.uid("STORE", "1", "+FLAGS", r"(\Flagged $Work \Deleted)")[0] == "OK"
    imap.expunge()
    assert uid_flags(imap).keys() == {2}
    imap.logout()

    # Kept: on disk, in the index's undelete table, not in the mailbox, not in the quota.
    kept = site.kept_files()
    assert len(kept) == 1 and kept[0].exists()
    assert site.used_bytes() < used_before
    assert len(site.messages(ALICE)) == 1
    listed = json.loads(site.undelete("list", ALICE, "--json"))
    assert [(m["mailboxName"], sorted(m["flags"]), m["folderDeleted"]) for m in listed] == [
        ("INBOX", sorted([r"\Flagged", r"\Deleted", "$Work"]), False)]
    # A restore needs a selection.
    r = subprocess.run([POSTA, "undelete", "restore", ALICE, "--config", str(site.config)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode != 0 and "--all" in r.stderr

    watcher = site.imap()
    typ, data = watcher.select("INBOX")
    assert typ == "OK" and data == [b"1"]
    restored = []
    seen = idle_until_exists(watcher, 2, lambda: restored.append(site.undelete("restore", ALICE, "--folder", "INBOX")))
    assert b"* 2 EXISTS" in seen, seen
    assert "1 message(s) restored" in restored[0]
    flags = uid_flags(watcher)
    # A new UID (never reused), the flags kept but \Deleted.
    assert sorted(flags) == [2, 3]
    assert {r"\Flagged", "$Work"} <= flags[3] and r"\Deleted" not in flags[3]
    typ, data = watcher.uid("FETCH", "3", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert b"Subject: one" in data[0][1]
    watcher.logout()
    assert site.used_bytes() == used_before
    assert not kept[0].exists()  # the file now has a name in the folder's cur/

    # Restoring again restores nothing.
    assert "0 message(s) restored" in site.undelete("restore", ALICE, "--all")
    assert len(site.messages(ALICE)) == 2


def test_deleted_folder_is_restored(site: UndeleteSite):
    imap = site.imap()
    assert imap.create("Projects")[0] == "OK"
    assert imap.append("Projects", r"(\Seen $Plan)", None, b"Subject: plan\r\n\r\nthe plan\r\n")[0] == "OK"
    assert imap.delete("Projects")[0] == "OK"
    typ, data = imap.list()
    assert not any(b"Projects" in line for line in data)
    listed = json.loads(site.undelete("list", ALICE, "--folder", "Projects", "--json"))
    assert len(listed) == 1 and listed[0]["folderDeleted"]
    assert "1 message(s) restored" in site.undelete("restore", ALICE, "--folder", "Projects")
    typ, data = imap.select("Projects")
    assert typ == "OK" and data == [b"1"]
    flags = uid_flags(imap)
    assert [f - {r"\Recent"} for f in flags.values()] == [{r"\Seen", "$Plan"}]
    imap.logout()


def test_purge_after_the_retention_frees_the_files(site: UndeleteSite):
    site.deliver(["gone"])
    imap = site.imap()
    imap.select("INBOX")
    imap.store("1", "+FLAGS", r"\Deleted")
    imap.expunge()
    imap.logout()
    kept = site.kept_files()
    assert len(kept) == 1 and kept[0].exists()
    # Within the configured 14 days nothing goes.
    assert "0 message(s) purged" in site.undelete("purge")
    assert kept[0].exists()
    time.sleep(1.1)
    assert "1 message(s) purged" in site.undelete("purge", "--retention", "1s")
    assert not kept[0].exists()
    assert json.loads(site.undelete("list", ALICE, "--json")) == []
    assert "0 message(s) restored" in site.undelete("restore", ALICE, "--all")


def test_serve_purges_on_its_own(tmp_path):
    site = UndeleteSite(tmp_path, retention="1s", sweep="1s").seed().start()
    try:
        site.deliver(["short-lived"])
        with site.db() as db:
            files = [site.maildir(ALICE) / f for (f,) in db.execute("SELECT file FROM message").fetchall()]
        assert len(files) == 1 and files[0].exists()
        imap = site.imap()
        imap.select("INBOX")
        imap.store("1", "+FLAGS", r"\Deleted")
        imap.expunge()
        imap.logout()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (files[0].exists() or site.kept_files()):
            time.sleep(0.2)
        assert not files[0].exists() and site.kept_files() == []
    finally:
        site.stop()

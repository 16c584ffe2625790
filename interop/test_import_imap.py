"""`posta import imap` (issue #21): an imapsync-like pull from a live IMAP server into a Posta account.

A private Dovecot 2.3 (imapsite.DovecotIMAP, on loopback) is filled over IMAP: APPENDs with flags, keywords
and INTERNALDATEs into INBOX, a folder and a sub-folder, one message expunged so that UIDs have a gap. Then
`posta import imap` pulls alice's mail into a running Posta (imapsite.PostaIMAP): a dry run writes nothing; a
run limited to INBOX (plaintext; Dovecot counts loopback as secure) stands for an interrupted pull; the full run
over implicit TLS (--insecure: the test certificate is self-signed) imports only the rest; a run over STARTTLS
imports nothing. An IMAP client then sees the same folders, UIDVALIDITYs, UIDs, flags, INTERNALDATEs and bytes
on Posta as on Dovecot. A second account pulled while its folder holds other mail gets new UIDs, once. A pull of
700 messages (four FETCH batches) SIGKILLed once some are stored is finished by the next run, with no duplicate.
"""
import imaplib
import json
import os
import re
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest

from conftest import POSTA
from imapsite import PASSWORD, DovecotIMAP, Literal, PostaIMAP, address, quote

USER = address("alice")
# (folder, flags, INTERNALDATE) of each APPEND; the third Work message is expunged afterwards.
SEED = [
    ("INBOX", "\\Seen", "02-Jan-2024 10:20:30 +0200"),
    ("INBOX", "\\Answered \\Flagged $Label1", "15-Feb-2023 23:59:59 -0500"),
    ("INBOX", "", "01-Mar-2022 00:00:01 +0000"),
    ("Work", "\\Seen \\Draft", "10-Apr-2021 12:00:00 +0100"),
    ("Work", "\\Seen", "11-Apr-2021 12:00:00 +0100"),
    ("Work", "", "12-Apr-2021 12:00:00 +0100"),
    ("Work", "\\Deleted", "13-Apr-2021 12:00:00 +0100"),
    ("Work/2024", "Junk", "05-May-2024 05:05:05 +0530"),
]


def message(i: int) -> bytes:
    return (f"From: sender{i}@example.net\r\nTo: {USER}\r\nSubject: pulled {i}\r\n"
            f"Message-ID: <pull{i}@example.net>\r\n\r\nbody {i}\r\n" + "line\r\n" * i).encode()


def epoch(text: str) -> int:
    return int(datetime.strptime(text.strip(), "%d-%b-%Y %H:%M:%S %z").timestamp())


def snapshot(imap: imaplib.IMAP4, folders: list[str]) -> dict[str, dict]:
    """UIDVALIDITY and UID → (flags without \\Recent, INTERNALDATE as seconds, bytes) per folder."""
    out = {}
    for folder in folders:
        typ, data = imap.select(quote(folder).decode(), readonly=True)
        assert typ == "OK", (folder, data)
        validity = int(imap.untagged_responses.get("UIDVALIDITY", [b"0"])[-1])
        messages = {}
        if int(data[0]) > 0:
            typ, data = imap.uid("FETCH", "1:*", "(UID FLAGS INTERNALDATE)")
            assert typ == "OK", data
            for line in data:
                uid = int(re.search(rb"UID (\d+)", line).group(1))
                flags = set(re.search(rb"FLAGS \(([^)]*)\)", line).group(1).decode().split()) - {"\\Recent"}
                date = epoch(re.search(rb'INTERNALDATE "([^"]+)"', line).group(1).decode())
                messages[uid] = [flags, date, None]
            typ, data = imap.uid("FETCH", "1:*", "(UID BODY.PEEK[])")
            assert typ == "OK", data
            for item in data:
                if isinstance(item, tuple):
                    messages[int(re.search(rb"UID (\d+)", item[0]).group(1))][2] = item[1]
        out[folder] = {"uidvalidity": validity, "messages": messages}
        imap.close()
    return out


@pytest.fixture
def servers(tmp_path: Path):
    dovecot = DovecotIMAP(tmp_path / "dv").start()
    posta = PostaIMAP(tmp_path / "posta").start()
    try:
        yield dovecot, posta
    finally:
        posta.stop()
        dovecot.stop()


def pull(posta: PostaIMAP, dovecot: DovecotIMAP, tmp_path: Path, *extra: str, account: str = USER) -> dict:
    secret = tmp_path / "imap-password"
    secret.write_text(PASSWORD + "\n")
    out = posta.site.posta("import", "imap", "--host", "127.0.0.1", "--user", USER, "--password-file", str(secret),
                           "--account", account, "--json", *extra)
    return json.loads(out)


def counts(summary: dict) -> dict[str, tuple[int, int, int]]:
    return {f["folder"]: (f["imported"], f["alreadyPresent"], f["skipped"]) for f in summary["folders"]}


def test_pull_keeps_uids_flags_dates_and_resumes(servers, tmp_path: Path):
    dovecot, posta = servers
    conn = dovecot.raw("alice")
    conn.ok("CREATE ", quote("Work"))
    conn.ok("CREATE ", quote("Work/2024"))
    conn.close()
    for i, (folder, flags, date) in enumerate(SEED):
        dovecot.append("alice", folder, message(i), flags=flags, date=date)
    conn = dovecot.raw("alice")
    conn.ok("SELECT ", quote("Work"))
    conn.ok("EXPUNGE")
    conn.close()
    plain = ("--port", str(dovecot.imap_port), "--tls", "none")

    dry = pull(posta, dovecot, tmp_path, *plain, "--dry-run")
    assert dry["dryRun"] and sum(f["imported"] for f in dry["folders"]) == 7, dry
    with posta.site.db() as db:
        assert db.execute("SELECT count(*) FROM message").fetchone()[0] == 0

    # An interrupted pull: only INBOX.
    first = pull(posta, dovecot, tmp_path, *plain, "--folder", "INBOX")
    assert counts(first) == {"INBOX": (3, 0, 0)}, first
    # Posta's empty INBOX is adopted, or resumed when both servers made their INBOX in the same second
    # (each takes the time as UIDVALIDITY): either way it takes Dovecot's UIDs.
    assert first["folders"][0]["action"] in ("adopt", "resume")

    # The full pull over implicit TLS finishes the rest and stores nothing twice.
    second = pull(posta, dovecot, tmp_path, "--port", str(dovecot.imaps_port), "--tls", "implicit", "--insecure")
    got = counts(second)
    assert got["INBOX"] == (0, 3, 0) and got["Work"] == (3, 0, 0) and got["Work/2024"] == (1, 0, 0), second

    # Again, over STARTTLS: nothing new.
    third = pull(posta, dovecot, tmp_path, "--port", str(dovecot.imap_port), "--tls", "starttls", "--insecure")
    assert sum(f["imported"] for f in third["folders"]) == 0, third
    assert sum(f["alreadyPresent"] for f in third["folders"]) == 7, third

    # Without --insecure the self-signed certificate is refused.
    secret = tmp_path / "imap-password"
    r = subprocess.run([POSTA, "import", "imap", "--host", "127.0.0.1", "--port", str(dovecot.imaps_port), "--user",
                        USER, "--password-file", str(secret), "--account", USER, "--config", str(posta.site.config)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "certificate" in (r.stderr + r.stdout).lower(), (r.stdout, r.stderr)

    folders = ["INBOX", "Work", "Work/2024"]
    source = dovecot.login()
    target = posta.login()
    try:
        before = snapshot(source, folders)
        after = snapshot(target, folders)
    finally:
        source.logout()
        target.logout()
    assert before == after
    assert sorted(before["Work"]["messages"]) == [1, 2, 3], before["Work"]  # the expunged UID 4 stays a gap
    assert before["INBOX"]["messages"][2][0] == {"\\Answered", "\\Flagged", "$Label1"}

    with posta.site.db() as db:
        assert db.execute("SELECT count(*) FROM message").fetchone()[0] == 7


def test_pull_into_a_folder_with_other_mail_gets_new_uids_once(servers, tmp_path: Path):
    dovecot, posta = servers
    for i in range(3):
        dovecot.append("alice", "INBOX", message(i), flags="\\Seen", date="02-Jan-2024 10:20:30 +0200")
    posta.deliver("bob", message(99))
    plain = ("--port", str(dovecot.imap_port), "--tls", "none", "--folder", "INBOX")
    first = pull(posta, dovecot, tmp_path, *plain, account=address("bob"))
    assert counts(first) == {"INBOX": (3, 0, 0)}, first
    assert first["folders"][0]["action"] == "new-uids" and first["folders"][0]["remark"], first
    again = pull(posta, dovecot, tmp_path, *plain, account=address("bob"))
    assert counts(again) == {"INBOX": (0, 3, 0)}, again
    target = posta.login("bob")
    try:
        typ, data = target.select("INBOX", readonly=True)
        assert int(data[0]) == 4
        typ, data = target.uid("FETCH", "1:*", "(UID FLAGS)")
        flags = [set(re.search(rb"FLAGS \(([^)]*)\)", line).group(1).decode().split()) for line in data]
        assert sum("\\Seen" in f for f in flags) == 3, data
    finally:
        target.logout()


def test_a_pull_killed_mid_batch_resumes_without_duplicates(servers, tmp_path: Path):
    """More than two FETCH batches (200 UIDs each); the posta process is SIGKILLed once some are stored."""
    dovecot, posta = servers
    total = 700
    conn = dovecot.raw("alice")
    conn.ok("CREATE ", quote("Bulk"))
    for i in range(total):
        conn.ok("APPEND ", quote("Bulk"), " (\\Seen) ", Literal(message(i) + b"x" * 2000 + b"\r\n"))
    conn.close()
    secret = tmp_path / "imap-password"
    secret.write_text(PASSWORD + "\n")
    args = [POSTA, "import", "imap", "--host", "127.0.0.1", "--port", str(dovecot.imap_port), "--tls", "none",
            "--user", USER, "--password-file", str(secret), "--account", USER, "--folder", "Bulk", "--json",
            "--config", str(posta.site.config)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    stored = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and stored < 50:
        with posta.site.db() as db:
            stored = db.execute("SELECT count(*) FROM message").fetchone()[0]
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    with posta.site.db() as db:
        stored = db.execute("SELECT count(*) FROM message").fetchone()[0]
    assert 0 < stored < total, stored  # killed in the middle

    resumed = pull(posta, dovecot, tmp_path, "--port", str(dovecot.imap_port), "--tls", "none", "--folder", "Bulk")
    (folder,) = resumed["folders"]
    assert folder["action"] == "resume", resumed
    assert folder["alreadyPresent"] == stored and folder["imported"] == total - stored, resumed
    with posta.site.db() as db:
        assert db.execute("SELECT count(*), count(DISTINCT uid) FROM message").fetchone() == (total, total)
    source, target = dovecot.login(), posta.login()
    try:
        assert snapshot(source, ["Bulk"]) == snapshot(target, ["Bulk"])
    finally:
        source.logout()
        target.logout()

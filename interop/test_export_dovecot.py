"""`posta export` (issue #21): an account leaves Posta and keeps its UIDs.

Mail arrives over SMTP into INBOX, some of it is copied into sub-folders (one with a non-ASCII name),
some is expunged so UIDs have gaps, and flags and keywords are set over IMAP. What Posta's IMAP shows
(UIDVALIDITY, UIDs, flags, internal dates, bytes) is recorded, the account is exported with
`posta export --format maildir`, and a real Dovecot 2.3 serving that Maildir must show the same over
IMAP, folder by folder, and Dovecot's POP3 the same unique-ids as Posta's. The same account exported
with `--format mbox` is read with Python's `mailbox` module and served by Dovecot's mbox storage: the
same messages in each file with their flags and keywords (and, in Dovecot, the same UIDs)."""
import email.utils
import imaplib
import json
import mailbox
import os
import poplib
import re
import smtplib
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from conftest import POSTA, free_port, make_reachable, wait_for_port
from dovecotpeer import PrivateDovecot, vmail
from mailsite import MailSite

ADDRESS = "alice@example.org"
PASSWORD = "password-123"
FOLDERS = ["INBOX", "Lists/posta", "Entw&APw-rfe"]  # as IMAP names them (modified UTF-7)


def message(i: int) -> bytes:
    return (f"From: sender{i}@example.net\r\nTo: {ADDRESS}\r\nSubject: export {i}\r\n"
            f"Message-ID: <export-{i}@example.net>\r\n\r\nline one of {i}\r\n"
            f"From the middle of message {i}\r\nend\r\n").encode()


def snapshot(imap: imaplib.IMAP4) -> dict[str, dict]:
    """UIDVALIDITY and, by UID, the flags (without \\Recent), internal date and bytes of each folder."""
    out = {}
    for folder in FOLDERS:
        typ, _ = imap.select(f'"{folder}"', readonly=True)
        assert typ == "OK", folder
        validity = int(imap.untagged_responses.get("UIDVALIDITY", [b"0"])[-1])
        typ, data = imap.uid("FETCH", "1:*", "(UID FLAGS INTERNALDATE)")
        assert typ == "OK", data
        messages = {}
        for line in data:
            if not line or not isinstance(line, bytes):
                continue
            uid = int(re.search(rb"UID (\d+)", line).group(1))
            flags = set(re.search(rb"FLAGS \(([^)]*)\)", line).group(1).decode().split()) - {"\\Recent"}
            date = int(time.mktime(imaplib.Internaldate2tuple(line)))
            typ, body = imap.uid("FETCH", str(uid), "(BODY.PEEK[])")
            assert typ == "OK", body
            literal = next(part[1] for part in body if isinstance(part, tuple))
            messages[uid] = {"flags": flags, "date": date, "bytes": literal}
        out[folder] = {"uidvalidity": validity, "messages": messages}
        imap.close()
    return out


def start_dovecot(folder: Path, tree: Path, location: str) -> tuple[PrivateDovecot, int, int]:
    """Dovecot serving `tree` (chowned to its mail user) at `location`: the server, its IMAP and POP3 ports."""
    home = folder / "home"
    home.mkdir(parents=True)
    for path in [tree, *tree.rglob("*"), home]:
        os.chown(path, vmail().pw_uid, vmail().pw_gid)
    make_reachable(tree)
    make_reachable(home)
    dovecot = PrivateDovecot(folder, [ADDRESS], PASSWORD, location=location, home=str(home), pop3=True)
    return dovecot, dovecot.imap, dovecot.pop3


def uidls(pop: poplib.POP3) -> list[bytes]:
    """The unique-ids of the maildrop, in message order."""
    pop.user(ADDRESS)
    pop.pass_(PASSWORD)
    _, lines, _ = pop.uidl()
    pop.quit()
    return [line.split()[1] for line in lines]


def stop_dovecot(dovecot: PrivateDovecot | None) -> None:
    if dovecot:
        dovecot.stop()


def export(site: MailSite, out: Path, fmt: str) -> dict:
    r = subprocess.run([POSTA, "export", ADDRESS, str(out), "--format", fmt, "--json", "--config", str(site.config)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (r.stdout, r.stderr)
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    """A running Posta whose account got mail over SMTP, sub-folders, UID gaps, flags and keywords; with
    what its IMAP and POP3 servers show of it."""
    folder = tmp_path_factory.mktemp("export")
    imaps_port, pop3s_port = free_port(), free_port()
    site = MailSite(folder / "posta", extra_config=f'''
[[listener]]
protocol = "imaps"
address = "127.0.0.1:{imaps_port}"
[[listener]]
protocol = "pop3s"
address = "127.0.0.1:{pop3s_port}"
''')
    site.seed()
    site.start()
    try:
        wait_for_port(imaps_port)
        with smtplib.SMTP("127.0.0.1", site.smtp_port, timeout=60) as smtp:
            for i in range(1, 9):
                smtp.sendmail(f"sender{i}@example.net", [ADDRESS], message(i))
        site.wait_for_messages(ADDRESS, 8)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        posta = imaplib.IMAP4_SSL("127.0.0.1", imaps_port, ssl_context=context, timeout=60)
        posta.login(ADDRESS, PASSWORD)
        for name in FOLDERS[1:]:
            assert posta.create(f'"{name}"')[0] == "OK"
        posta.subscribe('"Entw&APw-rfe"')
        posta.select("INBOX")
        posta.uid("COPY", "3:5", '"Lists/posta"')
        posta.uid("COPY", "6,8", '"Entw&APw-rfe"')
        posta.uid("STORE", "1,4", "+FLAGS", r"(\Seen \Flagged)")
        posta.uid("STORE", "4,7", "+FLAGS", r"(\Answered $Forwarded Work)")
        posta.uid("STORE", "8", "+FLAGS", r"(\Draft \Deleted)")  # kept: \Deleted without EXPUNGE
        posta.uid("STORE", "2,5", "+FLAGS", r"(\Deleted)")
        posta.uid("EXPUNGE", "2,5")
        posta.select('"Lists/posta"')
        posta.uid("STORE", "1", "+FLAGS", r"(\Deleted)")
        posta.uid("EXPUNGE", "1")
        posta.uid("STORE", "3", "+FLAGS", r"(\Seen Project-X)")
        posta.close()
        before = snapshot(posta)
        posta.logout()
        assert sorted(before["INBOX"]["messages"]) == [1, 3, 4, 6, 7, 8]
        assert sorted(before["Lists/posta"]["messages"]) == [2, 3]
        assert "Work" in before["INBOX"]["messages"][7]["flags"]
        wait_for_port(pop3s_port)
        posta_uidls = uidls(poplib.POP3_SSL("127.0.0.1", pop3s_port, context=context, timeout=60))
        assert len(posta_uidls) == 6
        yield site, before, posta_uidls, folder
    finally:
        site.stop()


def test_dovecot_serves_a_maildir_export_with_the_same_uids(account):
    site, before, posta_uidls, folder = account
    out = folder / "maildir"
    summary = export(site, out, "maildir")
    assert summary["messages"] == 10 and summary["problems"] == []
    assert {"", ".Entw&APw-rfe", ".Lists", ".Lists.posta", ".Sent"} <= {f["path"] for f in summary["folders"]}
    # A second export into the same folder is refused.
    again = subprocess.run([POSTA, "export", ADDRESS, str(out), "--format", "maildir", "--config", str(site.config)],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode != 0 and "not an empty folder" in again.stderr

    dovecot, port, pop3_port = start_dovecot(folder / "dovecot-maildir", out, f"maildir:{out}")
    try:
        imap = imaplib.IMAP4("127.0.0.1", port, timeout=60)
        imap.login(ADDRESS, PASSWORD)
        typ, lines = imap.lsub('""', "*")
        assert typ == "OK" and any(b"Entw&APw-rfe" in line for line in lines), lines
        after = snapshot(imap)
        # Dovecot's next UID is Posta's: a message appended now gets the UID Posta would have given.
        typ, data = imap.status("INBOX", "(UIDNEXT)")
        assert typ == "OK" and b"UIDNEXT 9" in data[0], data
        imap.logout()
        for name in FOLDERS:
            assert after[name]["uidvalidity"] == before[name]["uidvalidity"], name
            assert sorted(after[name]["messages"]) == sorted(before[name]["messages"]), name
            for uid, seen in before[name]["messages"].items():
                got = after[name]["messages"][uid]
                assert got["flags"] == seen["flags"], (name, uid)
                assert got["date"] == seen["date"], (name, uid)
                assert got["bytes"] == seen["bytes"], (name, uid)
        # POP3 clients see the same unique-ids, so they fetch nothing again.
        assert uidls(poplib.POP3("127.0.0.1", pop3_port, timeout=60)) == posta_uidls
    finally:
        stop_dovecot(dovecot)


def mbox_flags(message: mailbox.mboxMessage) -> set[str]:
    status = message.get_flags()
    flags = {"\\Seen"} if "R" in status else set()
    flags |= {f for letter, f in [("A", "\\Answered"), ("F", "\\Flagged"), ("D", "\\Deleted")] if letter in status}
    if "T" in (message["X-Status"] or ""):
        flags.add("\\Draft")
    return flags | set((message["X-Keywords"] or "").split())


def quoted(original: bytes) -> bytes:
    """The message as an mboxrd file holds it, without its line-end style: `From ` lines quoted."""
    return original.replace(b"\r\nFrom the middle", b"\r\n>From the middle")


def test_mbox_export_reads_back_in_python_and_dovecot(account):
    site, before, _, folder = account
    out = folder / "mbox"
    summary = export(site, out, "mbox")
    assert summary["messages"] == 10 and summary["problems"] == []
    files = {f["name"]: f["path"] for f in summary["folders"]}
    assert files["INBOX"] == "INBOX.mbox" and files["Lists/posta"] == "Lists/posta.mbox"
    # Python's mailbox module: the same messages, flags and keywords in each file.
    for name, unicode_name in zip(FOLDERS, ["INBOX", "Lists/posta", "Entwürfe"]):
        read = list(mailbox.mbox(out / files[unicode_name], create=False))
        expected = [before[name]["messages"][uid] for uid in sorted(before[name]["messages"])]
        assert len(read) == len(expected), name
        for got, seen in zip(read, expected):
            assert mbox_flags(got) == seen["flags"], (name, got["Subject"])
            body = got.as_bytes().split(b"\n\n", 1)[1]
            assert body == quoted(seen["bytes"]).split(b"\r\n\r\n", 1)[1].replace(b"\r\n", b"\n"), name
            assert email.utils.parsedate_tz(got.get_from().split(" ", 1)[1]) is not None

    # Dovecot's mbox storage: the same UIDVALIDITY, UIDs, flags, keywords, internal dates and bytes (Status and the
    # other flag fields hidden, as Dovecot does; the quoted line keeps its ">").
    dovecot, port, _ = start_dovecot(folder / "dovecot-mbox", out, f"mbox:{out}:INBOX={out}/INBOX.mbox")
    try:
        imap = imaplib.IMAP4("127.0.0.1", port, timeout=60)
        imap.login(ADDRESS, PASSWORD)
        for name, path in [("INBOX", "INBOX"), ("Lists/posta", "Lists/posta.mbox")]:
            typ, _ = imap.select(f'"{path}"', readonly=True)
            assert typ == "OK", path
            assert int(imap.untagged_responses["UIDVALIDITY"][-1]) == before[name]["uidvalidity"], name
            typ, data = imap.fetch("1:*", "(UID FLAGS INTERNALDATE)")
            assert typ == "OK", data
            lines = [line for line in data if isinstance(line, bytes)]
            # The same UIDs (X-UID), gaps included.
            assert [int(re.search(rb"UID (\d+)", line).group(1)) for line in lines] == sorted(before[name]["messages"])
            expected = [before[name]["messages"][uid] for uid in sorted(before[name]["messages"])]
            for number, (line, seen) in enumerate(zip(lines, expected), start=1):
                flags = set(re.search(rb"FLAGS \(([^)]*)\)", line).group(1).decode().split()) - {"\\Recent"}
                assert flags == seen["flags"], (name, number, line)
                assert int(time.mktime(imaplib.Internaldate2tuple(line))) == seen["date"], (name, number)
                typ, body = imap.fetch(str(number), "(BODY.PEEK[])")
                literal = next(part[1] for part in body if isinstance(part, tuple))
                assert literal == quoted(seen["bytes"]), (name, number)
            imap.close()
        imap.logout()
    finally:
        stop_dovecot(dovecot)

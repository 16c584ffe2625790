"""`posta import mbox` (issue #21): mbox files that a real Dovecot 2.3 wrote, imported into Posta.

A private Dovecot with mbox storage (IMAP on loopback) receives mail for alice through its LDA
(dovecot-lda). Over IMAP alice makes a folder, copies mail into it, sets flags and keywords and expunges one
message, so UIDs have a gap. Dovecot writes all of that into its mbox files (Status, X-Status, X-Keywords,
X-UID, X-IMAPbase). Dovecot stops; `posta import mbox` (its `--variant auto` tells Dovecot's mboxcl2 by
X-IMAPbase) imports its inbox file and the
folder's file (a dry run first, which writes nothing), and a second run imports nothing. Then an IMAP client
against Posta sees the same UIDVALIDITY, UIDs, flags, INTERNALDATEs and messages as against Dovecot.
A hand-written file with a broken From_ line is imported too: that message is reported with file:line and
skipped, the others are stored."""
import imaplib
import json
import re
import shutil
import ssl
import subprocess
from datetime import datetime
from pathlib import Path

from conftest import POSTA, free_port, make_reachable, wait_for_port
from dovecotpeer import PrivateDovecot, vmail
from mailsite import MailSite

PASSWORD = "password-123"
USER = "alice@example.org"
FOLDERS = ["INBOX", "Work"]


BROKEN = b"""From alice@example.org Mon Jan  1 10:00:00 2024
Subject: kept one
Status: RO

one

From this line has no date at all
Subject: lost

lost

From bob@example.org Tue Jan  2 11:30:00 2024
Subject: kept two
X-Status: F

two

"""


def message(i: int) -> bytes:
    return (f"From: sender{i}@example.net\r\nTo: {USER}\r\nSubject: mbox {i}\r\n"
            f"Message-ID: <mbox-{i}@example.net>\r\n\r\nbody {i}\r\nFrom here on, an unquoted From line.\r\n"
            # Dovecot stores this as written (mboxcl2); read as mboxrd it would lose its ">".
            f">From the sender, quoted.\r\n").encode()


class Dovecot(PrivateDovecot):
    """mbox storage: alice's INBOX in `<home>/inbox`, her other folders under `<home>/mail`."""

    def __init__(self, folder: Path):
        self.vmail = folder / "vmail"
        self.home = self.vmail / "example.org" / "alice"
        (self.home / "mail").mkdir(parents=True)
        for path in (self.vmail, self.vmail / "example.org", self.home, self.home / "mail"):
            shutil.chown(path, vmail().pw_uid, vmail().pw_gid)
        make_reachable(self.vmail)
        super().__init__(folder, [USER], PASSWORD, location=f"mbox:{self.vmail}/%d/%n/mail:INBOX={self.vmail}/%d/%n/inbox",
                         home=f"{self.vmail}/%d/%n", extra="mbox_lazy_writes = no")

    def deliver(self, data: bytes) -> None:
        super().deliver(USER, data)


def imap_state(imap: imaplib.IMAP4) -> dict[str, dict]:
    """UIDVALIDITY, and UID → (flags without \\Recent, INTERNALDATE, message with CRLF line ends) per folder."""
    out = {}
    for folder in FOLDERS:
        typ, _ = imap.select(f'"{folder}"', readonly=True)
        assert typ == "OK", folder
        validity = int(imap.untagged_responses.get("UIDVALIDITY", [b"0"])[-1])
        typ, data = imap.uid("FETCH", "1:*", "(UID FLAGS INTERNALDATE BODY.PEEK[])")
        assert typ == "OK", data
        messages = {}
        for item in data:
            if not isinstance(item, tuple):
                continue
            head, body = item
            uid = int(re.search(rb"UID (\d+)", head).group(1))
            flags = set(re.search(rb"FLAGS \(([^)]*)\)", head).group(1).decode().split()) - {"\\Recent"}
            date = datetime.strptime(re.search(rb'INTERNALDATE "([^"]+)"', head).group(1).decode(), "%d-%b-%Y %H:%M:%S %z")
            messages[uid] = (flags, date, body.replace(b"\r\n", b"\n"))
        out[folder] = {"uidvalidity": validity, "messages": messages}
        imap.close()
    return out


def test_dovecot_mbox_files_keep_uids_flags_and_dates_in_posta(tmp_path: Path):
    dovecot = Dovecot(tmp_path)
    site = None
    try:
        for i in range(1, 6):
            dovecot.deliver(message(i))
        imap = imaplib.IMAP4("127.0.0.1", dovecot.imap, timeout=60)
        imap.login(USER, PASSWORD)
        assert imap.create("Work")[0] == "OK"
        imap.select("INBOX")
        assert imap.uid("COPY", "2:3", "Work")[0] == "OK"
        imap.uid("STORE", "1", "+FLAGS", r"(\Seen)")
        imap.uid("STORE", "2", "+FLAGS", r"(\Answered \Flagged)")
        imap.uid("STORE", "3", "+FLAGS", r"(Work $Junk)")
        imap.uid("STORE", "4", "+FLAGS", r"(\Deleted)")
        imap.expunge()  # UID 4 goes: a gap
        imap.uid("STORE", "5", "+FLAGS", r"(\Draft)")
        imap.select("Work")
        imap.uid("STORE", "1", "+FLAGS", r"($Forwarded Privat \Seen)")
        imap.close()
        dovecot_state = imap_state(imap)
        imap.logout()
        assert sorted(dovecot_state["INBOX"]["messages"]) == [1, 2, 3, 5]
        assert sorted(dovecot_state["Work"]["messages"]) == [1, 2]
        dovecot.stop()

        inbox, work = dovecot.home / "inbox", dovecot.home / "mail" / "Work"
        text = inbox.read_bytes()
        # Dovecot wrote its UID data and flags into the file itself.
        assert b"X-IMAPbase: " in text and b"X-UID: 5" in text and b"X-Keywords: " in text, text[:2000]

        imaps = free_port()
        site = MailSite(tmp_path / "posta", extra_config=f'''
[[listener]]
protocol = "imaps"
address = "127.0.0.1:{imaps}"
''')
        site.seed()
        broken = tmp_path / "Broken.mbox"
        broken.write_bytes(BROKEN)

        def run_import(*args):
            r = subprocess.run([POSTA, "import", "mbox", *args, "--account", USER, "--json", "--config", str(site.config)],
                               capture_output=True, text=True, timeout=300)
            assert r.returncode == 0, (r.stdout, r.stderr)
            return json.loads(r.stdout)

        def stored_count():
            with site.db() as db:
                return db.execute("SELECT COUNT(*) FROM message").fetchone()[0]

        dry = run_import(str(inbox), str(work), "--dry-run")
        assert dry["dryRun"] is True
        assert [f["imported"] for f in dry["files"]] == [4, 2], dry
        assert stored_count() == 0

        summary = run_import(str(inbox), str(work))
        files = {f["folder"]: f for f in summary["files"]}
        assert sorted(files) == FOLDERS
        # Posta's empty INBOX is adopted, or resumed when both servers made their INBOX in the same second
        # (each takes the time as UIDVALIDITY): either way it takes Dovecot's UIDs.
        assert files["INBOX"]["action"] in ("adopt", "resume") and files["Work"]["action"] == "create", summary
        assert files["INBOX"]["imported"] == 4 and files["Work"]["imported"] == 2
        assert all(f["problems"] == [] for f in summary["files"]), summary
        assert stored_count() == 6

        again = run_import(str(inbox), str(work))
        assert [(f["imported"], f["alreadyPresent"]) for f in again["files"]] == [(0, 4), (0, 2)], again
        assert stored_count() == 6

        bad = run_import(str(broken))
        [file] = bad["files"]
        assert file["folder"] == "Broken" and file["imported"] == 2 and file["skipped"] == 1, bad
        assert [p["what"] for p in file["problems"]] == [f"{broken}:7"], bad
        assert "broken From_ line" in file["problems"][0]["reason"]
        assert run_import(str(broken))["files"][0]["imported"] == 0
        assert stored_count() == 8

        site.start()
        wait_for_port(imaps)
        context = ssl.create_default_context(cafile=str(site.cert))
        context.check_hostname = False
        imap = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=context, timeout=60)
        imap.login(USER, PASSWORD)
        posta_state = imap_state(imap)
        imap.select('"Broken"', readonly=True)
        typ, data = imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        imap.logout()
        for folder in FOLDERS:
            assert posta_state[folder]["uidvalidity"] == dovecot_state[folder]["uidvalidity"], folder
            assert sorted(posta_state[folder]["messages"]) == sorted(dovecot_state[folder]["messages"]), folder
            for uid, (flags, date, body) in dovecot_state[folder]["messages"].items():
                got = posta_state[folder]["messages"][uid]
                assert got[0] == flags, (folder, uid, got[0], flags)
                assert got[1] == date, (folder, uid, got[1], date)
                assert got[2] == body, (folder, uid, got[2], body)
        fetched = [item for item in data if isinstance(item, tuple)]
        assert [body.strip() for _, body in fetched] == [b"Subject: kept one", b"Subject: kept two"], data
        assert b"\\Seen" in fetched[0][0] and b"\\Flagged" in fetched[1][0], data
    finally:
        dovecot.stop()
        if site:
            site.stop()

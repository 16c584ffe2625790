"""`posta import maildir` (issue #21): users leave a real Dovecot 2.3 for Posta, and their clients notice nothing.

A private Dovecot (IMAP and POP3 on loopback, `pop3_uidl_format = %08Xu%08Xv` as in Debian) receives
mail for alice and bob through its LDA (dovecot-lda). Over IMAP alice makes two folders (one with a non-ASCII name), copies
mail into them, sets flags and keywords and expunges one message, so UIDs have a gap. POP3 clients list
both users' UIDLs, and mbsync syncs alice's mailboxes into a local Maildir. Dovecot stops, and `posta import
maildir` imports its tree into a Posta with the same accounts: a dry run first (it writes nothing), then
the import, then a second import (it imports nothing). Afterwards:
- mbsync, with the same local store and sync state, syncs against Posta and downloads nothing: the local
  files are the same, and mbsync reports nothing added;
- POP3 UIDL lists from Posta equal Dovecot's, user by user;
- IMAP shows the same UIDVALIDITY, UIDs, flags and keywords as Dovecot did."""
import imaplib
import json
import poplib
import re
import shutil
import ssl
import subprocess
from pathlib import Path

from conftest import POSTA, free_port, make_reachable, wait_for_port
from dovecotpeer import PrivateDovecot, vmail
from mailsite import MailSite

PASSWORD = "password-123"
USERS = ["alice@example.org", "bob@example.org"]
FOLDERS = ["INBOX", "Lists/posta", "Entw&APw-rfe"]  # alice's, as IMAP names them


def message(user: str, i: int) -> bytes:
    return (f"From: sender{i}@example.net\r\nTo: {user}\r\nSubject: {user} {i}\r\n"
            f"Message-ID: <import-{i}-{user}>\r\n\r\nbody {i} of {user}\r\n").encode()


class Dovecot(PrivateDovecot):
    """Maildir++ under `folder/vmail/<domain>/<local part>/Maildir`, IMAP and POP3."""

    def __init__(self, folder: Path):
        self.vmail = folder / "vmail"
        self.vmail.mkdir(parents=True)
        shutil.chown(self.vmail, vmail().pw_uid, vmail().pw_gid)
        make_reachable(self.vmail)
        super().__init__(folder, USERS, PASSWORD, location=f"maildir:{self.vmail}/%d/%n/Maildir",
                         home=f"{self.vmail}/%d/%n", pop3=True, extra="pop3_uidl_format = %08Xu%08Xv")


def uidl_list(pop: poplib.POP3, user: str) -> list[str]:
    pop.user(user)
    pop.pass_(PASSWORD)
    _, lines, _ = pop.uidl()
    # Read one message, as a client that leaves mail on the server does.
    pop.retr(1)
    pop.quit()
    return sorted(line.decode().split(" ", 1)[1] for line in lines)


def imap_state(imap: imaplib.IMAP4) -> dict[str, dict]:
    """UIDVALIDITY and UID → flags (without \\Recent) of alice's folders."""
    out = {}
    for folder in FOLDERS:
        typ, _ = imap.select(f'"{folder}"', readonly=True)
        assert typ == "OK", folder
        validity = int(imap.untagged_responses.get("UIDVALIDITY", [b"0"])[-1])
        typ, data = imap.uid("FETCH", "1:*", "(UID FLAGS)")
        assert typ == "OK", data
        flags = {}
        for line in data:
            if isinstance(line, bytes) and b"UID" in line:
                uid = int(re.search(rb"UID (\d+)", line).group(1))
                flags[uid] = set(re.search(rb"FLAGS \(([^)]*)\)", line).group(1).decode().split()) - {"\\Recent"}
        out[folder] = {"uidvalidity": validity, "flags": flags}
        imap.close()
    return out


def mbsync_config(folder: Path, port: int, tls: str, cert: Path | None) -> Path:
    local = folder / "local"
    local.mkdir(exist_ok=True)
    rc = folder / f"mbsyncrc-{port}"
    rc.write_text(f"""IMAPAccount test
Host {"localhost" if cert else "127.0.0.1"}
Port {port}
User alice@example.org
Pass {PASSWORD}
SSLType {tls}
{f"CertificateFile {cert}" if cert else "# no certificate"}
AuthMechs PLAIN
Timeout 60

IMAPStore remote
Account test

MaildirStore local
Path {local}/
Inbox {local}/INBOX
SubFolders Verbatim

Channel all
Far :remote:
Near :local:
Patterns INBOX Lists/posta Entw*
Create Near
Expunge Near
SyncState *
""")
    return rc


def mbsync(rc: Path) -> str:
    r = subprocess.run(["mbsync", "-V", "-c", str(rc), "-a"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.stdout[-3000:], r.stderr[-3000:])
    return r.stdout + r.stderr


def local_files(folder: Path) -> dict[str, bytes]:
    """Every message file of the local store (relative path → bytes); sync state files left out."""
    out = {}
    for path in (folder / "local").rglob("*"):
        if path.is_file() and path.parent.name in ("cur", "new"):
            out[str(path.relative_to(folder / "local"))] = path.read_bytes()
    return out


def test_clients_synced_against_dovecot_find_nothing_new_on_posta(tmp_path: Path):
    dovecot = Dovecot(tmp_path)
    site = None
    try:
        # Mail arrives through dovecot-lda: 6 for alice, 3 for bob.
        for i in range(1, 7):
            dovecot.deliver("alice@example.org", message("alice@example.org", i))
        for i in range(1, 4):
            dovecot.deliver("bob@example.org", message("bob@example.org", i))
        imap = imaplib.IMAP4("127.0.0.1", dovecot.imap, timeout=60)
        imap.login("alice@example.org", PASSWORD)
        for folder in FOLDERS[1:]:
            assert imap.create(f'"{folder}"')[0] == "OK"
            assert imap.subscribe(f'"{folder}"')[0] == "OK"
        imap.select("INBOX")
        assert imap.uid("COPY", "2:3", '"Lists/posta"')[0] == "OK"
        assert imap.uid("COPY", "4", '"Entw&APw-rfe"')[0] == "OK"
        imap.uid("STORE", "1", "+FLAGS", r"(\Seen)")
        imap.uid("STORE", "2", "+FLAGS", r"(\Answered \Flagged)")
        imap.uid("STORE", "3", "+FLAGS", r"(Work $Junk)")
        imap.uid("STORE", "5", "+FLAGS", r"(\Deleted)")
        imap.expunge()  # UID 5 goes: a gap below the next UID 7
        imap.select('"Lists/posta"')
        imap.uid("STORE", "1", "+FLAGS", r"($Forwarded Privat)")
        imap.select('"Entw&APw-rfe"')
        imap.uid("STORE", "1", "+FLAGS", r"(\Draft)")
        imap.close()
        dovecot_state = imap_state(imap)
        imap.logout()
        assert sorted(dovecot_state["INBOX"]["flags"]) == [1, 2, 3, 4, 6]
        assert "Work" in dovecot_state["INBOX"]["flags"][3]

        dovecot_uidls = {}
        for user in USERS:
            dovecot_uidls[user] = uidl_list(poplib.POP3("127.0.0.1", dovecot.pop3, timeout=60), user)
        assert len(dovecot_uidls["alice@example.org"]) == 5 and len(dovecot_uidls["bob@example.org"]) == 3

        sync_dir = tmp_path / "client"
        sync_dir.mkdir()
        first = mbsync(mbsync_config(sync_dir, dovecot.imap, "None", None))
        synced = local_files(sync_dir)
        assert len(synced) == 5 + 2 + 1, (sorted(synced), first[-2000:])
        dovecot.stop()

        # Posta with the same accounts (and carol, whom the Dovecot tree does not hold).
        imaps, pop3 = free_port(), free_port()
        site = MailSite(tmp_path / "posta", extra_config=f'''
[[listener]]
protocol = "imaps"
address = "127.0.0.1:{imaps}"
[[listener]]
protocol = "pop3"
address = "127.0.0.1:{pop3}"
''')
        site.seed()

        def run_import(*extra):
            r = subprocess.run([POSTA, "import", "maildir", str(dovecot.vmail), "--json", *extra, "--config", str(site.config)],
                               capture_output=True, text=True, timeout=300)
            assert r.returncode == 0, (r.stdout, r.stderr)
            return json.loads(r.stdout)

        def stored_count():
            with site.db() as db:
                return db.execute("SELECT COUNT(*) FROM message").fetchone()[0]

        dry = run_import("--dry-run")
        assert dry["dryRun"] is True
        assert sum(b["imported"] for u in dry["users"] for b in u["mailboxes"]) == 5 + 2 + 1 + 3
        assert stored_count() == 0

        summary = run_import()
        by_user = {u["address"]: u for u in summary["users"]}
        assert sorted(by_user) == USERS
        boxes = {b["name"]: b for b in by_user["alice@example.org"]["mailboxes"]}
        assert boxes["INBOX"]["imported"] == 5 and boxes["INBOX"]["nextUID"] == 7
        assert boxes["Lists/posta"]["imported"] == 2 and boxes["Entwürfe"]["imported"] == 1
        assert sum(b["imported"] for b in by_user["bob@example.org"]["mailboxes"]) == 3
        assert summary["skippedUsers"] == []
        # UID 5 was expunged in Dovecot; its record may outlive its file: reported, not imported.
        notes = by_user["alice@example.org"]["skipped"]
        assert all(n["what"] == "INBOX: UID 5" for n in notes), notes
        assert stored_count() == 11

        again = run_import()
        assert sum(b["imported"] for u in again["users"] for b in u["mailboxes"]) == 0
        assert sum(b["alreadyPresent"] for u in again["users"] for b in u["mailboxes"]) == 11
        assert stored_count() == 11

        site.start()
        wait_for_port(imaps)
        wait_for_port(pop3)
        context = ssl.create_default_context(cafile=str(site.cert))
        context.check_hostname = False

        # IMAP shows what Dovecot showed.
        imap = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=context, timeout=60)
        imap.login("alice@example.org", PASSWORD)
        assert imap_state(imap) == dovecot_state
        imap.logout()

        # POP3 UIDLs are Dovecot's.
        for user in USERS:
            pop = poplib.POP3("127.0.0.1", pop3, timeout=60)
            pop.stls(context=context)
            assert uidl_list(pop, user) == dovecot_uidls[user], user

        # mbsync, same local store and state, now against Posta: nothing to download.
        second = mbsync(mbsync_config(sync_dir, imaps, "IMAPS", site.cert))
        assert local_files(sync_dir) == synced, second[-3000:]
        # Had UIDVALIDITY changed, mbsync would refuse the box; had UIDs moved, it would have fetched them
        # again and expunged the old copies (Expunge Near), changing the files compared above.
        assert "UIDVALIDITY" not in second and "far side: 5 messages" in second, second[-3000:]
        assert stored_count() == 11  # nothing was pushed back either
    finally:
        dovecot.stop()
        if site:
            site.stop()

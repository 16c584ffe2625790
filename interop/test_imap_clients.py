"""Real IMAP clients against the server: mbsync (isync) two-way sync of a 1,000-message mailbox,
neomutt opening the mailbox, check_imap/check_simap from monitoring-plugins."""
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from imapsite import PASSWORD, Literal, address, fetches, imap_server, make_message, status_items  # noqa: F401

PLUGINS = Path("/usr/lib/nagios/plugins")
COUNT = 1000


def append_many(server, count: int) -> None:
    """`count` messages into alice's INBOX over one connection (non-synchronising literals if offered)."""
    conn = server.raw("alice")
    mode = "+" if "LITERAL+" in conn.capabilities() else ""
    for i in range(count):
        conn.ok("APPEND INBOX ", Literal(make_message(f"bulk {i:04d}", f"body {i}\r\n"), mode=mode))
    assert status_items(conn.ok("STATUS INBOX (MESSAGES)"))["INBOX"]["MESSAGES"] == count


def mbsync_config(server, folder: Path) -> Path:
    local = folder / "maildir"
    local.mkdir(exist_ok=True)
    rc = folder / "mbsyncrc"
    rc.write_text(f"""IMAPAccount test
Host localhost
Port {server.imaps_port}
User {address("alice")}
Pass {PASSWORD}
SSLType IMAPS
CertificateFile {server.cert}
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
Patterns *
Create Both
Expunge Both
SyncState *
""")
    return rc


def mbsync(rc: Path) -> None:
    r = subprocess.run(["mbsync", "-c", str(rc), "-a"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, (r.stdout[-2000:], r.stderr[-2000:])


def local_messages(folder: Path) -> dict[str, str]:
    """Subject → maildir flags of every message in a local Maildir folder."""
    out = {}
    for sub in ("cur", "new"):
        for path in (folder / sub).iterdir():
            head = path.read_bytes().split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"\n")
            subject = re.search(rb"^Subject: (.*)$", head, re.M).group(1).decode()
            out[subject] = path.name.rsplit(":2,", 1)[1] if ":2," in path.name else ""
    return out


def set_local_flag(path: Path, flag: str) -> None:
    base, _, flags = path.name.partition(":2,")
    path.rename(path.parent.parent / "cur" / f"{base}:2,{''.join(sorted(set(flags + flag)))}")


def server_state(server, mailbox: str = "INBOX") -> dict[str, set[str]]:
    """Subject → flags of every message on the server."""
    conn = server.raw("alice")
    conn.ok("EXAMINE ", f'"{mailbox}"')
    got = fetches(conn.ok("FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
    out = {}
    for items in got.values():
        header = next(v for k, v in items.items() if k.startswith("BODY[HEADER.FIELDS"))
        subject = header.decode().split(":", 1)[1].strip()
        out[subject] = {str(f).lower() for f in items["FLAGS"]} - {"\\recent"}
    return out


def test_mbsync_two_way_sync_of_1000_messages(imap_server, tmp_path):
    """mbsync pulls 1,000 messages; then local flag changes and deletions are pushed, server flag
    changes, expunges and new mail are pulled, and a folder created locally appears on the server."""
    append_many(imap_server, COUNT)
    rc = mbsync_config(imap_server, tmp_path)
    mbsync(rc)
    inbox = tmp_path / "maildir" / "INBOX"
    local = local_messages(inbox)
    assert len(local) == COUNT and all(f == "" for f in local.values())

    # Local changes: seen 0000-0009, delete 0010-0014, a new folder with one message.
    by_subject = {re.search(rb"^Subject: (.*)\r?$", p.read_bytes(), re.M).group(1).decode().strip(): p
                  for sub in ("cur", "new") for p in (inbox / sub).iterdir()}
    for i in range(10):
        set_local_flag(by_subject[f"bulk {i:04d}"], "S")
    for i in range(10, 15):
        by_subject[f"bulk {i:04d}"].unlink()
    folder = tmp_path / "maildir" / "LocalFolder"
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True)
    (folder / "new" / "1700000000.1.host").write_bytes(make_message("made locally"))

    # Server changes: flag 0100-0102, expunge 0200-0202, one new delivery.
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    conn.ok("STORE 101:103 +FLAGS.SILENT (\\Flagged)")
    conn.ok("STORE 201:203 +FLAGS.SILENT (\\Deleted)")
    conn.ok("EXPUNGE")
    conn.ok("LOGOUT")
    imap_server.deliver("alice", make_message("fresh delivery"))

    mbsync(rc)
    remote = server_state(imap_server)
    local = local_messages(inbox)
    expected = {f"bulk {i:04d}" for i in range(COUNT)} - {f"bulk {i:04d}" for i in (*range(10, 15), *range(200, 203))}
    expected.add("fresh delivery")
    assert set(remote) == expected and set(local) == expected
    for i in range(10):
        assert "\\seen" in remote[f"bulk {i:04d}"]
    for i in range(100, 103):
        assert "F" in local[f"bulk {i:04d}"]
    assert "\\seen" not in remote["bulk 0500"] and local["bulk 0500"] == ""
    assert set(server_state(imap_server, "LocalFolder")) == {"made locally"}


def test_neomutt_opens_mailbox(imap_server, tmp_path):
    """neomutt connects over IMAPS, logs in, opens INBOX and shows the index (run in a pty via
    script(1), quitting at once)."""
    for i in range(3):
        imap_server.deliver("alice", make_message(f"mutt subject {i}"))
    rc = tmp_path / "muttrc"
    rc.write_text(f"""set imap_user = "{address('alice')}"
set imap_pass = "{PASSWORD}"
set folder = "imaps://127.0.0.1:{imap_server.imaps_port}/"
set spoolfile = "+INBOX"
set certificate_file = "{tmp_path / 'certs'}"
set ssl_ca_certificates_file = "{imap_server.cert}"
set ssl_verify_host = no
set quit = yes
set header_cache = "{tmp_path / 'hcache'}"
set imap_passive = no
set timeout = 5
""")
    command = f"neomutt -n -F {shlex.quote(str(rc))} -e 'push <quit>'"
    env = dict(os.environ, TERM="xterm", HOME=str(tmp_path), COLUMNS="200", LINES="40")
    r = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True, timeout=120, env=env)
    screen = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b" ", r.stdout)
    assert r.returncode == 0, (r.stdout[-2000:], r.stderr[-2000:])
    for i in range(3):
        assert b"mutt subject %d" % i in screen, screen[-3000:]


@pytest.mark.parametrize("plugin,port_attr,label", [("check_imap", "imap_port", "IMAP"), ("check_simap", "imaps_port", "SIMAP")])
def test_check_imap_plugins(imap_server, plugin, port_attr, label):
    """monitoring-plugins: check_imap on the STARTTLS port and check_simap on the TLS port report OK
    (they expect a `* OK` greeting)."""
    r = subprocess.run([str(PLUGINS / plugin), "-H", "127.0.0.1", "-p", str(getattr(imap_server, port_attr)), "-t", "10"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert r.stdout.startswith(f"{label} OK - "), r.stdout
    assert f"port {getattr(imap_server, port_attr)}" in r.stdout and "[* OK" in r.stdout

"""POP3 (RFC 1939, 2449, 2595, 5034) against real clients: Python's poplib over STLS and
implicit TLS, fetchmail, and the monitoring plugin check_pop."""
import os
import poplib
import smtplib
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import free_port, wait_for_port
from mailsite import MailSite

PASSWORD = "password-123"


class Pop3Site(MailSite):
    def __init__(self, folder: Path):
        self.pop3_port = free_port()
        self.pop3s_port = free_port()
        super().__init__(folder, extra_config=f'''
[[listener]]
protocol = "pop3"
address = "127.0.0.1:{self.pop3_port}"
[[listener]]
protocol = "pop3s"
address = "127.0.0.1:{self.pop3s_port}"
''')

    def start(self):
        super().start()
        wait_for_port(self.pop3_port)
        wait_for_port(self.pop3s_port)
        return self

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def stls(self, user: str = "alice@example.org", password: str = PASSWORD) -> poplib.POP3:
        pop = poplib.POP3("127.0.0.1", self.pop3_port, timeout=30)
        pop.stls(context=self.tls_context())
        pop.user(user)
        pop.pass_(password)
        return pop

    def pop3s(self, user: str = "alice@example.org", password: str = PASSWORD) -> poplib.POP3_SSL:
        pop = poplib.POP3_SSL("127.0.0.1", self.pop3s_port, context=self.tls_context(), timeout=30)
        pop.user(user)
        pop.pass_(password)
        return pop

    def deliver(self, to: str, messages: list[bytes]) -> list[bytes]:
        before = len(self.messages(to))
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30) as smtp:
            for message in messages:
                smtp.sendmail("sender@example.net", [to], message)
        stored = self.wait_for_messages(to, before + len(messages))
        assert len(stored) == before + len(messages)
        return stored

    def stored_files(self, address: str) -> list[Path]:
        with self.db() as db:
            rows = db.execute(
                """SELECT m.file FROM message m JOIN mailbox b ON b.id = m.mailbox_id
                   JOIN account a ON a.id = b.account_id WHERE a.address_key = ? AND b.name = 'INBOX' ORDER BY m.uid""",
                (address.lower(),)).fetchall()
        root = self.maildir(address)
        return [root / f for (f,) in rows]


def message(subject: str, body: str = "hello\r\n") -> bytes:
    return f"From: sender@example.net\r\nTo: alice@example.org\r\nSubject: {subject}\r\n\r\n{body}".encode()


def big_body() -> str:
    # ~300 KB: many 64 KiB chunk boundaries, and lines beginning with "." everywhere.
    lines = []
    for i in range(6000):
        lines.append(("." if i % 3 == 0 else "") + f"line {i:05d} " + "x" * (i % 40))
    return "\r\n".join(lines) + "\r\n.x\r\n..\r\nend\r\n"


def joined(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\r\n" for line in lines)


@pytest.fixture
def site(tmp_path):
    s = Pop3Site(tmp_path).seed().start()
    yield s
    s.stop()


def test_stls_list_retr_top_uidl(site: Pop3Site):
    stored = site.deliver("alice@example.org", [message("one"), message("two", ".dot line\r\n..two dots\r\n"), message("big", big_body())])
    pop = site.stls()
    count, octets = pop.stat()
    assert count == 3 and octets == sum(len(m) for m in stored)
    resp, listing, _ = pop.list()
    assert [line.split() for line in listing] == [[str(i + 1).encode(), str(len(m)).encode()] for i, m in enumerate(stored)]
    for i, expected in enumerate(stored):
        resp, lines, size = pop.retr(i + 1)
        assert joined(lines) == expected, f"message {i + 1} differs"
    resp, lines, _ = pop.top(2, 0)
    header = stored[1].split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    assert joined(lines) == header
    resp, lines, _ = pop.top(3, 2)
    big_header, big_rest = stored[2].split(b"\r\n\r\n", 1)
    assert joined(lines) == big_header + b"\r\n\r\n" + b"".join(l + b"\r\n" for l in big_rest.split(b"\r\n")[:2])
    uidl1 = pop.uidl()[1]
    pop.quit()
    pop = site.pop3s()
    assert pop.uidl()[1] == uidl1
    assert len(set(u.split()[1] for u in uidl1)) == 3
    pop.quit()


def test_dele_applies_only_at_quit(site: Pop3Site):
    stored = site.deliver("alice@example.org", [message("a"), message("b"), message("c")])
    files = site.stored_files("alice@example.org")
    pop = site.pop3s()
    uidl = dict(line.split() for line in pop.uidl()[1])
    pop.dele(1)
    pop.dele(3)
    assert pop.stat()[0] == 1
    with pytest.raises(poplib.error_proto, match="already deleted"):
        pop.retr(1)
    # Not before QUIT.
    assert site.messages("alice@example.org") == stored
    pop.quit()
    assert site.messages("alice@example.org") == [stored[1]]
    # The deleted messages' files stay for undelete ([store] undelete_retention, 14 days by default).
    assert all(f.exists() for f in files)
    pop = site.stls()
    assert pop.stat() == (1, len(stored[1]))
    assert pop.uidl()[1] == [b"1 " + uidl[b"2"]]
    pop.quit()


def test_rset_undoes_and_dropped_connection_keeps_mail(site: Pop3Site):
    stored = site.deliver("alice@example.org", [message("a"), message("b")])
    pop = site.stls()
    pop.dele(1)
    pop.dele(2)
    assert pop.rset().startswith(b"+OK")
    assert pop.stat()[0] == 2
    pop.dele(2)
    pop.close()  # no QUIT: no UPDATE (RFC 1939 §6)
    time.sleep(0.3)
    assert site.messages("alice@example.org") == stored
    pop = site.pop3s()  # the lock was released with the connection
    pop.quit()


def test_second_session_gets_in_use(site: Pop3Site):
    site.deliver("alice@example.org", [message("a")])
    first = site.pop3s()
    with pytest.raises(poplib.error_proto, match=r"\[IN-USE\]"):
        site.stls()
    other = site.stls(user="bob@example.org")  # other maildrops are not affected
    other.quit()
    first.quit()
    site.pop3s().quit()


def test_login_refused_before_stls(site: Pop3Site):
    pop = poplib.POP3("127.0.0.1", site.pop3_port, timeout=30)
    caps = pop.capa()
    assert "STLS" in caps and "USER" not in caps and "SASL" not in caps and "RESP-CODES" in caps
    with pytest.raises(poplib.error_proto, match=r"\[SYS/PERM\]"):
        pop.user("alice@example.org")
    with pytest.raises(poplib.error_proto, match=r"\[SYS/PERM\]"):
        pop._shortcmd("AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHBhc3N3b3JkLTEyMw==")
    pop.quit()


def test_stls_discards_injected_commands(site: Pop3Site):
    import socket
    raw = socket.create_connection(("127.0.0.1", site.pop3_port), timeout=10)
    raw.recv(1024)
    raw.sendall(b"STLS\r\nCAPA\r\n")
    assert raw.recv(1024).startswith(b"+OK")
    tls = site.tls_context().wrap_socket(raw, server_hostname="127.0.0.1")
    tls.sendall(b"NOOP\r\n")
    # The injected CAPA must not be answered after the handshake: the first reply is to NOOP
    # (which is not valid before login).
    assert tls.recv(1024).startswith(b"-ERR command not valid before login")
    tls.close()


@pytest.mark.serial
def test_auth_plain_and_wrong_password_throttled(site: Pop3Site):
    pop = poplib.POP3_SSL("127.0.0.1", site.pop3s_port, context=site.tls_context(), timeout=60)
    assert pop._shortcmd("AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHBhc3N3b3JkLTEyMw==").startswith(b"+OK")
    pop.quit()
    timings = []
    for _ in range(5):
        # A connection gets three failed logins ([auth] max_failures_per_connection): one each here.
        pop = poplib.POP3_SSL("127.0.0.1", site.pop3s_port, context=site.tls_context(), timeout=60)
        pop.user("carol@example.org")
        start = time.monotonic()
        with pytest.raises(poplib.error_proto, match=r"-ERR \[AUTH\]"):
            pop.pass_("wrong")
        timings.append(time.monotonic() - start)
        pop.close()
    assert max(timings[:3]) < 1.0, timings
    assert timings[3] >= 1.0 and timings[4] >= 2.0, timings
    pop = poplib.POP3_SSL("127.0.0.1", site.pop3s_port, context=site.tls_context(), timeout=60)
    pop.user("carol@example.org")
    pop.pass_(PASSWORD)  # still allowed (fewer than 10 failures); resets carol's counter
    pop.quit()
    with site.db() as db:
        rows = db.execute("SELECT login, ip, protocol, success, reason FROM login_event ORDER BY id").fetchall()
    assert ("alice@example.org", "127.0.0.1", "pop3s", 1, None) in rows
    assert rows.count(("carol@example.org", "127.0.0.1", "pop3s", 0, "wrong-password")) == 5
    assert rows[-1] == ("carol@example.org", "127.0.0.1", "pop3s", 1, None)


def test_fetchmail_pulls_the_mailbox(site: Pop3Site, tmp_path):
    stored = site.deliver("alice@example.org", [message(f"fetch {i}", f"body {i}\r\n.dotted\r\n") for i in range(4)])
    out = tmp_path / "fetched.mbox"
    rc = tmp_path / "fetchmailrc"
    rc.write_text(f'''set no bouncemail
set invisible
poll 127.0.0.1 with proto POP3 port {site.pop3s_port} uidl
  user "alice@example.org" there with password "{PASSWORD}" is "{os.environ.get("USER", "root")}" here
  options ssl sslcertck sslcertfile "{site.cert}" sslcommonname "localhost" fetchall mda "cat >> {out}"
''')
    rc.chmod(0o600)
    env = dict(os.environ, HOME=str(tmp_path))
    r = subprocess.run(["fetchmail", "-f", str(rc), "--nodetach", "-i", str(tmp_path / "ids"), "--pidfile", str(tmp_path / "pid")],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, (r.stdout, r.stderr)
    data = out.read_bytes()
    for i in range(4):
        assert f"Subject: fetch {i}".encode() in data and f"body {i}".encode() in data
    assert data.count(b"\n.dotted") == 4
    assert site.messages("alice@example.org") == []  # fetchmail deletes what it fetched
    # Over STLS too (sslproto auto-negotiates STLS on the plain port).
    site.deliver("alice@example.org", [message("again")])
    rc.write_text(rc.read_text().replace(f"port {site.pop3s_port}", f"port {site.pop3_port}").replace("options ssl ", "options sslproto tls1.2+ "))
    r = subprocess.run(["fetchmail", "-f", str(rc), "--nodetach", "-i", str(tmp_path / "ids"), "--pidfile", str(tmp_path / "pid")],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert b"Subject: again" in out.read_bytes()


def test_check_pop_reports_ok(site: Pop3Site):
    for port, extra in ((site.pop3_port, []), (site.pop3s_port, ["-S"])):
        r = subprocess.run(["/usr/lib/nagios/plugins/check_pop", "-H", "127.0.0.1", "-p", str(port), *extra],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, (r.stdout, r.stderr)
        assert "POP OK" in r.stdout

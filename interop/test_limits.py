"""Per-connection bounds on every listener (issue #12 items 3, 4, 12, 14): commands and time
before login, the per-class connection budget, client allow-lists, `limits.max_line_length`, and
an end of DATA slower than the idle timeout that must not make the client send the message twice."""
import imaplib
import smtplib
import socket
import struct
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import free_port, wait_for_port
from floodsite import PASSWORD, FloodSite
from mailsite import MailSite, read_reply


def read_until_closed(s: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes (fails the test when it does not in time)."""
    s.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk
    raise AssertionError(f"connection still open after {timeout}s; last bytes: {data[-200:]!r}")


@pytest.fixture
def site(tmp_path: Path):
    s = FloodSite(tmp_path, limits='login_timeout = "3s"\nmax_commands_before_login = 20').seed().start()
    yield s
    s.stop()


GOODBYES = {
    # RFC 1939 §3 / RFC 2449: -ERR; RFC 9051 §7.1.5: BYE; RFC 5321 §3.8: 421.
    "pop3": (b"CAPA\r\n", b"-ERR too many commands before login"),
    "imap": (b"a CAPABILITY\r\n", b"* BYE Too many commands before login"),
    "submission": (b"NOOP\r\n", b"421 4.7.0 Too many commands before authentication"),
}


@pytest.mark.parametrize("kind", sorted(GOODBYES))
def test_pipelined_commands_before_login_are_capped(site: FloodSite, kind: str):
    command, goodbye = GOODBYES[kind]
    port = {"pop3": site.pop3_port, "imap": site.imap_port, "submission": site.submission_port}[kind]
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(command * 200)
        data = read_until_closed(s, 10)
    assert goodbye in data
    # Nothing after the goodbye (IMAP's may overtake replies still being written).
    if kind != "imap":
        assert data.rstrip().splitlines()[-1].startswith(goodbye)


LOGIN_TIMEOUTS = {
    "pop3": (b"CAPA\r\n", b"-ERR login timeout"),
    "imap": (b"a NOOP\r\n", b"* BYE Login timeout"),
    "submission": (b"NOOP\r\n", b"421 4.7.0 mx.example.org Authentication timeout"),
}


@pytest.mark.parametrize("kind", sorted(LOGIN_TIMEOUTS))
def test_a_client_that_keeps_talking_without_logging_in_is_closed(site: FloodSite, kind: str):
    command, goodbye = LOGIN_TIMEOUTS[kind]
    port = {"pop3": site.pop3_port, "imap": site.imap_port, "submission": site.submission_port}[kind]
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(0.2)
        started = time.monotonic()
        received = b""
        closed = False
        # Never idle (a command every 0.35-0.55 s, under the cap of 20 within 3 s), never logged in.
        while time.monotonic() - started < 8:
            try:
                s.sendall(command)
            except OSError:
                closed = True
                break
            try:
                chunk = s.recv(65536)
                if not chunk:
                    closed = True
                    break
                received += chunk
            except socket.timeout:
                pass
            except ConnectionResetError:
                closed = True
                break
            time.sleep(0.35)
        assert closed, received[-300:]
        assert goodbye in received
        assert 2.5 < time.monotonic() - started < 7


def test_logging_in_lifts_the_limits(site: FloodSite):
    imap = imaplib.IMAP4("127.0.0.1", site.imap_port, timeout=20)
    imap.login("alice@example.org", PASSWORD)
    for _ in range(30):
        imap.noop()
    time.sleep(3.5)  # past the login timeout
    assert imap.noop()[0] == "OK"
    imap.logout()


def test_max_line_length_is_honoured_by_smtp(tmp_path: Path):
    site = MailSite(tmp_path, limits="max_line_length = 600").seed().start()
    try:
        with socket.create_connection(("127.0.0.1", site.smtp_port)) as s:
            f = s.makefile("rb")
            read_reply(f)
            s.sendall(b"NOOP " + b"x" * 500 + b"\r\n")
            assert read_reply(f).startswith(b"250")
            s.sendall(b"NOOP " + b"x" * 700 + b"\r\n")
            assert read_reply(f).startswith(b"500 5.5.")
            s.sendall(b"QUIT\r\n")
            assert read_reply(f).startswith(b"221")
    finally:
        site.stop()


def test_a_port_25_flood_leaves_room_for_mailbox_users(tmp_path: Path):
    # 20 connections in all: port 25 may use 40 % of them.
    site = FloodSite(tmp_path, limits="max_connections = 20\nmax_connections_per_ip = 100").seed().start()
    try:
        held = []
        refused = 0
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", site.smtp_port))
            f = s.makefile("rb")
            reply = read_reply(f)
            if reply.startswith(b"220"):
                held.append((s, f))
            else:
                assert reply.startswith(b"421 4.7.0")
                refused += 1
                s.close()
        assert len(held) == 8 and refused == 12
        imap = imaplib.IMAP4("127.0.0.1", site.imap_port, timeout=20)
        imap.login("alice@example.org", PASSWORD)
        imap.logout()
        with smtplib.SMTP("127.0.0.1", site.submission_port, timeout=20) as smtp:
            assert smtp.ehlo()[0] == 250
        for s, f in held:
            s.close()
    finally:
        site.stop()


def test_policy_listener_admits_only_allowed_clients(tmp_path: Path):
    allowed = FloodSite(tmp_path / "a").seed().start()
    try:
        # The default: loopback clients are served.
        with socket.create_connection(("127.0.0.1", allowed.policy_port)) as s:
            s.sendall(b"request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.1\n"
                      b"sender=a@example.net\nrecipient=alice@example.org\n\n")
            s.settimeout(10)
            assert s.recv(1024).startswith(b"action=")
    finally:
        allowed.stop()
    (tmp_path / "b").mkdir()
    refused = MailSite(tmp_path / "b", extra_config=f'''
[[listener]]
protocol = "policy"
address = "127.0.0.1:{(policy_port := free_port())}"
allowed_clients = ["10.0.0.0/8"]
[[listener]]
protocol = "smtp"
address = "127.0.0.1:{(reinjection_port := free_port())}"
tls = "none"
filter = false
allowed_clients = ["192.0.2.0/24"]
''').seed().start()
    try:
        with socket.create_connection(("127.0.0.1", policy_port)) as s:
            assert read_until_closed(s, 5) == b""
        with socket.create_connection(("127.0.0.1", reinjection_port)) as s:
            assert read_until_closed(s, 5).startswith(b"554 5.7.1")
    finally:
        refused.stop()


def test_http_listener_limits_connections_per_client(tmp_path: Path):
    port = free_port()
    site = MailSite(tmp_path, extra_config=f'''
[[listener]]
protocol = "http"
address = "127.0.0.1:{port}"
max_connections_per_ip = 2
''').seed().start()
    wait_for_port(port)
    try:
        request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        kept = []
        # wait_for_port's probe connection is released by the server a moment after it closes; under
        # load that moment can come after the first connections here, so setting up the two held
        # connections may need a retry.
        deadline = time.monotonic() + 10
        while len(kept) < 2:
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(request)
            s.settimeout(10)
            try:
                answer = s.recv(4096)
            except ConnectionResetError:
                answer = b""
            if answer.startswith(b"HTTP/1.1 "):
                kept.append(s)
                continue
            s.close()
            assert time.monotonic() < deadline, "the listener never let two connections in"
            time.sleep(0.1)
        third = socket.create_connection(("127.0.0.1", port))
        third.sendall(request)
        assert read_until_closed(third, 5) == b""
        kept[0].close()
        time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200 and b'"database":"ok"' in response.read()
        for s in kept[1:]:
            s.close()
    finally:
        site.stop()


class SlowClamd:
    """Answers clamd's INSTREAM (`zINSTREAM\\0`, length-prefixed chunks, a zero length) with
    `stream: OK` only after `delay` seconds: a scanner slower than the SMTP idle timeout."""

    def __init__(self, delay: float):
        self.delay = delay
        self.port = free_port()
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self.scan, args=(conn,), daemon=True).start()

    def scan(self, conn: socket.socket):
        with conn:
            f = conn.makefile("rb")
            command = b""
            while not command.endswith(b"\0"):
                command += f.read(1)
            while True:
                (length,) = struct.unpack(">I", f.read(4))
                if length == 0:
                    break
                f.read(length)
            time.sleep(self.delay)
            conn.sendall(b"stream: OK\0")


def test_an_end_of_data_slower_than_the_idle_timeout_is_answered_once(tmp_path: Path):
    clamd = SlowClamd(delay=4)
    site = MailSite(tmp_path, limits='idle_timeout = "2s"', extra_config=f'''
[filter.clamav]
address = "127.0.0.1:{clamd.port}"
''').seed().start()
    try:
        with smtplib.SMTP("127.0.0.1", site.smtp_port, timeout=30) as smtp:
            # The client waits 4 s for the reply to its end of data: it is not idle, and must get
            # the 250 (a 421 would make it send the accepted message again).
            smtp.sendmail("sender@example.net", ["bob@example.org"], b"Subject: slow\r\n\r\nscanned slowly\r\n")
            time.sleep(2.5)  # silent for longer than the idle timeout: now it is idle
            with pytest.raises(smtplib.SMTPServerDisconnected):
                smtp.noop()
                smtp.noop()
        assert len(site.wait_for_messages("bob@example.org", 1)) == 1
        time.sleep(1)
        assert len(site.messages("bob@example.org")) == 1
    finally:
        site.stop()
        clamd.server.close()

"""A Posta with IMAP, POP3 (both cleartext, as behind a TLS proxy) and submission listeners, and
clients that connect from a chosen loopback source address (127.0.0.0/8 is all local on Linux)."""
import imaplib
import poplib
import smtplib
import socket
import ssl
import time
from pathlib import Path

from conftest import free_port, wait_for_port
from mailsite import MailSite

PASSWORD = "password-123"


class LoginSite(MailSite):
    def __init__(self, folder: Path, auth: str = "", database: str = ""):
        self.imap_port = free_port()
        self.pop3_port = free_port()
        self.submission_port = free_port()
        super().__init__(folder, extra_config=f'''
[[listener]]
protocol = "imap"
address = "127.0.0.1:{self.imap_port}"
tls = "none"
[[listener]]
protocol = "pop3"
address = "127.0.0.1:{self.pop3_port}"
tls = "none"
[[listener]]
protocol = "submission"
address = "127.0.0.1:{self.submission_port}"
{"[auth]" if auth else ""}
{auth}
{database}
''')

    def start(self):
        super().start()
        for port in (self.imap_port, self.pop3_port, self.submission_port):
            wait_for_port(port)
        return self

    def imap(self, source: str = "127.0.0.1", timeout: float = 30) -> imaplib.IMAP4:
        return IMAPFrom(source, self.imap_port, timeout)

    def pop3(self, source: str = "127.0.0.1", timeout: float = 30) -> poplib.POP3:
        return POP3From(source, self.pop3_port, timeout)

    def submission(self, source: str = "127.0.0.1", timeout: float = 30) -> smtplib.SMTP:
        s = smtplib.SMTP("localhost", self.submission_port, timeout=timeout, source_address=(source, 0))
        s.starttls(context=ssl.create_default_context(cafile=str(self.cert)))
        s.ehlo()
        return s

    def events(self, where: str = "1 = 1", args: tuple = ()) -> list[tuple]:
        with self.db() as db:
            return db.execute(f"SELECT login, ip, success, reason FROM login_event WHERE {where} ORDER BY id", args).fetchall()


class IMAPFrom(imaplib.IMAP4):
    def __init__(self, source: str, port: int, timeout: float):
        self.source = source
        super().__init__("127.0.0.1", port, timeout=timeout)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(self.source, 0))


class POP3From(poplib.POP3):
    def __init__(self, source: str, port: int, timeout: float):
        self.source = source
        super().__init__("127.0.0.1", port, timeout=timeout)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(self.source, 0))


def closed_within(sock: socket.socket, seconds: float) -> tuple[bytes, float]:
    """Reads until the peer closes (or `seconds` pass); returns what came and how long it took."""
    start = time.monotonic()
    sock.settimeout(0.2)
    data = b""
    while time.monotonic() - start < seconds:
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            continue
        except OSError:  # reset, or TLS torn down: closed
            return data, time.monotonic() - start
        if not chunk:
            return data, time.monotonic() - start
        data += chunk
    raise AssertionError(f"connection still open after {seconds} s; received {data!r}")

"""A Posta with two ManageSieve listeners (RFC 5804, docs/managesieve.md): one with STARTTLS for real
clients, one in plain text (as behind a TLS proxy) for raw dialogues; the `sieve-connect` client and a
small line reader that understands ManageSieve literals."""
import os
import re
import socket
import ssl
import subprocess
from pathlib import Path

from conftest import free_port, wait_for_port
from mailsite import MailSite

PASSWORD = "password-123"
STATUS = re.compile(rb"^(OK|NO|BYE)\b")
LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")


class SieveSite(MailSite):
    def __init__(self, folder: Path, auth: str = 'max_delay = "1s"', sieve: str = ""):
        self.port = free_port()
        self.plain_port = free_port()
        super().__init__(folder, extra_config=f'''
[[listener]]
protocol = "managesieve"
address = "127.0.0.1:{self.port}"
[[listener]]
protocol = "managesieve"
address = "127.0.0.1:{self.plain_port}"
tls = "none"
[auth]
{auth}
{"[sieve]" if sieve else ""}
{sieve}
''')

    def start(self):
        super().start()
        wait_for_port(self.port)
        wait_for_port(self.plain_port)
        return self

    def sieve_connect(self, *args: str, user: str = "alice@example.org", password: str = PASSWORD,
                      timeout: float = 60) -> subprocess.CompletedProcess:
        """Runs `sieve-connect` non-interactively against the STARTTLS listener; the password goes
        through a pipe (`--passwordfd`)."""
        read, write = os.pipe()
        os.write(write, (password + "\n").encode())
        os.close(write)
        try:
            return subprocess.run(
                ["sieve-connect", "--4", "--server", "127.0.0.1", "--port", str(self.port), "--user", user,
                 "--passwordfd", str(read), "--notlsverify", *args],
                pass_fds=(read,), capture_output=True, text=True, timeout=timeout, cwd=self.folder)
        finally:
            os.close(read)

    def dialogue(self, source: str = "127.0.0.1", tls_listener: bool = False) -> "Dialogue":
        return Dialogue(self.port if tls_listener else self.plain_port, source)

    def events(self, where: str = "1 = 1", args: tuple = ()) -> list[tuple]:
        with self.db() as db:
            return db.execute(
                f"SELECT login, ip, success, reason FROM login_event WHERE protocol = 'managesieve' AND {where} ORDER BY id",
                args).fetchall()


class Dialogue:
    """A raw ManageSieve connection: send commands, read responses (a literal's octets are kept
    inline after its `{N}` line)."""

    def __init__(self, port: int, source: str = "127.0.0.1"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0))
        self.reader = self.sock.makefile("rb")

    def line(self) -> bytes:
        line = self.reader.readline()
        if not line:
            raise EOFError("connection closed")
        m = LITERAL.search(line)
        if m:
            line += self.reader.read(int(m.group(1)))
            line += self.reader.readline()
        return line

    def response(self) -> list[bytes]:
        """Lines up to and including the status line (OK, NO or BYE)."""
        lines = []
        while True:
            lines.append(self.line())
            if STATUS.match(lines[-1]):
                return lines

    def send(self, data: bytes | str) -> None:
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def command(self, data: bytes | str) -> list[bytes]:
        self.send(data)
        return self.response()

    def starttls(self, cafile: Path) -> list[bytes]:
        """STARTTLS, the handshake, then the capabilities the server sends unasked (RFC 5804 §2.2)."""
        assert self.command("STARTTLS\r\n")[-1].startswith(b"OK")
        context = ssl.create_default_context(cafile=str(cafile))
        self.sock = context.wrap_socket(self.sock, server_hostname="localhost")
        self.reader = self.sock.makefile("rb")
        return self.response()

    def closed(self) -> bool:
        try:
            return self.reader.readline() == b""
        except OSError:
            return True

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

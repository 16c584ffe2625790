"""A Posta with one listener of every kind (smtp, submission, pop3, imap, policy, http), clients that
pipeline without reading, and the server's memory read from /proc (issue #12 items 3, 4, 12)."""
import selectors
import socket
import time
from pathlib import Path

from conftest import free_port, wait_for_port
from mailsite import MailSite

PASSWORD = "password-123"


def rss_kib(pid: int) -> int:
    """Resident memory of `pid` in KiB (VmRSS of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class FloodSite(MailSite):
    """Plaintext pop3/imap (logins allowed without TLS), submission with STARTTLS, policy, http."""

    def __init__(self, folder: Path, limits: str = "", listener_extra: str = ""):
        self.pop3_port = free_port()
        self.imap_port = free_port()
        self.submission_port = free_port()
        self.policy_port = free_port()
        self.http_port = free_port()
        super().__init__(folder, limits=limits, extra_config=f'''
[[listener]]
protocol = "pop3"
address = "127.0.0.1:{self.pop3_port}"
tls = "none"
{listener_extra}
[[listener]]
protocol = "imap"
address = "127.0.0.1:{self.imap_port}"
tls = "none"
{listener_extra}
[[listener]]
protocol = "submission"
address = "127.0.0.1:{self.submission_port}"
{listener_extra}
[[listener]]
protocol = "policy"
address = "127.0.0.1:{self.policy_port}"
[[listener]]
protocol = "http"
address = "127.0.0.1:{self.http_port}"
''')

    def start(self):
        super().start()
        for port in (self.pop3_port, self.imap_port, self.submission_port, self.policy_port, self.http_port):
            wait_for_port(port)
        return self

    def rss_kib(self) -> int:
        return rss_kib(self.proc.pid)


POLICY_REQUEST = (b"request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=SMTP\nclient_address=192.0.2.1\n"
                  b"client_name=unknown\nhelo_name=c.example\nsender=a@example.net\nrecipient=alice@example.org\n"
                  b"instance=1.1\n\n")


def flood_payload(kind: str) -> tuple[bytes, bytes]:
    """(prologue, command) for a client that pipelines `command` without ever reading: commands
    with a reply each (CAPA, NOOP, a policy request, GET /healthz)."""
    return {
        "smtp": (b"EHLO flood.example\r\n", b"NOOP\r\n"),
        "submission": (b"EHLO flood.example\r\n", b"NOOP\r\n"),
        "pop3": (b"", b"CAPA\r\n"),
        "pop3-login": (b"USER {user}\r\nPASS " + PASSWORD.encode() + b"\r\n", b"CAPA\r\n"),
        "imap": (b"", b"a CAPABILITY\r\n"),
        "imap-login": (b"a LOGIN {user} " + PASSWORD.encode() + b"\r\n", b"a NOOP\r\n"),
        "policy": (b"", POLICY_REQUEST),
        "http": (b"", b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
    }[kind]


def flood(port: int, kind: str, clients: int, seconds: float, users: list[str] | None = None,
          source: str = "127.0.0.2", during=None, monitor=None) -> dict:
    """`clients` connections from `source` to `port` that send `kind` commands as fast as the server
    takes them and never read; a closed one is opened again. Runs `during()` (a normal client's
    session) in the middle of the flood. Returns counts: bytes sent, connections opened, and what
    `during` returned. `monitor()` is called about every half second."""
    sel = selectors.DefaultSelector()
    prologue, command = flood_payload(kind)
    chunk = command * max(1, 16384 // len(command))
    stats = {"sent": 0, "opened": 0, "during": None}

    def open_one(index: int):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # read nothing, and take little
        s.bind((source, 0))
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        user = (users[index % len(users)] if users else "alice@example.org").encode()
        pending = prologue.replace(b"{user}", user)
        sel.register(s, selectors.EVENT_WRITE, [index, pending])
        stats["opened"] += 1

    for i in range(clients):
        open_one(i)
    deadline = time.monotonic() + seconds
    middle = time.monotonic() + seconds / 2
    next_sample = 0.0
    while time.monotonic() < deadline:
        if monitor and time.monotonic() >= next_sample:
            monitor()
            next_sample = time.monotonic() + 0.5
        if during and stats["during"] is None and time.monotonic() >= middle:
            stats["during"] = during()
        for key, _ in sel.select(timeout=0.05):
            s, state = key.fileobj, key.data
            data = state[1] or chunk
            try:
                n = s.send(data)
                stats["sent"] += n
                state[1] = data[n:] if state[1] else b""
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                sel.unregister(s)
                s.close()
                open_one(state[0])
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    sel.close()
    return stats

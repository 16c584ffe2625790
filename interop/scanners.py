"""Real content scanners on loopback for the filter tests: clamd with a one-signature database
(the EICAR test string) and spamd with its packaged rules, no network tests."""
import os
import pwd
import signal
import subprocess
import time
from pathlib import Path

from conftest import free_port, make_reachable, stop_process, wait_for_port

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
GTUBE = b"XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


class Clamd:
    """clamd(8) in the foreground; its database holds one body signature named Test.EICAR.Body."""

    def __init__(self, folder: Path, port: int | None = None):
        make_reachable(folder)
        self.dir = folder / "clamav"
        (self.dir / "db").mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        pattern = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE".hex()
        (self.dir / "db" / "test.ndb").write_text(f"Test.EICAR.Body:0:*:{pattern}\n")
        (self.dir / "clamd.conf").write_text(f"""DatabaseDirectory {self.dir}/db
TCPSocket {self.port}
TCPAddr 127.0.0.1
Foreground yes
User clamav
PidFile {self.dir}/clamd.pid
StreamMaxLength 25M
""")
        uid = pwd.getpwnam("clamav")
        for path in [self.dir, self.dir / "db", self.dir / "db" / "test.ndb", self.dir / "clamd.conf"]:
            os.chown(path, uid.pw_uid, uid.pw_gid)
        self.proc = None

    def start(self):
        self.out = open(self.dir / "out", "ab")
        self.proc = subprocess.Popen(["clamd", "-c", str(self.dir / "clamd.conf")], stdout=self.out, stderr=self.out)
        wait_for_port(self.port, timeout=60)
        return self

    def stop(self):
        stop_process(self.proc)
        self.proc = None


class Spamd:
    """spamd(8) on a loopback port, local tests only (-L), as user debian-spamd."""

    def __init__(self, folder: Path):
        make_reachable(folder)
        self.dir = folder / "spamd"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc = None

    def start(self):
        self.out = open(self.dir / "out", "ab")
        self.proc = subprocess.Popen(
            ["spamd", f"--listen=127.0.0.1:{self.port}", "--allowed-ips=127.0.0.1", "-u", "debian-spamd", "-x", "-L",
             "--max-children=2", f"--pidfile={self.dir}/spamd.pid"],
            stdout=self.out, stderr=self.out, start_new_session=True)
        wait_for_port(self.port, timeout=60)
        return self

    def stop(self):
        stop_session(self.proc)


def stop_session(proc: subprocess.Popen | None):
    """Ends a daemon started with start_new_session=True, with its children."""
    if proc and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def message(subject: str, body: bytes, msgid: str) -> bytes:
    """A complete message with the header fields a real mailer writes."""
    return (b"From: Sender <sender@remote.example>\r\nTo: alice@example.org\r\n"
            b"Date: Mon, 02 Feb 2026 10:00:00 +0000\r\n"
            + f"Subject: {subject}\r\nMessage-ID: <{msgid}@remote.example>\r\n".encode()
            + b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + body + b"\r\n")


class Rspamd:
    """rspamd(8) in the foreground with a minimal local-only configuration written here: one
    "normal" worker on a loopback port, no Lua rules and no Redis (GTUBE is recognised by rspamd's
    core and answered with action reject), DNS pointed at a port where nothing answers."""

    def __init__(self, folder: Path):
        make_reachable(folder)
        self.dir = folder / "rspamd"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        (self.dir / "rspamd.conf").write_text(f"""options {{
  pidfile = "{self.dir}/rspamd.pid";
  dbdir = "{self.dir}";
  filters = "";
  dns {{ nameserver = ["127.0.0.1:9"]; timeout = 1s; retransmits = 1; }}
}}
logging {{ type = "file"; filename = "{self.dir}/rspamd.log"; level = "info"; }}
worker "normal" {{ bind_socket = "127.0.0.1:{self.port}"; count = 1; }}
actions {{ reject = 15; add_header = 6; greylist = 4; }}
""")
        user = pwd.getpwnam("_rspamd")
        for path in [self.dir, self.dir / "rspamd.conf"]:
            os.chown(path, user.pw_uid, user.pw_gid)
        self.proc = None

    def start(self):
        self.out = open(self.dir / "out", "ab")
        self.proc = subprocess.Popen(
            ["rspamd", "--no-fork", "-c", str(self.dir / "rspamd.conf"), "-u", "_rspamd", "-g", "_rspamd"],
            stdout=self.out, stderr=self.out, start_new_session=True)
        # Compiling its TLD list takes rspamd about ten seconds before it listens.
        wait_for_port(self.port, timeout=90)
        return self

    def stop(self):
        stop_session(self.proc)

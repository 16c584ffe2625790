"""A running Posta with SMTP/LMTP listeners, local users, and helpers to look into its mailboxes."""
import os
import sqlite3
import subprocess
import time
from pathlib import Path

from conftest import POSTA, free_port, wait_for_port


def read_reply(f) -> bytes:
    """One SMTP reply, all its lines (RFC 5321 §4.2.1: `250-` continues, `250 ` ends)."""
    out = b""
    while True:
        line = f.readline()
        out += line
        if len(line) < 4 or line[3:4] != b"-":
            return out


def make_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "2", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    return cert, key


class MailSite:
    """Posta serving SMTP (STARTTLS) and LMTP on free loopback ports, with example.org users."""

    def __init__(self, folder: Path, extra_config: str = "", limits: str = ""):
        self.folder = folder
        self.data = folder / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        cert, key = make_certificate(folder)
        self.cert = cert
        self.smtp_port = free_port()
        self.lmtp_port = free_port()
        self.config = folder / "posta.toml"
        self.config.write_text(f'''hostname = "mx.example.org"
data_dir = "{self.data}"
[log]
level = "info"
[tls]
cert = "{cert}"
key = "{key}"
[limits]
max_message_size = "10M"
{limits}
[[listener]]
protocol = "smtp"
address = "127.0.0.1:{self.smtp_port}"
[[listener]]
protocol = "lmtp"
address = "127.0.0.1:{self.lmtp_port}"
{extra_config}
[delivery]
# Nothing answers here: lookups fail at once, so mail for other domains stays queued unless a
# test sets up its own DNS server.
nameservers = ["127.0.0.1:9"]
''')
        self.proc = None
        self.log = open(folder / "posta.log", "ab")

    def posta(self, *args, stdin=None):
        r = subprocess.run([POSTA, *args, "--config", str(self.config)], input=stdin, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
        return r.stdout

    def use_nameserver(self, port: int) -> None:
        """Points the site's resolver at a test DNS server on loopback (before `start`)."""
        self.config.write_text(
            self.config.read_text().replace('nameservers = ["127.0.0.1:9"]', f'nameservers = ["127.0.0.1:{port}"]'))

    def seed(self):
        self.posta("domain", "add", "example.org")
        for user in ("alice", "bob", "carol", "postmaster"):
            self.posta("user", "add", f"{user}@example.org", "--password-stdin", stdin="password-123\n")
        self.posta("alias", "add", "team@example.org", "alice@example.org", "carol@example.org")
        return self

    def start(self):
        self.proc = subprocess.Popen([POSTA, "serve", "--config", str(self.config)], stdout=self.log, stderr=self.log)
        wait_for_port(self.smtp_port)
        wait_for_port(self.lmtp_port)
        return self

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # A server that does not drain is a bug: show what it was doing, then end it.
                self.log.flush()
                tail = (self.folder / "posta.log").read_bytes().splitlines()[-60:]
                print("posta did not stop within 15 s; last log lines:\n" + "\n".join(l.decode(errors="replace") for l in tail))
                self.proc.kill()
                raise

    # --- looking into the store -------------------------------------------------------------

    def db(self):
        return sqlite3.connect(self.data / "posta.db", timeout=30)

    def maildir(self, address: str) -> Path:
        with self.db() as db:
            row = db.execute(
                "SELECT s.maildir FROM store_account s JOIN account a ON a.id = s.account_id WHERE a.address_key = ?",
                (address.lower(),)).fetchone()
        assert row, f"{address} has no maildir"
        path = Path(row[0])
        return path if path.is_absolute() else self.data / "mail" / path

    def fill_inbox(self, address: str, messages: list[bytes], internal_date: int | None = None) -> None:
        """Writes `messages` into the INBOX of `address` on a stopped Posta site as the store's append
        would leave them (files in the maildir's cur/ plus index rows) but without the webmail's
        summaries, like mail stored before the webmail existed; a benchmark's mailbox of tens of
        thousands of messages is filled in seconds. `messages` come newest first; as with real
        delivery the newest gets the highest UID (and row id) and the latest internal date."""
        with self.db() as db:
            account_id, _ = db.execute(
                "SELECT s.account_id, s.maildir FROM store_account s JOIN account a ON a.id = s.account_id WHERE a.address_key = ?",
                (address.lower(),)).fetchone()
            box_id, uidnext, modseq = db.execute(
                "SELECT id, uidnext, highest_modseq FROM mailbox WHERE account_id = ? AND name = 'INBOX'", (account_id,)).fetchone()
            folder = self.maildir(address)
            now = int(time.time())
            date = internal_date or now
            rows = []
            for i, data in enumerate(reversed(messages)):  # oldest first, in delivery order
                age = len(messages) - 1 - i
                name = f"{now}.M{i}P{os.getpid()}.bench,S={len(data)}:2,"
                (folder / "cur" / name).write_bytes(data)
                rows.append((box_id, uidnext + i, modseq + 1 + i, "cur/" + name, len(data), date - age, "", now))
            db.executemany("""INSERT INTO message (mailbox_id, uid, modseq, file, size, internal_date, flags, created_at)
                              VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", rows)
            db.execute("UPDATE mailbox SET uidnext = ?, highest_modseq = ? WHERE id = ?",
                       (uidnext + len(messages), modseq + len(messages), box_id))
            db.execute("UPDATE store_account SET used_bytes = used_bytes + ?, message_count = message_count + ? WHERE account_id = ?",
                       (sum(len(m) for m in messages), len(messages), account_id))

    def messages(self, address: str, mailbox: str = "INBOX") -> list[bytes]:
        """The messages of a mailbox in UID order, read through the index (which is authoritative)."""
        with self.db() as db:
            rows = db.execute(
                """SELECT m.file, m.size FROM message m JOIN mailbox b ON b.id = m.mailbox_id
                   JOIN account a ON a.id = b.account_id WHERE a.address_key = ? AND b.name = ? ORDER BY m.uid""",
                (address.lower(), mailbox)).fetchall()
        root = self.maildir(address)
        out = []
        for file, size in rows:
            path = Path(file) if Path(file).is_absolute() else root / file
            data = path.read_bytes()
            assert len(data) == size, f"index size {size} != file size {len(data)} for {path}"
            out.append(data)
        return out

    def wait_for_messages(self, address: str, count: int, timeout: float = 15.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.messages(address)
            if len(got) >= count or time.monotonic() > deadline:
                return got
            time.sleep(0.05)

    def queue_counts(self) -> tuple[int, int]:
        with self.db() as db:
            m = db.execute("SELECT COUNT(*) FROM queue_message").fetchone()[0]
            p = db.execute("SELECT COUNT(*) FROM queue_recipient WHERE status = 'pending'").fetchone()[0]
        return m, p

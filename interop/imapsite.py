"""IMAP servers for the interop suite, behind one interface: Posta (`PostaIMAP`) and the reference
server, a private Dovecot (`DovecotIMAP`); a raw IMAP connection (`RawIMAP`) and a small parser
for IMAP responses (RFC 3501 §4, §9; RFC 9051 §4).

`imap_server` is the fixture every test_imap_*.py uses: it is parametrised over the servers named
in $POSTA_IMAP_SERVERS (default "posta,dovecot"). Each test gets a fresh server with users
alice, bob and carol @example.org (password `password-123`); alice has a 100 MiB storage quota.
"""
import base64
import imaplib
import os
import pwd
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

PASSWORD = "password-123"
DOMAIN = "example.org"
USERS = ("alice", "bob", "carol")
QUOTA_KIB = 102400  # alice's storage quota (100 MiB) in the 1024-octet units of RFC 9208 §5.1
SPECIAL_USE = {"Sent": "\\Sent", "Drafts": "\\Drafts", "Junk": "\\Junk", "Trash": "\\Trash", "Archive": "\\Archive"}
TIMEOUT = 20.0

# Every capability the issue asks of Posta (LITERAL+ stands for "LITERAL+ or LITERAL-": RFC 7888
# servers advertise one of them). A test of a capability the server does not advertise fails.
# A test of a capability that a reference server is known to lack carries
# `@pytest.mark.capability("NAME")`, and its run against that server is deselected at collection
# (there is nothing to compare), never skipped at run time.
POSTA_CAPABILITIES = frozenset("""IMAP4REV1 IMAP4REV2 LITERAL+ UTF8=ACCEPT IDLE UIDPLUS MOVE NAMESPACE
SPECIAL-USE ENABLE ID UNSELECT CHILDREN LIST-EXTENDED LIST-STATUS SASL-IR QUOTA CONDSTORE QRESYNC ESEARCH
APPENDLIMIT STATUS=SIZE BINARY MULTIAPPEND STARTTLS LOGINDISABLED AUTH=PLAIN AUTH=LOGIN""".split())


def selected_servers() -> list[str]:
    names = [n.strip().lower() for n in os.environ.get("POSTA_IMAP_SERVERS", "posta,dovecot").split(",") if n.strip()]
    unknown = set(names) - {"posta", "dovecot"}
    if unknown:
        raise RuntimeError(f"POSTA_IMAP_SERVERS: unknown server(s) {sorted(unknown)}; use posta,dovecot")
    return names


def address(user: str) -> str:
    return user if "@" in user else f"{user}@{DOMAIN}"


def free_port() -> int:
    from conftest import free_port as shared  # one registry of handed-out ports per process
    return shared()


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """The same kind of certificate as mailsite.make_certificate (P-256, CN/SAN localhost + 127.0.0.1)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "2", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60)
    return cert, key


# --- IMAP response parsing ------------------------------------------------------------------

class Atom(str):
    """An IMAP atom (or number-less token such as a flag); quoted strings and literals are bytes."""


def parse(data: bytes):
    """Parses a sequence of IMAP values (RFC 3501 §4) into Python values: lists for parenthesised
    lists, bytes for quoted strings and literals, int for numbers, None for NIL, Atom otherwise
    (an atom keeps any `[...]` section and `<origin>` suffix, e.g. `BODY[HEADER.FIELDS (A)]<0>`)."""
    values, pos = _parse_list(data, 0, top=True)
    return values


def _parse_list(data: bytes, pos: int, top: bool = False):
    out = []
    n = len(data)
    while pos < n:
        c = data[pos:pos + 1]
        if c in (b" ", b"\r", b"\n"):
            pos += 1
        elif c == b"(":
            sub, pos = _parse_list(data, pos + 1)
            out.append(sub)
        elif c == b")":
            if top:
                raise ValueError(f"unbalanced ) at {pos} in {data[:200]!r}")
            return out, pos + 1
        elif c == b'"':
            value, pos = _parse_quoted(data, pos + 1)
            out.append(value)
        elif c == b"{" or data[pos:pos + 2] == b"~{":
            start = data.index(b"{", pos)
            end = data.index(b"}", start)
            size = int(data[start + 1:end].rstrip(b"+-"))
            body = end + 3  # "}\r\n"
            out.append(data[body:body + size])
            pos = body + size
        else:
            atom, pos = _parse_atom(data, pos)
            if atom.upper() == "NIL":
                out.append(None)
            elif atom.isdigit():
                out.append(int(atom))
            else:
                out.append(Atom(atom))
    if not top:
        raise ValueError(f"unterminated list in {data[:200]!r}")
    return out, pos


def _parse_quoted(data: bytes, pos: int):
    out = bytearray()
    while True:
        c = data[pos]
        if c == 0x5C:  # backslash
            out.append(data[pos + 1])
            pos += 2
        elif c == 0x22:
            return bytes(out), pos + 1
        else:
            out.append(c)
            pos += 1


def _parse_atom(data: bytes, pos: int):
    start = pos
    depth = 0
    while pos < len(data):
        c = data[pos:pos + 1]
        if c == b"[":
            depth += 1
        elif c == b"]":
            depth -= 1
        elif depth == 0 and c in (b" ", b"(", b")", b"\r", b"\n"):
            break
        pos += 1
    return data[start:pos].decode("utf-8", "replace"), pos


def fetch_items(line: bytes) -> tuple[int, dict]:
    """`* n FETCH (KEY value ...)` → (n, {KEY upper-cased: value})."""
    values = parse(line)
    assert values[0] == "*" and str(values[2]).upper() == "FETCH", line[:200]
    items = values[3]
    return values[1], {str(items[i]).upper(): items[i + 1] for i in range(0, len(items), 2)}


def lower(value):
    """Case-folds every string and atom in a parsed value (for fields RFC 3501 says are case-insensitive)."""
    if isinstance(value, list):
        return [lower(v) for v in value]
    if isinstance(value, bytes):
        return value.lower()
    if isinstance(value, str):
        return value.lower()
    return value


def quote(text: str | bytes) -> bytes:
    """An IMAP quoted string (RFC 3501 §4.3)."""
    raw = text.encode() if isinstance(text, str) else text
    return b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


# --- Raw connections ------------------------------------------------------------------------

class Literal:
    """A literal argument: synchronising `{n}` unless `mode` is "+" (`{n+}`, RFC 7888) or "-"
    (also `{n+}` but only legal up to 4096 octets under LITERAL-); `binary` makes it `~{n}` (RFC 3516)."""

    def __init__(self, data: bytes, mode: str = "", binary: bool = False):
        self.data, self.mode, self.binary = data, mode, binary

    def header(self) -> bytes:
        plus = b"+" if self.mode in ("+", "-") else b""
        return (b"~" if self.binary else b"") + b"{%d%s}" % (len(self.data), plus)


class RawIMAP:
    """One IMAP connection driven byte by byte. `command()` returns every response line up to and
    including the tagged one, each as bytes without its final CRLF (literals inline)."""

    MAX_RESPONSE = 64 * 1024 * 1024

    def __init__(self, sock: socket.socket, timeout: float = TIMEOUT):
        self.sock = sock
        self.sock.settimeout(timeout)
        self.buf = b""
        self.count = 0
        self.greeting = self.read_response()

    # reading
    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"server closed the connection (pending {self.buf[:200]!r})")
        self.buf += chunk

    def read_line(self) -> bytes:
        """One CRLF-terminated line, CRLF included."""
        while b"\r\n" not in self.buf:
            if len(self.buf) > self.MAX_RESPONSE:
                raise ValueError("response line too long")
            self._fill()
        i = self.buf.index(b"\r\n") + 2
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def read_exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_response(self) -> bytes:
        """One response: a line plus any literals it announces, without the final CRLF."""
        out = b""
        for _ in range(100000):
            line = self.read_line()
            out += line
            m = re.search(rb"~?\{(\d+)\}\r\n$", line)
            if not m:
                return out[:-2]
            out += self.read_exact(int(m.group(1)))
        raise ValueError("too many literals in one response")

    def pending(self, wait: float = 0.2, until: bytes | None = None) -> list[bytes]:
        """Responses the server sends within `wait` seconds without a command, stopping early at a
        response starting with `until` or `* BYE`; a closed connection ends the list with b"<closed>"."""
        out: list[bytes] = []
        deadline = time.monotonic() + wait
        while True:
            if b"\r\n" in self.buf:
                out.append(self.read_response())
                if (until and out[-1].startswith(until)) or out[-1].startswith(b"* BYE"):
                    return out
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            self.sock.settimeout(left)
            try:
                self._fill()
            except (socket.timeout, TimeoutError):
                return out
            except (ConnectionError, ssl.SSLError, OSError):
                return out + [b"<closed>"]
            finally:
                try:
                    self.sock.settimeout(TIMEOUT)
                except OSError:
                    pass

    # writing
    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def tag(self) -> bytes:
        self.count += 1
        return b"T%03d" % self.count

    def command(self, *parts, tag: bytes | None = None) -> list[bytes]:
        """Sends `tag parts...` (str/bytes are joined as given, with no added spaces; a Literal is
        sent as a literal, waiting for the continuation when synchronising) and returns every
        response up to the tagged one. If the server refuses a synchronising literal, the
        tagged refusal ends the command."""
        tag = tag or self.tag()
        out: list[bytes] = []
        line = tag + b" "
        for part in parts:
            if isinstance(part, Literal):
                line += part.header() + b"\r\n"
                self.send(line)
                line = b""
                if part.mode == "":
                    for _ in range(10000):
                        r = self.read_response()
                        if r.startswith(b"+"):
                            break
                        out.append(r)
                        if r.startswith(tag + b" "):
                            return out
                self.send(part.data)
            else:
                line += part.encode() if isinstance(part, str) else part
        self.send(line + b"\r\n")
        return out + self.until_tagged(tag)

    def until_tagged(self, tag: bytes) -> list[bytes]:
        out = []
        for _ in range(1000000):
            r = self.read_response()
            out.append(r)
            if r.startswith(tag + b" "):
                return out
        raise ValueError("no tagged response")

    def ok(self, *parts) -> list[bytes]:
        """`command()` that asserts the tagged OK."""
        lines = self.command(*parts)
        assert status(lines) == "OK", lines[-5:]
        return lines

    def starttls(self, context: ssl.SSLContext) -> None:
        lines = self.ok("STARTTLS")
        assert not self.buf, "data after STARTTLS's OK must not be read before the handshake"
        self.sock = context.wrap_socket(self.sock, server_hostname="localhost")
        self.sock.settimeout(TIMEOUT)

    def login(self, user: str, password: str = PASSWORD) -> list[bytes]:
        return self.ok("LOGIN ", quote(address(user)), " ", quote(password))

    def capabilities(self) -> set[str]:
        lines = self.ok("CAPABILITY")
        return capabilities_in(lines)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def status(lines: list[bytes]) -> str:
    """OK/NO/BAD of the tagged response (the last line)."""
    parts = lines[-1].split(b" ", 2)
    return parts[1].decode().upper() if len(parts) > 1 else ""


def code(line: bytes) -> str | None:
    """The response code of a status response, upper-cased without its brackets' content after the
    first word: `T1 NO [TRYCREATE] x` → "TRYCREATE"."""
    m = re.match(rb"^\S+ (?:OK|NO|BAD|PREAUTH|BYE) \[([^\] ]+)", line, re.I)
    return m.group(1).decode().upper() if m else None


def untagged(lines: list[bytes], kind: str) -> list[bytes]:
    """Untagged responses of one kind: `* KIND ...` or `* n KIND ...` (KIND case-insensitive)."""
    kind = kind.upper().encode()
    out = []
    for line in lines:
        if not line.startswith(b"* "):
            continue
        words = line[2:].split(b" ", 2)
        if words[0].upper() == kind or (len(words) > 1 and words[0].isdigit() and words[1].upper().rstrip(b"\r\n") == kind):
            out.append(line)
    return out


def capabilities_in(lines: list[bytes]) -> set[str]:
    """Capabilities from `* CAPABILITY` responses or `[CAPABILITY ...]` codes, upper-cased."""
    caps: set[str] = set()
    for line in lines:
        m = re.search(rb"^\* CAPABILITY (.*)$", line, re.I) or re.search(rb"\[CAPABILITY ([^\]]*)\]", line, re.I)
        if m:
            caps |= {c.upper() for c in m.group(1).decode().split()}
    return caps


def exists_count(lines: list[bytes]) -> int | None:
    found = [int(l.split()[1]) for l in untagged(lines, "EXISTS")]
    return found[-1] if found else None


def make_message(subject: str = "test", body: str = "hello\r\n", sender: str = "sender@example.net",
                 to: str = "alice@example.org", extra: str = "", date: str = "Mon, 7 Feb 1994 21:52:25 -0800") -> bytes:
    """A minimal RFC 5322 message with CRLF line ends."""
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n"
            f"Message-ID: <{abs(hash((subject, body, extra)))}@example.net>\r\n{extra}\r\n{body}").encode()


# --- The servers ----------------------------------------------------------------------------

class IMAPServer:
    """What both servers share. Subclasses set `name`, `imap_port`, `imaps_port`, `cert` and
    `expected_capabilities`, and implement `start`, `stop`, `deliver`."""

    name = "?"
    expected_capabilities: frozenset = frozenset()
    # Capabilities this server is known not to implement (a reference server's gaps).
    lacks: frozenset = frozenset()
    # How soon an IDLE client must hear of a delivery (the issue: 100 ms).
    idle_latency_bound = 0.1

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def login(self, user: str = "alice", password: str = PASSWORD) -> imaplib.IMAP4:
        """imaplib on the STARTTLS port: connected, STARTTLS'd and logged in."""
        conn = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=TIMEOUT)
        conn.starttls(ssl_context=self.tls_context())
        conn.login(address(user), password)
        return conn

    def login_ssl(self, user: str = "alice", password: str = PASSWORD) -> imaplib.IMAP4_SSL:
        """imaplib on the implicit-TLS port, logged in."""
        conn = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=self.tls_context(), timeout=TIMEOUT)
        conn.login(address(user), password)
        return conn

    def raw(self, user: str | None = "alice", tls: str = "implicit") -> RawIMAP:
        """A RawIMAP connection: `tls` "implicit" (imaps port), "starttls" (imap port, STARTTLS done)
        or "none" (imap port, cleartext); logged in as `user` unless None."""
        if tls == "implicit":
            sock = socket.create_connection(("127.0.0.1", self.imaps_port), timeout=TIMEOUT)
            conn = RawIMAP(self.tls_context().wrap_socket(sock, server_hostname="localhost"))
        else:
            # From 127.0.0.2: Dovecot treats a connection whose source and destination addresses
            # are equal as secure and would not show LOGINDISABLED.
            sock = socket.create_connection(("127.0.0.1", self.imap_port), timeout=TIMEOUT, source_address=("127.0.0.2", 0))
            conn = RawIMAP(sock)
            if tls == "starttls":
                conn.starttls(self.tls_context())
        if user:
            conn.login(user)
        return conn

    def capabilities(self, tls: str = "implicit", user: str | None = "alice") -> set[str]:
        conn = self.raw(user, tls)
        try:
            return conn.capabilities()
        finally:
            conn.close()

    def require(self, capability: str, conn: RawIMAP | None = None) -> None:
        """Fails the calling test if the server does not advertise `capability`. (A test of a
        capability in a reference server's `lacks` is deselected for it by its `capability` mark.)"""
        caps = conn.capabilities() if conn else self.capabilities()
        wanted = capability.upper()
        present = wanted in caps or any(c.startswith(wanted + "=") for c in caps)
        if present:
            return
        hint = f" (mark the test @pytest.mark.capability({capability!r}))" if wanted in self.lacks else ""
        pytest.fail(f"{self.name} does not advertise {capability}: {sorted(caps)}{hint}")

    def append(self, user: str, mailbox: str, message: bytes, flags: str = "", date: str | None = None) -> None:
        """APPENDs over the implicit-TLS port (test set-up, not the thing under test)."""
        conn = self.raw(user)
        try:
            parts = ["APPEND ", quote(mailbox)]
            if flags:
                parts.append(f" ({flags})")
            if date:
                parts.append(f' "{date}"')
            parts += [" ", Literal(message)]
            conn.ok(*parts)
        finally:
            conn.close()

    def deliver(self, to: str, message: bytes) -> bytes:
        """Delivers `message` to `to`'s INBOX, returns once it is visible, and returns the bytes as
        stored (a server's delivery may add trace headers)."""
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


class PostaIMAP(IMAPServer):
    """Posta with IMAP (STARTTLS; logins refused before TLS) and IMAPS listeners on top of
    MailSite's SMTP and LMTP listeners. Mail arrives through SMTP, as in production."""

    name = "posta"
    expected_capabilities = POSTA_CAPABILITIES

    def __init__(self, folder: Path):
        from mailsite import MailSite  # imports conftest, which needs POSTA_BIN

        folder.mkdir(parents=True, exist_ok=True)
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.site = MailSite(folder, extra_config=f'''
[[listener]]
protocol = "imap"
address = "127.0.0.1:{self.imap_port}"
tls = "starttls"
idle_timeout = "30m"
[[listener]]
protocol = "imaps"
address = "127.0.0.1:{self.imaps_port}"
idle_timeout = "30m"
''')
        self.cert = self.site.cert
        self.folder = folder

    def start(self) -> "PostaIMAP":
        self.site.seed()
        self.site.posta("user", "quota", address("alice"), "100M")
        self.site.start()
        wait_for_port(self.imap_port)
        wait_for_port(self.imaps_port)
        return self

    def deliver(self, to: str, message: bytes) -> bytes:
        to = address(to)
        before = len(self.site.messages(to))
        with smtplib.SMTP("127.0.0.1", self.site.smtp_port, timeout=TIMEOUT) as smtp:
            smtp.sendmail("sender@example.net", [to], message)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            stored = self.site.messages(to)
            if len(stored) > before:
                return stored[-1]
            time.sleep(0.005)
        raise TimeoutError(f"message to {to} not stored after 15s")

    def login_events(self) -> list[tuple]:
        with self.site.db() as db:
            return db.execute("SELECT login, ip, protocol, success, reason FROM login_event ORDER BY id").fetchall()

    def login_records(self) -> list[tuple[str, bool]]:
        """(login, succeeded) for every IMAP/IMAPS login attempt, oldest first."""
        return [(login, bool(ok)) for login, _ip, protocol, ok, _reason in self.login_events() if protocol in ("imap", "imaps")]

    def stop(self) -> None:
        self.site.stop()
        self.site.kill()


DOVECOT_CONF = """\
base_dir = {run}
state_dir = {d}/state
protocols = imap
listen = 127.0.0.1
log_path = {d}/log
info_log_path = {d}/log
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
auth_failure_delay = 1 secs
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:{vmail}/%d/%n:LAYOUT=fs
mail_uid = vmail
mail_gid = vmail
first_valid_uid = {uid}
mail_max_userip_connections = 200
mailbox_idle_check_interval = 1 secs
mail_plugins = $mail_plugins quota
passdb {{
  driver = passwd-file
  args = username_format=%u {d}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {d}/users
  default_fields = uid=vmail gid=vmail home={vmail}/%d/%n
}}
namespace inbox {{
  inbox = yes
  separator = /
  prefix =
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Junk {{
    special_use = \\Junk
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
  mailbox Archive {{
    special_use = \\Archive
    auto = subscribe
  }}
}}
protocol imap {{
  mail_plugins = $mail_plugins imap_quota
}}
plugin {{
  quota = count:User quota
  quota_vsizes = yes
  quota_rule = *:storage=0
  quota_grace = 0
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
  process_min_avail = 1
}}
service anvil {{
  chroot =
}}
"""


class DovecotIMAP(IMAPServer):
    """A private Dovecot 2.3 (per /work/shared/peers.md) with TLS on both listeners, Maildir, the
    same users, and Posta's default special-use mailboxes. Delivery is an APPEND (ordered, and
    visible once the tagged OK arrives)."""

    name = "dovecot"
    expected_capabilities = frozenset()
    # Dovecot 2.3 (Debian 12) implements none of these.
    lacks = frozenset({"CREATE-SPECIAL-USE", "UTF8=ACCEPT", "IMAP4REV2", "APPENDLIMIT"})
    # Dovecot batches mailbox-change notifications (NOTIFY_DELAY_MSECS = 500 in
    # lib-storage/mailbox-watch.c), so the reference cannot meet the 100 ms.
    idle_latency_bound = 1.0

    def __init__(self, folder: Path):
        self.folder = folder
        self.dir = folder / "dovecot"
        self.vmail = folder / "vmail"
        for d in (self.dir, self.vmail):
            d.mkdir(parents=True, exist_ok=True)
        self.cert, self.key = self_signed_certificate(folder)
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.proc = None

    def start(self) -> "DovecotIMAP":
        from conftest import make_reachable

        vmail = pwd.getpwnam("vmail")
        make_reachable(self.folder)
        os.chmod(self.key, 0o644)
        shutil.chown(self.vmail, vmail.pw_uid, vmail.pw_gid)
        hashed = subprocess.run(["doveadm", "pw", "-s", "SHA512-CRYPT", "-p", PASSWORD], capture_output=True, text=True,
                                check=True, timeout=30).stdout.strip()
        lines = []
        for user in USERS:
            extra = f"userdb_quota_rule=*:storage={QUOTA_KIB}K" if user == "alice" else ""
            lines.append(f"{address(user)}:{hashed}::::::{extra}\n")
        (self.dir / "users").write_text("".join(lines))
        self.conf = self.dir / "dovecot.conf"
        from conftest import short_dir
        self.conf.write_text(DOVECOT_CONF.format(d=self.dir, run=short_dir("dv"), vmail=self.vmail, cert=self.cert, key=self.key, uid=vmail.pw_uid,
                                                 imap_port=self.imap_port, imaps_port=self.imaps_port))
        self.log = open(self.dir / "stdout", "ab")
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", str(self.conf)], stdout=self.log, stderr=self.log,
                                     start_new_session=True)
        wait_for_port(self.imap_port)
        wait_for_port(self.imaps_port)
        self._delivery: dict[str, RawIMAP] = {}
        return self

    def deliver(self, to: str, message: bytes) -> bytes:
        conn = self._delivery.get(to)
        if conn is None:
            conn = self._delivery[to] = self.raw(to)
        conn.ok("APPEND INBOX ", Literal(message))
        return message

    def login_records(self) -> list[tuple[str, bool]]:
        """(login, succeeded) for every login attempt, from Dovecot's log."""
        out = []
        for line in (self.dir / "log").read_text(errors="replace").splitlines():
            m = re.search(r"imap-login: Info: (Login|Disconnected|Aborted login).*?user=<([^>]*)>", line)
            if m and (m.group(1) == "Login" or "auth failed" in line):
                out.append((m.group(2), m.group(1) == "Login"))
        return out

    def stop(self) -> None:
        for conn in getattr(self, "_delivery", {}).values():
            conn.close()
        if self.proc and self.proc.poll() is None:
            # Dovecot's own shutdown waits about a second; the process group (the master and the
            # children it started, nothing else) is killed at once instead.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=15)
        # The master's children exit with it; wait until the ports are free for the next test.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.imaps_port), timeout=0.2).close()
                time.sleep(0.05)
            except OSError:
                break


SERVER_CLASSES = {"posta": PostaIMAP, "dovecot": DovecotIMAP}


def deselect_lacking_servers(config, items) -> None:
    """Drops the runs of `capability`-marked tests against servers that lack the capability."""
    keep, drop = [], []
    for item in items:
        server = getattr(getattr(item, "callspec", None), "params", {}).get("imap_server")
        lacks = SERVER_CLASSES[server].lacks if server in SERVER_CLASSES else frozenset()
        wanted = {m.args[0].upper() for m in item.iter_markers("capability")}
        (drop if wanted & lacks else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(params=selected_servers())
def imap_server(request, tmp_path):
    """A fresh server of each selected kind ($POSTA_IMAP_SERVERS), started and seeded."""
    server = SERVER_CLASSES[request.param](tmp_path / request.param)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()


class Reader(threading.Thread):
    """Reads responses from a RawIMAP in the background, timestamping each (for IDLE latency)."""

    def __init__(self, conn: RawIMAP, until: bytes, timeout: float = 30.0):
        super().__init__(daemon=True)
        self.conn, self.until, self.timeout = conn, until, timeout
        self.lines: list[tuple[float, bytes]] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        deadline = time.monotonic() + self.timeout
        try:
            while time.monotonic() < deadline:
                line = self.conn.read_response()
                self.lines.append((time.monotonic(), line))
                if line.startswith(self.until):
                    return
        except BaseException as e:  # reported by the test
            self.error = e

    def first(self, pattern: bytes, timeout: float = 5.0) -> float | None:
        """The arrival time of the first response matching `pattern` (regex), waiting up to `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for t, line in list(self.lines):
                if re.search(pattern, line):
                    return t
            time.sleep(0.002)
        return None


def plain_ir(user: str, password: str = PASSWORD) -> str:
    """The SASL PLAIN initial response (RFC 4616) for `user`."""
    return base64.b64encode(f"\0{address(user)}\0{password}".encode()).decode()


# --- Helpers shared by the test modules ---------------------------------------------------------

def mailbox_name(value) -> str:
    """A mailbox name from a parsed LIST/STATUS value (atom, quoted string or literal)."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def listing(lines: list[bytes], kind: str = "LIST") -> dict[str, tuple[set[str], str | None, list]]:
    """`* LIST (attrs) delim name [extended]` responses → {name: (attributes lower-cased, delimiter, extended items)}."""
    out = {}
    for line in untagged(lines, kind):
        values = parse(line)
        attrs, delim, name = values[2], values[3], values[4]
        out[mailbox_name(name)] = ({str(a).lower() for a in attrs}, delim.decode() if isinstance(delim, bytes) else delim,
                                   values[5] if len(values) > 5 else [])
    return out


def status_items(lines: list[bytes]) -> dict[str, dict[str, int]]:
    """`* STATUS name (K v ...)` → {name: {K: v}}."""
    out = {}
    for line in untagged(lines, "STATUS"):
        values = parse(line)
        items = values[3]
        out[mailbox_name(values[2])] = {str(items[i]).upper(): items[i + 1] for i in range(0, len(items), 2)}
    return out


def response_code_value(lines: list[bytes], name: str) -> bytes | None:
    """The argument of the first `[NAME arg]` response code among `lines`, e.g. UIDVALIDITY → b"123"."""
    for line in lines:
        m = re.search(rb"\[" + name.encode() + rb"(?: ([^\]]*))?\]", line, re.I)
        if m:
            return m.group(1) or b""
    return None


def fetches(lines: list[bytes]) -> dict[int, dict]:
    """Every FETCH response → {sequence number: items}; items of several responses for one message merge."""
    out: dict[int, dict] = {}
    for line in untagged(lines, "FETCH"):
        n, items = fetch_items(line)
        out.setdefault(n, {}).update(items)
    return out


def seed(server: IMAPServer, count: int, user: str = "alice", prefix: str = "msg") -> list[bytes]:
    """Delivers `count` simple messages; returns them as stored, in UID order."""
    return [server.deliver(user, make_message(f"{prefix} {i}", f"body {i}\r\n")) for i in range(1, count + 1)]


def search_numbers(lines: list[bytes]) -> list[int]:
    """The numbers of the `* SEARCH` responses (RFC 3501 §7.2.5), in order."""
    out = []
    for line in untagged(lines, "SEARCH"):
        out += [int(w) for w in line.split()[2:] if w.isdigit()]
    return out


def flags_of(items: dict) -> set[str]:
    return {str(f).lower() for f in items["FLAGS"]}

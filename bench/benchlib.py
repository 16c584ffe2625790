"""Shared parts of the benchmarks that run Posta and Dovecot side by side: the release build, a
Posta site (interop/mailsite.py's MailSite plus extra listeners), a private Dovecot 2.3 (the
recipe of /work/shared/peers.md; plaintext, or implicit TLS with `tls=`), and CPU and memory
accounting of server process trees from /proc. Everything listens on 127.0.0.1 only.

A bench script imports this module (its folder is on sys.path when run as `bench/NAME`), calls
`use_posta(path)` before anything that imports interop's conftest, and stops what it starts in a
`finally` (`on_signals()` turns SIGTERM/SIGHUP into KeyboardInterrupt so that Ctrl-C and kill
both clean up)."""
import os
import pwd
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELEASE_BIN = ROOT / ".build-release" / "release" / "posta"
PASSWORD = "password-123"
sys.path.insert(0, str(ROOT / "interop"))


def build_release() -> Path:
    """`swift build -c release --scratch-path .build-release` in the repository (SwiftPM waits on
    its lock if another build runs); returns the binary."""
    print("building Posta (release) ...", file=sys.stderr, flush=True)
    subprocess.run(["swift", "build", "-c", "release", "--scratch-path", ".build-release"], cwd=ROOT, check=True)
    return RELEASE_BIN


def use_posta(path) -> str:
    """Points interop's conftest and mailsite at `path` (they read POSTA_BIN at import)."""
    path = str(Path(path).resolve())
    if not os.access(path, os.X_OK):
        raise SystemExit(f"no Posta binary at {path}")
    os.environ["POSTA_BIN"] = path
    import conftest
    import mailsite
    conftest.POSTA = mailsite.POSTA = path
    return path


def commit() -> str:
    r = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return r.stdout.strip() or "?"


def on_signals() -> None:
    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


# --- Posta ------------------------------------------------------------------------------------

class Posta:
    """A Posta site (SQLite, data under `folder`) with MailSite's users (alice, bob, carol,
    postmaster @example.org, password PASSWORD) and extra listener tables."""

    def __init__(self, folder: Path, listeners: str, limits: str = ""):
        from mailsite import MailSite
        self.site = MailSite(folder, extra_config=listeners, limits=limits)
        self.site.seed()

    def password_hash(self, address: str) -> str:
        """The stored hash (Posta writes `{CRYPT}$y$…`, which Dovecot verifies through crypt(3))."""
        with self.site.db() as db:
            return db.execute("SELECT password FROM account WHERE address_key = ?", (address.lower(),)).fetchone()[0]

    def start(self) -> "Posta":
        self.site.start()
        return self

    @property
    def pid(self) -> int:
        return self.site.proc.pid

    def pids(self) -> list[int]:
        return [self.pid]

    def log_problems(self, pattern: str = r"^\S+ (error|critical) ") -> list[str]:
        """Error and critical lines of Posta's text log, or those matching `pattern`."""
        return log_problems(self.site.folder / "posta.log", pattern)

    def stop(self) -> None:
        try:
            self.site.stop()
        except subprocess.TimeoutExpired:
            self.site.kill()


# --- Dovecot ----------------------------------------------------------------------------------

def vmail_user() -> pwd.struct_passwd:
    """The `vmail` account of the reference servers' mail stores, made by .ci/install-packages."""
    try:
        return pwd.getpwnam("vmail")
    except KeyError:
        subprocess.run([str(Path(__file__).resolve().parent.parent / ".ci" / "install-packages")], check=True)
        return pwd.getpwnam("vmail")


class Dovecot:
    """A private Dovecot 2.3 on loopback, plaintext logins allowed (`ssl = no`), Maildir under
    `folder`/vmail/DOMAIN/USER, passwd-file users given as {address: hash}. `listeners` maps a
    protocol ("imap", "pop3", "lmtp") to its port; `extra` is appended to the configuration.

    With `tls=(cert, key)` (PEM files, e.g. the Posta site's certificate) the login protocols are
    served over implicit TLS instead (IMAPS, POP3S: `ssl = required`, the `imaps`/`pop3s` listener on
    the port, the plaintext one off). "lmtp" is an inet listener of the `lmtp` service (plaintext; it
    needs the dovecot-lmtpd package)."""

    def __init__(self, folder: Path, users: dict[str, str], listeners: dict[str, int], extra: str = "",
                 tls: tuple[Path, Path] | None = None):
        from conftest import make_reachable
        self.vmail = vmail_user()
        self.dir = folder / "dovecot"
        self.mail = folder / "vmail"
        for sub in ("run", "state"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        self.mail.mkdir(parents=True, exist_ok=True)
        os.chown(self.mail, self.vmail.pw_uid, self.vmail.pw_gid)
        make_reachable(folder)
        (self.dir / "users").write_text("".join(f"{a}:{h}::::::\n" for a, h in users.items()))
        if "lmtp" in listeners and not Path("/usr/lib/dovecot/lmtp").exists():
            raise SystemExit("Dovecot's LMTP server is missing: apt-get install dovecot-lmtpd")
        services = ""
        for proto, port in listeners.items():
            if proto == "lmtp":
                services += f"""service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
}}
"""
                continue
            plain, implicit = (0, port) if tls else (port, 0)
            services += f"""service {proto}-login {{
  inet_listener {proto} {{
    address = 127.0.0.1
    port = {plain}
  }}
  inet_listener {proto}s {{
    address = 127.0.0.1
    port = {implicit}
  }}
}}
"""
        ssl = f"ssl = required\nssl_cert = <{tls[0]}\nssl_key = <{tls[1]}" if tls else "ssl = no"
        self.conf = self.dir / "dovecot.conf"
        self.conf.write_text(f"""base_dir = {self.dir}/run
state_dir = {self.dir}/state
protocols = {" ".join(listeners)}
listen = 127.0.0.1
log_path = {self.dir}/log
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:{self.mail}/%d/%n
mail_uid = vmail
mail_gid = vmail
first_valid_uid = {min(1000, self.vmail.pw_uid)}
first_valid_gid = {min(1000, self.vmail.pw_gid)}
passdb {{
  driver = passwd-file
  args = username_format=%u {self.dir}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.dir}/users
  default_fields = uid=vmail gid=vmail home={self.mail}/%d/%n
}}
{services}{extra}""")
        self.ports = list(listeners.values())
        self.proc = None

    def start(self) -> "Dovecot":
        from conftest import wait_for_port
        self.log = open(self.dir / "stdout", "ab")
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", str(self.conf)], stdout=self.log, stderr=self.log,
                                     start_new_session=True)
        for port in self.ports:
            wait_for_port(port)
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    def pids(self) -> list[int]:
        """The master and every process below it (imap-login, imap, auth, anvil, log, config …)."""
        return process_tree(self.proc.pid)

    def log_problems(self) -> list[str]:
        return log_problems(self.dir / "log", r"\b(Error|Fatal|Panic):")

    def stop(self) -> None:
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:  # the master's group: the children it started, nothing else
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)


def log_problems(path: Path, pattern: str) -> list[str]:
    """Lines of a server log matching `pattern` (a regular expression)."""
    import re
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if re.search(pattern, line)]


# --- /proc accounting -------------------------------------------------------------------------

def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()  # fields from "state" (field 3) on


def process_tree(root: int) -> list[int]:
    """`root` and all its live descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(_stat_fields(int(entry))[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of `pids`, including their reaped children (a pre-forking server's
    exited workers are counted in the master's cutime/cstime once it has waited for them)."""
    total = 0
    for pid in pids:
        try:
            f = _stat_fields(pid)
        except OSError:
            continue
        total += sum(int(x) for x in f[11:15])  # utime stime cutime cstime
    return total / TICK


def memory_kib(pids: list[int]) -> dict[str, int]:
    """Sums over `pids`, in KiB, from /proc/PID/smaps_rollup: "rss" (shared pages counted once per
    process that maps them), "pss" (shared pages split among the processes that map them, these
    and any others on the machine) and "anon" (anonymous memory: heaps, stacks; no file pages)."""
    out = {"rss": 0, "pss": 0, "anon": 0}
    keys = {"Rss:": "rss", "Pss:": "pss", "Anonymous:": "anon"}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    key = keys.get(line.split(" ", 1)[0])
                    if key:
                        out[key] += int(line.split()[1])
        except OSError:
            continue
    return out


# --- PostgreSQL -------------------------------------------------------------------------------

class Postgres:
    """A throw-away PostgreSQL on loopback (`.ci/postgres`) with fsync on, as a site would run it:
    a benchmark of durable throughput must not compare against a database that skips its syncs."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o755)
        r = subprocess.run([str(ROOT / ".ci" / "postgres"), "start", str(folder / "db")], check=True,
                           capture_output=True, text=True, env={**os.environ, "POSTGRES_FSYNC": "on"})
        self.url = r.stdout.strip().splitlines()[-1]
        self.count = 0

    def new_database(self) -> str:
        """The URL of a new, empty database on the server."""
        self.count += 1
        name = f"posta_bench_{os.getpid()}_{self.count}"
        subprocess.run(["psql", self.url, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
        return self.url.rsplit("/", 1)[0] + "/" + name

    def scalar(self, url: str, sql: str) -> int:
        r = subprocess.run(["psql", url, "-tAc", sql], check=True, capture_output=True, text=True)
        return int(r.stdout.strip() or 0)

    def stop(self) -> None:
        subprocess.run([str(ROOT / ".ci" / "postgres"), "stop", str(self.folder / "db")], capture_output=True)


# --- Postfix ----------------------------------------------------------------------------------

def postfix_virtual(folder: Path, address: str):
    """A private Postfix (interop/postfix.py) under `folder` that takes mail for `address` and
    delivers it with its `virtual` agent into a Maildir, as a Postfix + Maildir site does; returns
    the (unstarted) Postfix and a function counting the messages delivered so far."""
    from postfix import Postfix
    uid, gid = vmail_user().pw_uid, vmail_user().pw_gid
    local, domain = address.split("@")
    vmail = folder / "vmail"
    vmail.mkdir(parents=True)
    os.chown(vmail, uid, gid)
    (folder / "pf").mkdir()
    pf = Postfix(folder / "pf", f"""virtual_mailbox_domains = {domain}
virtual_mailbox_base = {vmail}
virtual_mailbox_maps = texthash:{folder}/pf/vmailbox
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
virtual_minimum_uid = 1000
""")
    (folder / "pf" / "vmailbox").write_text(f"{address} {domain}/{local}/\n")
    box = vmail / domain / local

    def delivered() -> int:
        return sum(len(files) for sub in ("new", "cur") for _, _, files in os.walk(box / sub))
    return pf, delivered

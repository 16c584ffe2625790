"""Mailman 3 core from Debian's `mailman3` package, run from a temporary folder: its own
`mailman.cfg` (var_dir, SQLite database and logs in the folder), the REST API and the LMTP runner
on free loopback ports, outgoing SMTP to a sink on loopback, no MTA integration (`NullMTA`).
Helpers drive it the way an administrator would: REST to create domains, lists and members and
to change list settings, LMTP to post (interop/test_lists_mailman.py)."""
import base64
import json
import os
import secrets
import shutil
import signal
import smtplib
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import free_port, wait_for_port

MAILMAN = "/usr/bin/mailman"
# Debian keeps the `master` and `runner` scripts here (its [paths.debian] bin_dir).
BIN_DIR = "/usr/lib/mailman3/bin"
# The public suffix list Mailman ships, for its DMARC rule's organisational domains; put in the
# cache so that Mailman does not try to download a fresh one from publicsuffix.org.
SUFFIX_LIST = "/usr/lib/python3/dist-packages/mailman/rules/data/public_suffix_list.dat"


def available() -> bool:
    return os.path.exists(MAILMAN) and os.path.isdir(BIN_DIR)


class Mailman3Site:
    """Mailman 3 core in `folder`, sending everything it delivers to 127.0.0.1:`smtp_port`."""

    def __init__(self, folder: Path, smtp_port: int):
        self.folder = folder
        self.var = folder / "var"
        self.var.mkdir(parents=True, exist_ok=True)
        self.rest_port, self.lmtp_port = free_port(), free_port()
        self.user, self.password = "restadmin", secrets.token_urlsafe(18)
        self.base = f"http://127.0.0.1:{self.rest_port}/3.1"
        self.config = folder / "mailman.cfg"
        self.config.write_text(f"""[mailman]
layout: posta
site_owner: postmaster@example.org

[paths.posta]
var_dir: {self.var}
bin_dir: {BIN_DIR}
log_dir: $var_dir/logs
pid_file: $var_dir/master.pid

[database]
class: mailman.database.sqlite.SQLiteDatabase
url: sqlite:///$DATA_DIR/mailman.db

[webservice]
hostname: 127.0.0.1
port: {self.rest_port}
use_https: no
admin_user: {self.user}
admin_pass: {self.password}

[mta]
incoming: mailman.mta.null.NullMTA
outgoing: mailman.mta.deliver.deliver
smtp_host: 127.0.0.1
smtp_port: {smtp_port}
lmtp_host: 127.0.0.1
lmtp_port: {self.lmtp_port}
# VERP for lists with personalised delivery (Mailman's default is no VERP at all).
verp_personalized_deliveries: yes

[logging.root]
level: info

# Only the runners a post goes through (LMTP in, the pipeline, SMTP out), REST, and virgin for
# Mailman's own notices: fewer processes, a faster start.
[runner.archive]
start: no
[runner.bounces]
start: no
[runner.command]
start: no
[runner.digest]
start: no
[runner.nntp]
start: no
[runner.retry]
start: no
[runner.task]
start: no
""")
        cached = self.var / "public_suffix_list.dat"
        shutil.copyfile(SUFFIX_LIST, cached)
        expiry = time.time() + 30 * 86400
        os.utime(cached, (expiry, expiry))
        self.started = False

    # --- the processes ---------------------------------------------------------------------

    def mailman(self, *args: str, timeout: float = 60) -> tuple[int, str]:
        """`mailman -C cfg ARGS` as Debian installs it (its own /usr/bin/python3): the exit code
        and the output. The output goes through a file: the master that `start` leaves running
        inherits it, and a pipe would stay open until the master ends."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["PYTHONNOUSERSITE"] = "1"
        # Mailman refuses root unless told; the tests run as root (the ports and files are ours).
        root = ["--run-as-root"] if os.geteuid() == 0 else []
        log = self.folder / "mailman-cli.log"
        with open(log, "ab") as out:
            start = out.tell()
            code = subprocess.run([MAILMAN, "-C", str(self.config), *root, *args], stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.STDOUT, timeout=timeout, cwd=self.folder, env=env).returncode
        return code, log.read_bytes()[start:].decode(errors="replace")

    def start(self, timeout: float = 90) -> "Mailman3Site":
        """`mailman start` (the master daemonises), then waits until REST and LMTP answer."""
        self.started = True
        code, out = self.mailman("start")
        assert code == 0, f"mailman start failed: {out}\n{self.log_tail()}"
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.rest("GET", "/system/versions", timeout=2)
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"Mailman's REST API did not answer in {timeout}s\n{self.log_tail()}")
                time.sleep(0.3)
        wait_for_port(self.lmtp_port, timeout=max(1.0, deadline - time.monotonic()))
        return self

    def pids(self) -> list[int]:
        """Every process started from this site's configuration (the master and its runners all
        carry `-C <cfg>` on their command lines)."""
        out = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if str(self.config).encode() in argv:
                out.append(int(entry.name))
        return out

    def stop(self, timeout: float = 30) -> None:
        """`mailman stop` (SIGTERM to the master, which stops its runners), then SIGKILL for any
        process of this site still there after `timeout` s."""
        if not self.started:
            return
        self.started = False
        try:
            self.mailman("stop", timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + timeout
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def log_tail(self, lines: int = 40) -> str:
        out = []
        for name in ("mailman.log", "error.log", "smtp.log", "vette.log"):
            path = self.var / "logs" / name
            if path.exists():
                out.append(f"--- {name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(out)

    # --- REST ------------------------------------------------------------------------------

    def rest(self, method: str, path: str, body: dict | None = None, timeout: float = 30):
        """A REST call as the admin user; the JSON answer (None when empty). Raises on an error
        status, with Mailman's explanation."""
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        request = urllib.request.Request(self.base + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = response.read()
                self.location = response.headers.get("Location")
                return json.loads(data) if data else None
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path} {body}: {error.code} {error.read().decode(errors='replace')}") from None

    def add_domain(self, domain: str) -> None:
        self.rest("POST", "/domains", {"mail_host": domain})

    def add_list(self, address: str, **settings) -> str:
        """Creates the list and applies `settings` (names of Mailman's list configuration, e.g.
        `display_name`, `subject_prefix`, `reply_goes_to_list`); returns its List-Id."""
        self.rest("POST", "/lists", {"fqdn_listname": address})
        list_id = address.replace("@", ".")
        if settings:
            self.set_list(list_id, **settings)
        return list_id

    def set_list(self, list_id: str, **settings) -> None:
        self.rest("PATCH", f"/lists/{list_id}/config", settings)

    def list_config(self, list_id: str) -> dict:
        return self.rest("GET", f"/lists/{list_id}/config")

    def subscribe(self, list_id: str, address: str, display_name: str = "", role: str = "member") -> str:
        """Adds `address` in `role`, verified, confirmed and approved already (no mail is sent);
        returns the member's REST path."""
        body = {"list_id": list_id, "subscriber": address, "role": role, "pre_verified": True,
                "pre_confirmed": True, "pre_approved": True, "send_welcome_message": False}
        if display_name:
            body["display_name"] = display_name
        self.rest("POST", "/members", body)
        return self.location.split("/3.1", 1)[1]

    def set_preferences(self, member: str, **preferences) -> None:
        """Changes a member's preferences, e.g. `delivery_status="by_user"` (delivery disabled)."""
        self.rest("PATCH", f"{member}/preferences", preferences)

    def held(self, list_id: str) -> list[dict]:
        return self.rest("GET", f"/lists/{list_id}/held").get("entries", [])

    # --- posting ---------------------------------------------------------------------------

    def post(self, sender: str, recipient: str, message: bytes) -> None:
        """Hands `message` to Mailman's LMTP runner, as an MTA would."""
        with smtplib.LMTP("127.0.0.1", self.lmtp_port, timeout=30) as lmtp:
            refused = lmtp.sendmail(sender, [recipient], message)
        assert not refused, refused

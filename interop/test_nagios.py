"""A real Nagios 4 (Debian's nagios4-core) runs `posta check …` as its service checks against a
running Posta: all OK, then the queue check goes WARNING and CRITICAL as held messages fill the
queue past the thresholds, and the protocol checks go CRITICAL once the server is stopped.

Nagios runs in the foreground with its own nagios.cfg in the test's folder (status file, command
file, check results there). It runs as root with `nagios_user=root`: the checks read the site's
config and SQLite database, which belong to root with private modes, as Posta's admin commands do.
Checks are forced through the external command file (SCHEDULE_FORCED_SVC_CHECK) instead of waiting
for their interval."""
import json
import shutil
import smtplib
import subprocess
import time
from pathlib import Path

import pytest

from conftest import POSTA, free_port, stop_process, wait_for_port
from mailsite import MailSite

NAGIOS = shutil.which("nagios4") or "/usr/sbin/nagios4"

SERVICES = ["smtp", "submission", "imap", "pop3", "queue", "disk", "load", "certificate", "database", "cluster"]


def nagios_config(folder: Path, site_config: Path) -> Path:
    (folder / "results").mkdir()
    cfg = folder / "nagios.cfg"
    cfg.write_text(f"""log_file={folder}/nagios.log
cfg_file={folder}/objects.cfg
status_file={folder}/status.dat
status_update_interval=1
check_result_path={folder}/results
lock_file={folder}/nagios.lock
temp_file={folder}/nagios.tmp
temp_path={folder}
query_socket={folder}/nagios.qh
state_retention_file={folder}/retention.dat
retain_state_information=0
use_retained_scheduling_info=0
command_file={folder}/nagios.cmd
check_external_commands=1
nagios_user=root
nagios_group=root
interval_length=1
max_service_check_spread=1
max_host_check_spread=1
check_result_reaper_frequency=1
max_check_result_reaper_time=2
enable_notifications=0
enable_flap_detection=0
service_check_timeout=30
""")
    checks = {
        "smtp": "smtp -t 5",
        "submission": "submission -t 5",
        "imap": "imap -t 5",
        "pop3": "pop3 -t 5",
        # Low thresholds so that a handful of held messages trips them.
        "queue": "queue -w 5 -c 10",
        "disk": "disk -w 1: -c 0:",
        "load": "load -w 1000 -c 2000",
        # The test certificate lives two days.
        "certificate": "certificate -w 1 -c 0",
        "database": "database",
        "cluster": "cluster",
    }
    commands = "".join(
        f"""define command {{
  command_name posta_{name}
  command_line {POSTA} check {args} --config {site_config}
}}
""" for name, args in checks.items())
    services = "".join(
        f"""define service {{
  host_name posta
  service_description {name}
  check_command posta_{name}
  max_check_attempts 1
  check_interval 3600
  retry_interval 3600
  check_period always
  contacts nobody
  notification_period always
}}
""" for name in checks)
    (folder / "objects.cfg").write_text(commands + """define command {
  command_name nothing
  command_line /bin/true
}
define timeperiod {
  timeperiod_name always
  alias always
  sunday 00:00-24:00
  monday 00:00-24:00
  tuesday 00:00-24:00
  wednesday 00:00-24:00
  thursday 00:00-24:00
  friday 00:00-24:00
  saturday 00:00-24:00
}
define contact {
  contact_name nobody
  host_notifications_enabled 0
  service_notifications_enabled 0
  host_notification_period always
  service_notification_period always
  host_notification_options n
  service_notification_options n
  host_notification_commands nothing
  service_notification_commands nothing
}
define host {
  host_name posta
  address 127.0.0.1
  check_command nothing
  max_check_attempts 1
  check_period always
  contacts nobody
  notification_period always
}
""" + services)
    return cfg


def read_status(path: Path) -> dict[str, dict[str, str]]:
    """The `servicestatus` blocks of Nagios's status.dat by service description."""
    services: dict[str, dict[str, str]] = {}
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return services
    block: dict[str, str] | None = None
    for line in text.splitlines():
        line = line.strip()
        if line == "servicestatus {":
            block = {}
        elif line == "}" and block is not None:
            services[block.get("service_description", "")] = block
            block = None
        elif block is not None and "=" in line:
            key, _, value = line.partition("=")
            block[key] = value
    return services


class Nagios:
    def __init__(self, folder: Path, site_config: Path):
        self.folder = folder
        self.cfg = nagios_config(folder, site_config)
        check = subprocess.run([NAGIOS, "-v", str(self.cfg)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        self.log = open(folder / "nagios.out", "ab")
        self.proc = subprocess.Popen([NAGIOS, str(self.cfg)], stdout=self.log, stderr=self.log)

    def force(self, *services: str) -> float:
        """Asks for an immediate check of each service; returns the time asked."""
        deadline = time.monotonic() + 10
        while not (self.folder / "nagios.cmd").exists():  # the FIFO appears once Nagios runs
            assert time.monotonic() < deadline, "no nagios.cmd"
            time.sleep(0.1)
        now = int(time.time())
        with open(self.folder / "nagios.cmd", "w") as fifo:
            for service in services:
                fifo.write(f"[{now}] SCHEDULE_FORCED_SVC_CHECK;posta;{service};{now}\n")
        return now

    def wait_for(self, expected: dict[str, int], since: float = 0, timeout: float = 60) -> dict[str, dict[str, str]]:
        """Polls status.dat until every service named has been checked at or after `since` and is in
        the expected state (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN); asks again for the others."""
        deadline = time.monotonic() + timeout
        last_force = time.monotonic()
        while True:
            status = read_status(self.folder / "status.dat")
            pending = [
                name for name, state in expected.items()
                if name not in status or status[name].get("has_been_checked") != "1"
                or int(status[name].get("last_check", "0")) < since
                or int(status[name]["current_state"]) != state]
            if not pending:
                return status
            if time.monotonic() > deadline:
                shown = {n: (status.get(n, {}).get("current_state"), status.get(n, {}).get("plugin_output")) for n in pending}
                raise AssertionError(f"services not in the expected state: {shown}")
            if time.monotonic() - last_force > 3:
                self.force(*pending)
                last_force = time.monotonic()
            time.sleep(0.3)

    def stop(self):
        stop_process(self.proc)


@pytest.fixture
def site(tmp_path: Path):
    ports = {name: free_port() for name in ("imap", "pop3", "submission", "imaps")}
    extra = "".join(f'[[listener]]\nprotocol = "{name}"\naddress = "127.0.0.1:{port}"\n' for name, port in ports.items())
    site = MailSite(tmp_path, extra_config=extra).seed()
    site.posta("alias", "add", "fwd@example.org", "someone@remote.example")
    site.start()
    for port in ports.values():
        wait_for_port(port)
    yield site
    site.stop()


@pytest.fixture
def nagios(tmp_path: Path, site: MailSite):
    folder = tmp_path / "nagios"
    folder.mkdir()
    n = Nagios(folder, site.config)
    yield n
    n.stop()


def site_port(site: MailSite, protocol: str) -> int:
    """The port of the site's listener for `protocol`, read back from its config."""
    import re
    return int(re.search(rf'protocol = "{protocol}"\naddress = "127.0.0.1:(\d+)"', site.config.read_text()).group(1))


def queue_messages(site: MailSite, count: int):
    """Sends `count` messages forwarded to a remote domain (they stay queued: nothing resolves) and holds them."""
    with smtplib.SMTP("127.0.0.1", site.smtp_port) as s:
        for i in range(count):
            s.sendmail("s@remote.example", ["fwd@example.org"], f"Subject: q{i}\r\n\r\nx\r\n".encode())
    for entry in json.loads(site.posta("queue", "list", "--json")):
        if not entry["held"]:
            site.posta("queue", "hold", entry["id"])


def test_nagios_sees_ok_then_queue_warning_critical_then_listener_down(site: MailSite, nagios: Nagios):
    since = nagios.force(*SERVICES)
    status = nagios.wait_for({name: 0 for name in SERVICES}, since=since)
    assert status["queue"]["plugin_output"] == "POSTA QUEUE OK - 0 messages"
    assert status["queue"]["performance_data"].startswith("total=0;5;10;0 ")
    assert status["smtp"]["plugin_output"].startswith("POSTA SMTP OK - ")
    assert status["smtp"]["performance_data"].startswith("time=")
    assert status["cluster"]["plugin_output"].startswith("POSTA CLUSTER OK - 1 alive")

    queue_messages(site, 6)
    since = nagios.force("queue")
    status = nagios.wait_for({"queue": 1}, since=since)
    assert status["queue"]["plugin_output"] == "POSTA QUEUE WARNING - 6 messages (6 held)"
    assert status["queue"]["performance_data"].startswith("total=6;5;10;0 ")

    queue_messages(site, 5)
    since = nagios.force("queue")
    status = nagios.wait_for({"queue": 2}, since=since)
    assert status["queue"]["plugin_output"] == "POSTA QUEUE CRITICAL - 11 messages (11 held)"

    site.stop()
    since = nagios.force("smtp", "imap", "pop3", "submission")
    status = nagios.wait_for({"smtp": 2, "imap": 2, "pop3": 2, "submission": 2}, since=since)
    assert status["smtp"]["plugin_output"] == f"POSTA SMTP CRITICAL - connection refused on 127.0.0.1:{site.smtp_port}"
    # Stopped cleanly: the cluster check says so and stays OK; the queue is still counted.
    since = nagios.force("cluster", "queue")
    status = nagios.wait_for({"cluster": 0, "queue": 2}, since=since)
    assert "1 stopped" in status["cluster"]["plugin_output"]


def test_check_exit_codes_and_bad_input(tmp_path: Path):
    """Outside Nagios: exit statuses 0..3 and one line, whatever the input."""
    port = free_port()
    r = subprocess.run([POSTA, "check", "smtp", "-p", str(port), "-t", "3"], capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (2, f"POSTA SMTP CRITICAL - connection refused on 127.0.0.1:{port}\n")
    for args in (["check", "load", "-w", "10:5"], ["check", "smtp", "-w", "abc"], ["check", "queue", "--bogus"]):
        r = subprocess.run([POSTA, *args], capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode == 3, (args, r.stdout, r.stderr)
        assert len(r.stdout.splitlines()) == 1 and " UNKNOWN - " in r.stdout, (args, r.stdout)
        assert "Traceback" not in r.stderr and "Fatal" not in r.stderr
    r = subprocess.run([POSTA, "check", "load", "-w", "1000", "-c", "2000"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("POSTA LOAD OK - load average: ")


def test_protocol_checks_with_tls_and_login(site: MailSite, tmp_path: Path):
    """STARTTLS, implicit TLS, logins and the certificate a server presents, against the real server."""
    good, bad = tmp_path / "good.pass", tmp_path / "bad.pass"
    good.write_text("password-123\n")
    bad.write_text("wrong\n")

    def check(*args: str) -> tuple[int, str]:
        r = subprocess.run([POSTA, "check", *args, "--config", str(site.config)], capture_output=True, text=True, timeout=30)
        assert len(r.stdout.splitlines()) == 1, (args, r.stdout, r.stderr)
        return r.returncode, r.stdout.strip()

    for proto in ("smtp", "submission", "imap", "pop3"):
        code, line = check(proto, "--starttls", "-w", "5", "-c", "10")
        assert code == 0 and line.startswith(f"POSTA {proto.upper()} OK - "), line
    for proto in ("submission", "imap", "pop3"):
        code, line = check(proto, "--starttls", "--user", "alice@example.org", "--password-file", str(good))
        assert code == 0, line
        code, line = check(proto, "--starttls", "--user", "alice@example.org", "--password-file", str(bad))
        assert code == 2 and "login failed" in line, line
    code, line = check("imap", "--tls", "--user", "alice@example.org", "--password-file", str(good))
    assert code == 0 and f"127.0.0.1:{site_port(site, 'imaps')}" in line, line
    # The test certificate lives two days: below the default 7, so CRITICAL.
    code, line = check("certificate", "-H", "127.0.0.1", "-p", str(site.smtp_port), "--starttls", "smtp")
    assert code == 2 and "CN=localhost expires in 1 days" in line and "| days=1;30:;7:" in line, line
    code, line = check("certificate", "-H", "127.0.0.1", "-p", str(site_port(site, "imaps")), "--tls", "-w", "1", "-c", "0")
    assert code == 0 and "expires in 1 days" in line, line
    code, line = check("certificate", "-w", "1", "-c", "0")
    assert code == 0 and line.startswith(f"POSTA CERTIFICATE OK - {site.cert}: "), line


def test_cluster_check_sees_a_killed_node_go_stale(site: MailSite):
    """A node that dies without stopping cleanly stops renewing its row: stale, CRITICAL."""
    def cluster(*args: str) -> tuple[int, str]:
        r = subprocess.run([POSTA, "check", "cluster", "--config", str(site.config), *args], capture_output=True, text=True)
        return r.returncode, r.stdout.strip()

    code, line = cluster()
    assert code == 0 and line.startswith("POSTA CLUSTER OK - 1 alive"), line
    code, line = cluster("-c", "2:")
    assert code == 2 and "| alive=1;;2:;0;1 " in line, line
    site.kill()
    time.sleep(2.5)
    code, line = cluster("--stale-after", "1")
    assert code == 2 and "0 alive, 1 stale: " in line and "| alive=0;;;0;1 stale=1;;;0;1 stopped=0;;;0;1" in line, line

"""A private Postfix instance on loopback (Debian's postfix package), configured per test."""
import contextlib
import fcntl
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

from conftest import free_port, make_reachable, short_dir, wait_for_port


@contextlib.contextmanager
def default_instance_lock():
    """Serialises the edits of the default instance's main.cf (and the checks that read it) across
    pytest-xdist workers: two workers adding their directories at once would lose one."""
    with open("/tmp/posta-interop-postfix.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class Postfix:
    def __init__(self, folder: Path, main_cf: str, port: int | None = None, address: str = "127.0.0.1"):
        make_reachable(folder)  # Postfix's daemons run as user postfix
        # Postfix's Unix sockets live under its queue directory (108-byte path limit): a short folder.
        self.dir = short_dir("pf")
        self.etc = self.dir / "etc"
        self.port = port or free_port()
        for sub in ("etc", "spool", "lib"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        postfix_uid = pwd.getpwnam("postfix").pw_uid
        os.chown(self.dir / "lib", postfix_uid, -1)
        shutil.copy("/etc/postfix/master.cf", self.etc / "master.cf")
        (self.etc / "main.cf").write_text(f"""compatibility_level = 3.6
config_directory = {self.etc}
queue_directory = {self.dir}/spool
data_directory = {self.dir}/lib
multi_instance_name = postfix-{self.port}
syslog_name = postfix-{self.port}
maillog_file = {self.dir}/maillog
maillog_file_prefixes = {self.dir}
myhostname = relay.remote.example
mydestination =
inet_interfaces = all
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtp_tls_security_level = may
{main_cf}
""")
        run = lambda *a: subprocess.run(a, check=True, capture_output=True, text=True)
        run("postconf", "-c", str(self.etc), "-M#", "smtp/inet")
        run("postconf", "-c", str(self.etc), "-Me", f"{address}:{self.port}/inet = {address}:{self.port} inet n - n - - smtpd")
        self.address = address
        run("postconf", "-c", str(self.etc), "-F", "*/*/chroot = n")
        # root may only run `postfix -c DIR` for directories the default instance allows.
        # The list is pruned of directories gone with earlier runs, so it does not grow without end.
        with default_instance_lock():
            current = subprocess.run(["postconf", "-h", "alternate_config_directories"], capture_output=True,
                                     text=True).stdout.split()
            kept = [d for d in current if os.path.isdir(d) and d != str(self.etc)] + [str(self.etc)]
            run("postconf", "-e", "alternate_config_directories = " + " ".join(kept))

    def start(self):
        with default_instance_lock():
            r = subprocess.run(["postfix", "-c", str(self.etc), "check"], capture_output=True, text=True)
            assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
            subprocess.run(["postfix", "-c", str(self.etc), "start"], check=True, capture_output=True, text=True)
        wait_for_port(self.port, host=self.address)
        return self

    def stop(self):
        subprocess.run(["postfix", "-c", str(self.etc), "stop"], capture_output=True, text=True)

    def log(self) -> str:
        path = self.dir / "maillog"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_log(self, needle: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log()
            if needle in text:
                return text
            time.sleep(0.1)
        raise TimeoutError(f"{needle!r} not in postfix log:\n{self.log()[-3000:]}")

"""A private, plaintext Dovecot 2.3 on loopback for the migration tests (import from and export to
Dovecot): passwd-file users with PLAIN passwords, one `inbox` namespace with `/` as separator, the
mail location the test names, IMAP and optionally POP3, delivery through Dovecot's own LDA. The
recipe is /work/shared/peers.md's; mail files belong to the `vmail` account .ci/install-packages
makes."""
import os
import pwd
import signal
import subprocess
from pathlib import Path

from conftest import free_port, short_dir, wait_for_port

CONF = """\
base_dir = {run}
state_dir = {d}/state
protocols = {protocols}
listen = 127.0.0.1
log_path = {d}/log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
mail_location = {location}
mail_uid = vmail
mail_gid = vmail
first_valid_uid = {uid}
{extra}
passdb {{
  driver = passwd-file
  args = username_format=%u {d}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {d}/users
  default_fields = uid=vmail gid=vmail home={home}
}}
namespace inbox {{
  inbox = yes
  separator = /
  prefix =
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def vmail() -> pwd.struct_passwd:
    return pwd.getpwnam("vmail")


class PrivateDovecot:
    """Dovecot with its configuration and state under `folder/dovecot`. `location` is its
    `mail_location` and `home` the users' home (both may use %d and %n); `extra` adds settings
    (e.g. `pop3_uidl_format`). `imap` and `pop3` are the ports (`pop3` is 0 without POP3)."""

    def __init__(self, folder: Path, users: list[str], password: str, location: str, home: str,
                 pop3: bool = False, extra: str = ""):
        self.d = folder / "dovecot"
        self.d.mkdir(parents=True)
        (self.d / "users").write_text("".join(f"{u}:{{PLAIN}}{password}::::::\n" for u in users))
        self.imap = free_port()
        self.pop3 = free_port() if pop3 else 0
        self.conf = self.d / "dovecot.conf"
        self.conf.write_text(CONF.format(
            d=self.d, run=short_dir("dvc"), protocols="imap pop3" if pop3 else "imap", location=location,
            uid=vmail().pw_uid, extra=extra, home=home, imap=self.imap, pop3=self.pop3))
        log = open(self.d / "stdout", "ab")
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", str(self.conf)], stdout=log, stderr=log, start_new_session=True)
        for port in (self.imap, self.pop3):
            if port:
                wait_for_port(port)

    def deliver(self, user: str, data: bytes) -> None:
        """Local delivery by Dovecot's own LDA (it asks the running Dovecot's userdb for the user)."""
        r = subprocess.run(["/usr/lib/dovecot/dovecot-lda", "-c", str(self.conf), "-d", user, "-f", "sender@example.net"],
                           input=data, capture_output=True, timeout=60)
        assert r.returncode == 0, (user, r.stdout, r.stderr, (self.d / "log").read_text()[-2000:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)

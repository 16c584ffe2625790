"""Posta with a policy delegation listener and a submission listener, and the policies the
policy tests share: a SASL-user quota of 3 messages per hour, a HELO blacklist, greylisting (2 s)."""
import smtplib
import ssl
import subprocess
import time
from pathlib import Path

from conftest import free_port, wait_for_port
from mailsite import MailSite

QUOTA_TEXT = "Hourly sending quota reached"
GREY_DEFER = 2


class PolicySite(MailSite):
    def __init__(self, folder: Path, extra_config: str = ""):
        self.policy_port = free_port()
        self.submission_port = free_port()
        super().__init__(folder, extra_config=f'''
[[listener]]
protocol = "policy"
address = "127.0.0.1:{self.policy_port}"
[[listener]]
protocol = "submission"
address = "127.0.0.1:{self.submission_port}"
{extra_config}''')

    def start(self):
        super().start()
        wait_for_port(self.policy_port)
        wait_for_port(self.submission_port)
        return self

    def configure_policies(self):
        """The scenarios of the policy tests, set up with `posta policy`."""
        self.posta("alias", "add", "grey@example.org", "alice@example.org")
        self.posta("policy", "add", "senders", "--priority", "10")
        self.posta("policy", "member", "add", "senders", "sasl", "*")
        self.posta("policy", "rule", "add", "senders", "quota", "track=sasl", "period=3600", "messages=3",
                   f"text={QUOTA_TEXT}")
        self.posta("policy", "add", "helo", "--priority", "20")
        self.posta("policy", "rule", "add", "helo", "helo", "blacklist=.spammer.example")
        self.posta("policy", "add", "grey", "--priority", "30")
        self.posta("policy", "member", "add", "grey", "recipient", "grey@example.org")
        self.posta("policy", "rule", "add", "grey", "greylist", f"defer={GREY_DEFER}", "mask=24")
        return self


def refusal(send) -> tuple[int, str]:
    """The code and text a refused RCPT got, or (250, '') when everything was accepted."""
    try:
        send()
    except smtplib.SMTPRecipientsRefused as e:
        [(code, text)] = e.recipients.values()
        return code, text.decode()
    return 250, ""


def message(sender: str, subject: str) -> bytes:
    return f"From: {sender}\r\nTo: bob@example.org\r\nSubject: {subject}\r\n\r\nHi.\r\n".encode()


def send_authenticated(port: int, user: str, password: str, sender: str, recipient: str, subject: str, tls: bool):
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.remote.example", timeout=30) as s:
        if tls:
            s.starttls(context=ssl._create_unverified_context())
        s.login(user, password)
        s.sendmail(sender, [recipient], message(sender, subject))


def send_plain(port: int, helo: str, sender: str, recipient: str, subject: str = "plain"):
    with smtplib.SMTP("127.0.0.1", port, local_hostname=helo, timeout=30) as s:
        s.sendmail(sender, [recipient], message(sender, subject))


def check_quota(send_one) -> None:
    """Three messages pass; the fourth is deferred with the configured text."""
    for i in range(3):
        assert refusal(lambda: send_one(f"quota {i}")) == (250, ""), i
    code, text = refusal(lambda: send_one("quota 4"))
    assert code == 450 and QUOTA_TEXT in text, (code, text)


def check_greylist(port: int) -> None:
    """A new triplet is deferred; the retry after the period is accepted (retries bounded)."""
    send = lambda: send_plain(port, "mail.remote.example", "someone@remote.example", "grey@example.org", "grey")
    code, text = refusal(send)
    assert code == 450 and "Greylisted" in text, (code, text)
    code, _ = refusal(send)
    assert code == 450  # too early
    time.sleep(GREY_DEFER + 0.5)
    assert refusal(send) == (250, "")


def check_helo_blacklist(port: int) -> None:
    code, text = refusal(lambda: send_plain(port, "bot.spammer.example", "x@remote.example", "bob@example.org"))
    assert code >= 500 and "Helo command rejected" in text, (code, text)
    assert refusal(lambda: send_plain(port, "mail.remote.example", "x@remote.example", "bob@example.org")) == (250, "")


class DovecotAuth:
    """Dovecot as an authentication service only, for Postfix's SASL (smtpd_sasl_type = dovecot)."""

    def __init__(self, folder: Path, users: dict[str, str]):
        self.dir = folder / "dovecot"
        for sub in ("run", "state"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        (self.dir / "users").write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in users.items()))
        self.conf = self.dir / "dovecot.conf"
        from conftest import short_dir
        self.conf.write_text(f"""base_dir = {short_dir("dva")}
state_dir = {self.dir}/state
log_path = {self.dir}/log
protocols = none
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = username_format=%u {self.dir}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}}
service auth {{
  inet_listener {{
    address = 127.0.0.1
    port = {self.port}
  }}
}}
""")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

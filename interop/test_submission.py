"""Submission (RFC 6409 on 587 with STARTTLS, RFC 8314 on 465 with implicit TLS) with SMTP AUTH
(RFC 4954) against Python's smtplib: AUTH PLAIN and LOGIN only over TLS, wrong passwords refused
and throttled, every login recorded, and users may send only as themselves."""
import base64
import json
import smtplib
import socket
import ssl
import time
from pathlib import Path

import pytest

from conftest import free_port, wait_for_port
from mailsite import MailSite, read_reply

PASSWORD = "password-123"


class SubmissionSite(MailSite):
    def __init__(self, folder: Path):
        self.submission_port = free_port()
        self.submissions_port = free_port()
        super().__init__(folder, extra_config=f'''
[[listener]]
protocol = "submission"
address = "127.0.0.1:{self.submission_port}"
[[listener]]
protocol = "submissions"
address = "127.0.0.1:{self.submissions_port}"
''')

    def start(self):
        super().start()
        wait_for_port(self.submission_port)
        wait_for_port(self.submissions_port)
        return self

    def context(self):
        return ssl.create_default_context(cafile=str(self.cert))

    def logins(self):
        with self.db() as db:
            return db.execute("SELECT login, ip, protocol, success FROM login_event ORDER BY id").fetchall()


@pytest.fixture
def site(tmp_path: Path):
    s = SubmissionSite(tmp_path).seed().start()
    yield s
    s.stop()


def message(sender: str, to: str, subject: str) -> bytes:
    return f"From: Someone <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@example.org>\r\n\r\nHi\r\n".encode()


def test_587_starttls_auth_plain_and_login(site: SubmissionSite):
    with smtplib.SMTP("localhost", site.submission_port) as s:
        s.ehlo()
        assert not s.has_extn("auth"), "AUTH must not be offered before TLS"
        s.starttls(context=site.context())
        s.ehlo()
        assert s.esmtp_features["auth"].split() == ["PLAIN", "LOGIN"]
        s.login("alice@example.org", PASSWORD)  # smtplib prefers PLAIN here
        s.sendmail("alice@example.org", ["bob@example.org"], message("alice@example.org", "bob@example.org", "plain"))
    with smtplib.SMTP("localhost", site.submission_port) as s:
        s.starttls(context=site.context())
        s.ehlo()
        s.user, s.password = "alice@example.org", PASSWORD
        code, _ = s.auth("LOGIN", s.auth_login, initial_response_ok=False)
        assert code == 235
        s.sendmail("alice+tag@example.org", ["bob@example.org"], message("alice@example.org", "bob@example.org", "login"))
    got = site.wait_for_messages("bob@example.org", 2)
    assert len(got) == 2 and b"with ESMTPSA id" in got[0]
    assert [(l, p, ok) for l, _, p, ok in site.logins()] == [("alice@example.org", "smtps", 1)] * 2


def test_465_implicit_tls(site: SubmissionSite):
    with smtplib.SMTP_SSL("localhost", site.submissions_port, context=site.context()) as s:
        s.login("bob@example.org", PASSWORD)
        s.sendmail("bob@example.org", ["alice@example.org", "someone@remote.example"],
                   message("bob@example.org", "alice@example.org", "implicit"))
    [got] = site.wait_for_messages("alice@example.org", 1)
    # The trace names the TLS of an implicit-TLS connection too.
    assert b"with ESMTPSA id" in got and b"(using TLSv1.3)" in got, got[:400]
    # The external recipient is relayed for an authenticated user: queued for outbound delivery.
    deadline = time.monotonic() + 10
    while True:  # the local delivery is recorded just after the message lands
        [entry] = json.loads(site.posta("queue", "list", "--json"))
        if entry["recipients"][0]["status"] == "delivered" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert [(r["target"], r["kind"], r["status"]) for r in entry["recipients"]] == [
        ("alice@example.org", "local", "delivered"), ("someone@remote.example", "remote", "pending")]


def test_auth_before_tls_is_refused_and_mail_needs_auth(site: SubmissionSite):
    with socket.create_connection(("127.0.0.1", site.submission_port), timeout=10) as sock:
        f = sock.makefile("rb")
        read_reply(f)
        sock.sendall(b"EHLO c.example\r\n")
        assert b"AUTH" not in read_reply(f)
        creds = base64.b64encode(b"\0alice@example.org\0" + PASSWORD.encode())
        sock.sendall(b"AUTH PLAIN " + creds + b"\r\n")
        assert read_reply(f).startswith(b"538 5.7.11")
        sock.sendall(b"MAIL FROM:<alice@example.org>\r\n")
        assert read_reply(f).startswith(b"530 5.7.0")
    assert site.logins() == []


@pytest.mark.serial
def test_wrong_password_refused_and_throttled(site: SubmissionSite):
    timings = []
    for attempt in range(5):
        with smtplib.SMTP("localhost", site.submission_port) as s:
            s.starttls(context=site.context())
            start = time.monotonic()
            s.ehlo()
            s.user, s.password = "carol@example.org", "wrong-password"
            with pytest.raises(smtplib.SMTPAuthenticationError) as e:
                s.auth("PLAIN", s.auth_plain)  # one mechanism, one attempt (login() would also try LOGIN)
            timings.append(time.monotonic() - start)
            assert e.value.smtp_code == 535
    assert max(timings[:3]) < 0.8 and timings[3] >= 0.9 and timings[4] >= 1.8, timings
    assert [ok for _, _, _, ok in site.logins()] == [0] * 5


def test_sending_as_someone_else_is_refused(site: SubmissionSite):
    with smtplib.SMTP("localhost", site.submission_port) as s:
        s.starttls(context=site.context())
        s.login("bob@example.org", PASSWORD)
        with pytest.raises(smtplib.SMTPSenderRefused) as e:
            s.sendmail("alice@example.org", ["carol@example.org"], message("alice@example.org", "carol@example.org", "forged"))
        assert e.value.smtp_code == 553
        # The envelope is his, but the From: header is not: refused once the header is read.
        with pytest.raises(smtplib.SMTPDataError) as e:
            s.sendmail("bob@example.org", ["carol@example.org"], message("alice@example.org", "carol@example.org", "header"))
        assert e.value.smtp_code == 553
        # An alias that delivers to him is his to send as.
        site.posta("alias", "add", "sales@example.org", "bob@example.org")
        s.sendmail("sales@example.org", ["carol@example.org"], message("sales@example.org", "carol@example.org", "alias"))
    got = site.wait_for_messages("carol@example.org", 1)
    assert len(got) == 1 and b"Subject: alias" in got[0]

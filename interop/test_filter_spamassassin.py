"""SpamAssassin through a real spamd: GTUBE lands in Junk with X-Spam headers, a normal message
in INBOX without a spam flag."""
import smtplib
import time
from pathlib import Path

import pytest

from mailsite import MailSite
from scanners import GTUBE, Spamd, message


@pytest.fixture
def mx(tmp_path: Path):
    spamd = Spamd(tmp_path).start()
    site = MailSite(tmp_path, extra_config=f"""
[filter.spamassassin]
address = "127.0.0.1:{spamd.port}"
timeout = "60s"
""").seed().start()
    yield site
    site.stop()
    spamd.stop()


def send(site: MailSite, data: bytes):
    with smtplib.SMTP("127.0.0.1", site.smtp_port) as s:
        s.ehlo("client.remote.example")
        s.mail("sender@remote.example")
        s.rcpt("alice@example.org")
        return s.data(data)


def wait_for(site: MailSite, mailbox: str, count: int, timeout: float = 20.0) -> list[bytes]:
    deadline = time.monotonic() + timeout
    while True:
        got = site.messages("alice@example.org", mailbox)
        if len(got) >= count or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def test_gtube_goes_to_junk_and_ham_to_inbox(mx: MailSite):
    ham = message("lunch", b"Shall we have lunch on Thursday at noon?\r\nRegards, Sam", "ham1")
    assert send(mx, ham)[0] == 250
    assert send(mx, message("offer", GTUBE, "spam1"))[0] == 250
    junk = wait_for(mx, "Junk", 1)
    inbox = wait_for(mx, "INBOX", 1)
    time.sleep(0.5)
    junk, inbox = mx.messages("alice@example.org", "Junk"), mx.messages("alice@example.org", "INBOX")
    assert len(junk) == 1 and len(inbox) == 1
    head = junk[0].split(b"\r\n\r\n")[0]
    assert b"Subject: offer" in head
    assert b"X-Spam-Flag: YES" in head
    assert b"X-Spam-Status: Yes, score=" in head and b"GTUBE" in head
    ham_head = inbox[0].split(b"\r\n\r\n")[0]
    assert b"Subject: lunch" in ham_head
    assert b"X-Spam-Flag: NO" in ham_head and b"X-Spam-Flag: YES" not in ham_head

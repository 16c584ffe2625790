"""SpamAssassin through a real spamd: GTUBE lands in Junk with X-Spam headers, a normal message
in INBOX without a spam flag; per-account and per-domain thresholds (`posta filter settings`)
decide per recipient; a sender's own X-Spam-* fields never pass for Posta's verdict; spam goes to
the \\Junk special-use mailbox whatever it is called, else INBOX."""
import imaplib
import json
import smtplib
import ssl
import time
from pathlib import Path

import pytest

from conftest import free_port, wait_for_port
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


def send(site: MailSite, data: bytes, recipients=("alice@example.org",)):
    with smtplib.SMTP("127.0.0.1", site.smtp_port) as s:
        s.ehlo("client.remote.example")
        s.mail("sender@remote.example")
        for recipient in recipients:
            s.rcpt(recipient)
        try:
            return s.data(data)
        except smtplib.SMTPDataError as e:
            return e.smtp_code, e.smtp_error


def wait_for(site: MailSite, mailbox: str, count: int, timeout: float = 20.0, address="alice@example.org") -> list[bytes]:
    deadline = time.monotonic() + timeout
    while True:
        got = site.messages(address, mailbox)
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


def test_per_recipient_thresholds(mx: MailSite):
    # GTUBE scores about 1000 in spamd: the domain's threshold keeps it out of Junk, alice's own
    # (account over domain) sends it there; alice alone would refuse it, bob does not.
    mx.posta("filter", "settings", "set", "@example.org", "--junk-threshold", "5000")
    mx.posta("filter", "settings", "set", "alice@example.org", "--junk-threshold", "5", "--reject-threshold", "100")
    listed = json.loads(mx.posta("filter", "settings", "list", "--json"))
    assert {e["scope"] for e in listed} == {"@example.org", "alice@example.org"}
    assert send(mx, message("offer", GTUBE, "spam2"), ["alice@example.org", "bob@example.org"])[0] == 250
    junk = wait_for(mx, "Junk", 1)
    inbox = wait_for(mx, "INBOX", 1, address="bob@example.org")
    assert len(junk) == 1 and len(inbox) == 1
    assert mx.messages("alice@example.org", "INBOX") == [] and mx.messages("bob@example.org", "Junk") == []
    alice_head, bob_head = junk[0].split(b"\r\n\r\n")[0], inbox[0].split(b"\r\n\r\n")[0]
    assert b"X-Spam-Flag: YES" in alice_head and b"required=5.0" in alice_head
    assert b"X-Spam-Flag: NO" in bob_head and b"required=5000.0" in bob_head
    # Every recipient refuses: 554, nothing delivered.
    code, text = send(mx, message("offer", GTUBE, "spam3"))
    assert code == 554 and b"spam" in text
    mx.posta("filter", "settings", "del", "@example.org")
    assert [e["scope"] for e in json.loads(mx.posta("filter", "settings", "list", "--json"))] == ["alice@example.org"]


def test_forged_spam_flag_is_not_posta_verdict(mx: MailSite):
    ham = message("lunch", b"Shall we have lunch on Thursday at noon?\r\nRegards, Sam", "forged1")
    forged = b"X-Spam-Flag: YES\r\nX-Spam-Status: Yes, score=99.0 required=5.0\r\n\ttests=FORGED\r\n" + ham
    assert send(mx, forged)[0] == 250
    inbox = wait_for(mx, "INBOX", 1)
    assert len(inbox) == 1 and mx.messages("alice@example.org", "Junk") == []
    head = inbox[0].split(b"\r\n\r\n")[0]
    assert head.count(b"X-Spam-Flag:") == 1 and b"X-Spam-Flag: NO" in head
    assert b"FORGED" not in head and b"score=99.0" not in head
    assert b"Subject: lunch" in head


def test_spam_follows_the_junk_mailbox_whatever_its_name(tmp_path: Path):
    """Alice renamed her Junk folder (IMAP RENAME keeps its \\Junk special use), Bob deleted his:
    GTUBE lands in Alice's renamed folder and in Bob's INBOX, and nothing waits in the queue."""
    spamd = Spamd(tmp_path).start()
    imap_port = free_port()
    site = MailSite(tmp_path, extra_config=f"""
[[listener]]
protocol = "imap"
address = "127.0.0.1:{imap_port}"
[filter.spamassassin]
address = "127.0.0.1:{spamd.port}"
timeout = "60s"
""").seed().start()
    try:
        wait_for_port(imap_port)
        for user, command in (("alice", ("rename", "Junk", "\"Caught Spam\"")), ("bob", ("delete", "Junk"))):
            with imaplib.IMAP4("127.0.0.1", imap_port) as imap:
                imap.starttls(ssl.create_default_context(cafile=str(site.cert)))
                imap.login(f"{user}@example.org", "password-123")
                assert getattr(imap, command[0])(*command[1:])[0] == "OK"
        assert send(site, message("offer", GTUBE, "spam2"), ("alice@example.org", "bob@example.org"))[0] == 250
        assert len(wait_for(site, "Caught Spam", 1)) == 1
        assert len(wait_for(site, "INBOX", 1, address="bob@example.org")) == 1
        deadline = time.monotonic() + 10
        while site.queue_counts() != (0, 0) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert site.queue_counts() == (0, 0)
    finally:
        site.stop()
        spamd.stop()

"""A real Postfix hands mail to Posta: as a relay over SMTP (relayhost) and as an LMTP client
(the migration path: an existing Postfix delivering into Posta's mailboxes)."""
import smtplib
from pathlib import Path

import pytest

from mailsite import MailSite
from postfix import Postfix


@pytest.fixture
def mx(tmp_path: Path):
    site = MailSite(tmp_path).seed().start()
    yield site
    site.stop()


def test_postfix_relays_to_posta(mx: MailSite, tmp_path: Path):
    pf = Postfix(tmp_path, f"relayhost = [127.0.0.1]:{mx.smtp_port}\nsmtp_tls_CAfile = {mx.cert}\n").start()
    try:
        with smtplib.SMTP("127.0.0.1", pf.port) as s:
            s.sendmail("someone@remote.example", ["alice@example.org", "team@example.org"],
                       b"From: someone@remote.example\r\nSubject: via postfix\r\nMessage-ID: <pf1@remote.example>\r\n\r\nHi.\r\n")
        pf.wait_log("status=sent")
        alice = mx.wait_for_messages("alice@example.org", 1)
        carol = mx.wait_for_messages("carol@example.org", 1)
        assert len(alice) == 1 and len(carol) == 1
        assert b"Subject: via postfix" in alice[0]
        # Postfix used STARTTLS (opportunistic) and its trace header is kept below ours.
        assert b"with ESMTPS id" in alice[0]
        assert b"by relay.remote.example (Postfix)" in alice[0]
    finally:
        pf.stop()


def test_postfix_delivers_over_lmtp(mx: MailSite, tmp_path: Path):
    pf = Postfix(tmp_path, f"virtual_mailbox_domains = example.org\nvirtual_transport = lmtp:inet:127.0.0.1:{mx.lmtp_port}\n").start()
    try:
        with smtplib.SMTP("127.0.0.1", pf.port) as s:
            s.sendmail("someone@remote.example", ["bob@example.org"],
                       b"From: someone@remote.example\r\nSubject: via lmtp\r\n\r\nHi.\r\n")
        pf.wait_log("status=sent")
        [got] = mx.wait_for_messages("bob@example.org", 1)
        assert b"Subject: via lmtp" in got and b"with LMTP id" in got
    finally:
        pf.stop()

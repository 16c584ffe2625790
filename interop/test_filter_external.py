"""An external SMTP content filter: a real Postfix takes each message Posta accepted and hands
it back to Posta's re-injection listener (filter = false); it is delivered once, with the
filter's trace header, and nothing waits in the queue."""
import smtplib
import time
from pathlib import Path

from conftest import free_port
from mailsite import MailSite
from postfix import Postfix
from scanners import message


def test_postfix_as_content_filter(tmp_path: Path):
    reinject = free_port()
    filter_port = free_port()
    site = MailSite(tmp_path, extra_config=f"""
[[listener]]
protocol = "smtp"
address = "127.0.0.1:{reinject}"
tls = "none"
filter = false
[filter.external]
address = "127.0.0.1:{filter_port}"
""").seed().start()
    pf = Postfix(tmp_path, f"""relay_transport = smtp:[127.0.0.1]:{reinject}
default_transport = smtp:[127.0.0.1]:{reinject}
""", port=filter_port).start()
    try:
        with smtplib.SMTP("127.0.0.1", site.smtp_port) as s:
            s.ehlo("client.remote.example")
            code, text = s.sendmail("sender@remote.example", ["alice@example.org", "team@example.org"],
                                    message("filtered", b"Through the filter and back.", "ext1")) or (250, b"")
        pf.wait_log("status=sent")
        alice = site.wait_for_messages("alice@example.org", 1)
        carol = site.wait_for_messages("carol@example.org", 1)
        time.sleep(1.0)
        alice, carol = site.messages("alice@example.org"), site.messages("carol@example.org")
        assert len(alice) == 1 and len(carol) == 1, (len(alice), len(carol))
        assert b"Subject: filtered" in alice[0]
        # The filter's trace header sits between Posta's two Received fields.
        assert b"by relay.remote.example (Postfix)" in alice[0]
        assert alice[0].count(b"(Posta)") == 2
        deadline = time.monotonic() + 10
        while site.queue_counts() != (0, 0) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert site.queue_counts() == (0, 0)
    finally:
        pf.stop()
        site.stop()


def test_filter_down_keeps_the_message_queued(tmp_path: Path):
    reinject = free_port()
    site = MailSite(tmp_path, extra_config=f"""
[[listener]]
protocol = "smtp"
address = "127.0.0.1:{reinject}"
tls = "none"
filter = false
[filter.external]
address = "127.0.0.1:{free_port()}"
""").seed().start()
    try:
        with smtplib.SMTP("127.0.0.1", site.smtp_port) as s:
            s.sendmail("sender@remote.example", ["alice@example.org"], message("waiting", b"Queued.", "ext2"))
        time.sleep(1.5)
        assert site.messages("alice@example.org") == []
        with site.db() as db:
            kinds = db.execute("SELECT kind, status FROM queue_recipient").fetchall()
        assert kinds == [("filter", "pending")]
    finally:
        site.stop()

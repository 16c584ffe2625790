"""An external SMTP content filter: a real Postfix takes each message Posta accepted and hands
it back to Posta's re-injection listener (filter = false); it is delivered once, with the
filter's trace header, and nothing waits in the queue. Mail an authenticated user submits for
another domain makes the same round trip and leaves on a relay ticket; nobody else can relay
through the re-injection listener."""
import smtplib
import time
from pathlib import Path

from conftest import free_port
from mailsite import MailSite
from postfix import Postfix
from scanners import message
from smtp_double import SMTPDouble
from test_outbound import start_dnsmasq
from test_outbound_queue import wait_until
from test_submission import PASSWORD, SubmissionSite
from test_submission import message as submission_message


def reinjection(port: int, filter_port: int | None = None) -> str:
    """Config for a re-injection listener (filter = false) and, with `filter_port`, the external filter."""
    listener = f'\n[[listener]]\nprotocol = "smtp"\naddress = "127.0.0.1:{port}"\ntls = "none"\nfilter = false\n'
    return listener + (f'[filter.external]\naddress = "127.0.0.1:{filter_port}"\n' if filter_port else "")


def test_postfix_as_content_filter(tmp_path: Path):
    reinject = free_port()
    filter_port = free_port()
    site = MailSite(tmp_path, extra_config=reinjection(reinject, filter_port)).seed().start()
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
    site = MailSite(tmp_path, extra_config=reinjection(reinject, free_port())).seed().start()
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


def test_submission_for_another_domain_goes_through_the_filter_and_out(tmp_path: Path):
    """An authenticated user's message for another domain goes to the filter (a real Postfix) with a
    relay ticket, comes back on the re-injection listener, which relays it on the ticket's strength
    to the remote MX (the SMTP double); the ticket never reaches the MX, the local copy neither."""
    reinject, filter_port, mx_port = free_port(), free_port(), free_port()
    dns_port, dns = start_dnsmasq(tmp_path, "local=/far.example/\nmx-host=far.example,mx.far.example,10\n"
                                            "host-record=mx.far.example,127.0.0.9\n")
    mx = SMTPDouble("127.0.0.9", mx_port)
    site = SubmissionSite(tmp_path / "posta")
    site.config.write_text(site.config.read_text().replace(
        'nameservers = ["127.0.0.1:9"]', f'nameservers = ["127.0.0.1:{dns_port}"]\nsmtp_port = {mx_port}') + reinjection(reinject, filter_port))
    site.seed().start()
    pf = Postfix(tmp_path, f"""relay_transport = smtp:[127.0.0.1]:{reinject}
default_transport = smtp:[127.0.0.1]:{reinject}
""", port=filter_port).start()
    try:
        with smtplib.SMTP("localhost", site.submission_port) as s:
            s.starttls(context=site.context())
            s.login("alice@example.org", PASSWORD)
            s.sendmail("alice@example.org", ["dave@far.example", "bob@example.org"],
                       submission_message("alice@example.org", "dave@far.example", "through-filter"))
        assert wait_until(lambda: len(mx.messages) == 1, 30), pf.log()[-3000:]
        sender, recipients, data = mx.messages[0]
        assert (sender, recipients) == ("alice@example.org", ["dave@far.example"])
        assert b"Subject: through-filter" in data
        assert b"by relay.remote.example (Postfix)" in data  # it went through the filter
        assert b"X-Posta-Relay" not in data
        [local] = site.wait_for_messages("bob@example.org", 1)
        assert b"by relay.remote.example (Postfix)" in local and b"X-Posta-Relay" not in local
        assert wait_until(lambda: site.queue_counts() == (0, 0), 10)
    finally:
        pf.stop()
        site.stop()
        mx.stop()
        dns.kill()


def test_reinjection_listener_never_relays_without_a_ticket(tmp_path: Path):
    """A client of the re-injection listener (no filter involved) cannot relay: RCPT for another
    domain is taken, but the message is refused at the end of data, with or without a forged
    ticket; mail for local users is still accepted there."""
    reinject = free_port()
    site = MailSite(tmp_path, extra_config=reinjection(reinject)).seed().start()
    try:
        forged = "X-Posta-Relay: 9999999999 victim@far.example AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n"
        for header in ("", forged):
            with smtplib.SMTP("127.0.0.1", reinject) as s:
                s.ehlo("attacker.example")
                s.mail("alice@example.org")
                assert s.rcpt("victim@far.example")[0] == 250
                code, text = s.data((header + "Subject: relay me\r\n\r\nspam\r\n").encode())
                assert code == 550 and b"5.7.1" in text, (code, text)
        with smtplib.SMTP("127.0.0.1", reinject) as s:
            s.sendmail("someone@far.example", ["alice@example.org"], (forged + "Subject: local\r\n\r\nhi\r\n").encode())
        [got] = site.wait_for_messages("alice@example.org", 1)
        assert b"Subject: local" in got and b"X-Posta-Relay" not in got
        assert wait_until(lambda: site.queue_counts() == (0, 0), 10)  # the refused ones were never queued
    finally:
        site.stop()

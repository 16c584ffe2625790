"""Outbound policy against real peers: required TLS never falls back to cleartext (Postfix without
STARTTLS), and a delivery deferred for longer than `delay_warning` sends one RFC 3464 delay warning."""
import email
import json
import os
import smtplib
import time
from pathlib import Path

from conftest import free_port, vmail_ids
from postfix import Postfix
from smtp_double import SMTPDouble
from test_outbound import start_dnsmasq
from test_outbound_queue import delivery_site, wait_until
from test_submission import PASSWORD, message


def pending_rows(site) -> list[dict]:
    return [r for entry in json.loads(site.posta("queue", "list", "--json")) for r in entry["recipients"]]


def test_require_tls_defers_instead_of_sending_in_cleartext(tmp_path: Path):
    vmail = tmp_path / "vmail"
    vmail.mkdir()
    uid, gid = vmail_ids()
    os.chown(vmail, uid, gid)
    (tmp_path / "pf").mkdir()
    (tmp_path / "pf" / "vmailbox").write_text("erin@secure.example secure.example/erin/\nfrank@plain.example plain.example/frank/\n")
    # No smtpd_tls_* settings: this Postfix offers no STARTTLS.
    pf = Postfix(tmp_path / "pf", f"""virtual_mailbox_domains = secure.example plain.example
virtual_mailbox_base = {vmail}
virtual_mailbox_maps = texthash:{tmp_path}/pf/vmailbox
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
virtual_minimum_uid = 1000
""", address="127.0.0.5").start()
    dns_port, dns = start_dnsmasq(tmp_path, "local=/secure.example/\nlocal=/plain.example/\n"
                                            "mx-host=secure.example,mx.tls.example,10\nmx-host=plain.example,mx.tls.example,10\n"
                                            "host-record=mx.tls.example,127.0.0.5\n")
    site = delivery_site(tmp_path / "posta", dns_port, pf.port, 'require_tls = ["secure.example"]')
    site.start()
    try:
        with smtplib.SMTP("localhost", site.submission_port) as s:
            s.starttls(context=site.context())
            s.login("alice@example.org", PASSWORD)
            s.sendmail("alice@example.org", ["erin@secure.example"], message("alice@example.org", "erin@secure.example", "secret"))
            s.sendmail("alice@example.org", ["frank@plain.example"], message("alice@example.org", "frank@plain.example", "plain"))
        pf.wait_log("to=<frank@plain.example>")  # opportunistic: cleartext is fine for plain.example
        assert wait_until(lambda: any(r["attempts"] >= 2 for r in pending_rows(site)), 20)
        [row] = pending_rows(site)
        assert row["target"] == "erin@secure.example" and row["status"] == "pending", row
        assert row["last_error"].startswith("451 "), row
        assert "TLS is required" in row["last_error"], row
        assert "erin@secure.example" not in pf.log()  # never a RCPT for it, let alone the message
        assert not (vmail / "secure.example").exists()
    finally:
        site.stop()
        dns.kill()
        pf.stop()


def test_delay_warning_once_per_message_unless_notify_excludes_delay(tmp_path: Path):
    smtp_port = free_port()
    dns_port, dns = start_dnsmasq(tmp_path, "local=/slow.example/\nmx-host=slow.example,mx.slow.example,10\n"
                                            "host-record=mx.slow.example,127.0.0.6\n")
    double = SMTPDouble("127.0.0.6", smtp_port, rcpt_reply=b"450 4.2.0 try later")
    site = delivery_site(tmp_path / "posta", dns_port, smtp_port, 'delay_warning = "2s"')
    site.start()
    try:
        with smtplib.SMTP("localhost", site.submission_port) as s:
            s.starttls(context=site.context())
            s.login("alice@example.org", PASSWORD)
            s.sendmail("alice@example.org", ["gina@slow.example"], message("alice@example.org", "gina@slow.example", "warned"))
            s.sendmail("alice@example.org", ["hank@slow.example"], message("alice@example.org", "hank@slow.example", "quiet"),
                       rcpt_options=["NOTIFY=FAILURE"])
        assert wait_until(lambda: len(site.messages("alice@example.org")) >= 1, 20)
        # Several more retries: still one warning, and none for NOTIFY=FAILURE.
        assert wait_until(lambda: min(r["attempts"] for r in pending_rows(site)) >= 6, 30)
        [raw] = site.messages("alice@example.org")
        msg = email.message_from_bytes(raw.split(b"\r\n", 2)[2])
        assert msg["Subject"] == "Delayed Mail (still being retried)"
        assert msg.get_content_type() == "multipart/report"
        parts = msg.get_payload()
        _, recipient = parts[1].get_payload()
        assert recipient["Action"] == "delayed" and recipient["Status"] == "4.2.0", str(recipient)
        assert recipient["Final-Recipient"] == "rfc822; gina@slow.example"
        assert recipient["Will-Retry-Until"]
        assert parts[2].get_content_type() == "text/rfc822-headers"
        assert "Subject: warned" in parts[2].get_payload()
        assert {r["status"] for r in pending_rows(site)} == {"pending"}
    finally:
        site.stop()
        double.stop()
        dns.kill()

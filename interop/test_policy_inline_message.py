"""Policy decisions on the whole message through Posta's own SMTP listener: HOLD queues the
message held until `posta queue release`, DISCARD accepts and delivers nothing, and SPF rules add
`Received-SPF` or `Authentication-Results` once per message (a zone served by dnsmasq), also next
to the content filter's X-Spam header fields."""
import json
import smtplib
import time
from pathlib import Path

from policysite import PolicySite
from scanners import Spamd
from test_outbound import start_dnsmasq

SPF_ZONE = 'local=/spf.example/\ntxt-record=spf.example,"v=spf1 ip4:127.0.0.1 -all"\n'


def send(site: PolicySite, sender: str, recipients: list[str], subject: str) -> tuple[int, bytes]:
    """Sends one message on port 25; the reply to the end of the data."""
    with smtplib.SMTP("127.0.0.1", site.smtp_port, local_hostname="mail.spf.example", timeout=30) as s:
        s.ehlo()
        s.mail(sender)
        for rcpt in recipients:
            assert s.rcpt(rcpt)[0] == 250, rcpt
        return s.data(f"From: {sender}\r\nTo: {recipients[0]}\r\nSubject: {subject}\r\n\r\nHi.\r\n".encode())


def header(message: bytes) -> bytes:
    """The header section, unfolded."""
    return message.split(b"\r\n\r\n")[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ")


def test_hold_until_released_and_discard(tmp_path: Path):
    site = PolicySite(tmp_path).seed()
    site.posta("alias", "add", "held@example.org", "carol@example.org")
    site.posta("alias", "add", "dropped@example.org", "carol@example.org")
    site.posta("policy", "add", "hold")
    site.posta("policy", "member", "add", "hold", "recipient", "held@example.org")
    site.posta("policy", "rule", "add", "hold", "access", "action=HOLD")
    site.posta("policy", "add", "drop")
    site.posta("policy", "member", "add", "drop", "recipient", "dropped@example.org")
    site.posta("policy", "rule", "add", "drop", "access", "action=DISCARD")
    site.start()
    try:
        # HOLD for one recipient holds the whole message (as Postfix does).
        code, _ = send(site, "someone@remote.example", ["held@example.org", "alice@example.org"], "held")
        assert code == 250
        [entry] = json.loads(site.posta("queue", "list", "--json"))
        assert entry["held"] is True
        assert sorted(r["target"] for r in entry["recipients"]) == ["alice@example.org", "carol@example.org"]
        time.sleep(1.5)
        assert site.messages("carol@example.org") == [] and site.messages("alice@example.org") == []

        site.posta("queue", "release", entry["id"])
        for user in ("carol@example.org", "alice@example.org"):
            [delivered] = site.wait_for_messages(user, 1, timeout=20)
            assert b"Subject: held" in header(delivered)

        # DISCARD: accepted with 250, delivered nowhere, nothing left queued.
        code, _ = send(site, "someone@remote.example", ["dropped@example.org", "bob@example.org"], "dropped")
        assert code == 250
        time.sleep(1.5)
        assert site.messages("bob@example.org") == [] and len(site.messages("carol@example.org")) == 1
        assert json.loads(site.posta("queue", "list", "--json")) == []
    finally:
        site.stop()


def spf_site(tmp_path: Path, extra_config: str = "", zone: str = SPF_ZONE) -> tuple[PolicySite, object]:
    """A site resolving through dnsmasq, which publishes `v=spf1 ip4:127.0.0.1 -all` for spf.example."""
    dns_port, dns = start_dnsmasq(tmp_path, zone)
    site = PolicySite(tmp_path / "posta", extra_config=extra_config)
    site.config.write_text(site.config.read_text().replace(
        'nameservers = ["127.0.0.1:9"]', f'nameservers = ["127.0.0.1:{dns_port}"]'))
    return site.seed(), dns


def test_spf_header_fields_once_per_message(tmp_path: Path):
    site, dns = spf_site(tmp_path)
    site.posta("policy", "add", "spf-received")
    for rcpt in ("alice@example.org", "bob@example.org"):
        site.posta("policy", "member", "add", "spf-received", "recipient", rcpt)
    site.posta("policy", "rule", "add", "spf-received", "spf", "header=received-spf")
    site.posta("policy", "add", "spf-results")
    for rcpt in ("carol@example.org", "postmaster@example.org"):
        site.posta("policy", "member", "add", "spf-results", "recipient", rcpt)
    site.posta("policy", "rule", "add", "spf-results", "spf", "header=authentication-results")
    site.start()
    try:
        assert send(site, "sender@spf.example", ["alice@example.org", "bob@example.org"], "received-spf")[0] == 250
        assert send(site, "sender@spf.example", ["carol@example.org", "postmaster@example.org"], "results")[0] == 250
        for user in ("alice@example.org", "bob@example.org"):
            [message] = site.wait_for_messages(user, 1)
            head = header(message)
            assert head.count(b"Received-SPF:") == 1, head
            assert b"Received-SPF: pass" in head and b'envelope-from="sender@spf.example";' in head, head
            assert b"Authentication-Results:" not in head
            # Above Posta's own Received: field (RFC 7208 §9.1).
            assert head.index(b"Received-SPF:") < head.index(b"Received: from"), head
        for user in ("carol@example.org", "postmaster@example.org"):
            [message] = site.wait_for_messages(user, 1)
            head = header(message)
            assert head.count(b"Authentication-Results:") == 1, head
            assert b"Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=sender@spf.example" in head, head
            assert b"Received-SPF:" not in head
    finally:
        site.stop()
        dns.kill()
        dns.wait()


def test_spf_and_spam_header_fields_together(tmp_path: Path):
    spamd = Spamd(tmp_path).start()
    site, dns = spf_site(tmp_path, extra_config=f"""
[filter.spamassassin]
address = "127.0.0.1:{spamd.port}"
timeout = "60s"
""")
    site.posta("policy", "add", "spf")
    site.posta("policy", "rule", "add", "spf", "spf", "header=received-spf")
    site.start()
    try:
        assert send(site, "sender@spf.example", ["alice@example.org", "bob@example.org"], "lunch")[0] == 250
        for user in ("alice@example.org", "bob@example.org"):
            [message] = site.wait_for_messages(user, 1, timeout=30)
            head = header(message)
            assert head.count(b"Received-SPF: pass") == 1, head
            assert head.count(b"X-Spam-Flag: NO") == 1, head
    finally:
        site.stop()
        spamd.stop()
        dns.kill()
        dns.wait()


def test_one_authentication_results_field_with_sender_authentication(tmp_path: Path):
    """With `[filter] sender_authentication`, Posta's own field carries SPF: the SPF rule's
    `Authentication-Results` of the same host would be a second one, and gives way."""
    # DMARC walks up to _dmarc.example: answered here (NXDOMAIN), else its failure would defer the mail.
    site, dns = spf_site(tmp_path, "[filter]\nsender_authentication = true\n", SPF_ZONE + "local=/example/\n")
    site.posta("policy", "add", "spf-results")
    site.posta("policy", "rule", "add", "spf-results", "spf", "header=authentication-results")
    site.start()
    try:
        assert send(site, "sender@spf.example", ["alice@example.org"], "once")[0] == 250
        [message] = site.wait_for_messages("alice@example.org", 1)
        head = header(message)
        assert head.count(b"Authentication-Results:") == 1, head
        assert b"spf=pass smtp.mailfrom=sender@spf.example" in head and b"dmarc=" in head and b"arc=none" in head, head
    finally:
        site.stop()
        dns.kill()
        dns.wait()

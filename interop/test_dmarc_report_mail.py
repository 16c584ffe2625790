"""DMARC aggregate reports by mail (issue #14, RFC 9990), and DKIM on mail Posta writes itself.

dnsmasq serves `_dmarc` records whose `rua=` names addresses at other organizations: one authorized
by the `<domain>._report._dmarc.<host>` record of RFC 9990 §4, one not. After Posta has evaluated
mail from those domains, `posta dmarc send-reports` queues one report, to the authorized address
only; Posta's queue delivers it to an SMTP double that plays the report consumer. The mail has the
RFC's Subject, an application/gzip attachment under the RFC's file name holding XML that parsedmarc
reads, and a DKIM signature of the report_from domain that dkimpy verifies. A second run sends
nothing (each report goes once). The report address side: a report mailed to `[dmarc]
report_address` is imported from that mailbox once. A DSN (from MAILER-DAEMON@<hostname>) carries
a DKIM signature of the hostname's domain when it has a key."""
import email
import gzip
import smtplib
import time
from datetime import datetime, timezone
from email import policy
from pathlib import Path

import dkim
import pytest

from conftest import free_port
from mailsite import MailSite
from smtp_double import SMTPDouble
from test_outbound import start_dnsmasq


def published(site: MailSite, domain: str) -> tuple[str, str]:
    """The `_domainkey` TXT record `posta dns records` prints for `domain`: (name, text)."""
    [record] = [line for line in site.posta("dns", "records", domain).splitlines() if "_domainkey" in line]
    return record.split(None, 1)[0].rstrip("."), record.split('"', 1)[1].rsplit('"', 1)[0]


@pytest.fixture
def reporting(tmp_path: Path):
    smtp_port = free_port()
    consumer = SMTPDouble("127.0.0.9", smtp_port)
    refusing = SMTPDouble("127.0.0.10", smtp_port, rcpt_reply=b"550 5.1.1 no such user")
    s = MailSite(tmp_path, extra_config=(
        '[filter]\nsender_authentication = true\n'
        '[dmarc]\nreport_from = "dmarc-reports@example.org"\norg_name = "Example University"\n'
        'report_address = "postmaster@example.org"\n')).seed()
    s.posta("alias", "add", "forward@example.org", "someone@nowhere.example")
    s.posta("dkim", "keygen", "example.org", "--algorithm", "ed25519", "--selector", "rep")
    s.posta("dkim", "keygen", "mx.example.org", "--algorithm", "ed25519", "--selector", "dsn")
    keys = {name: text for name, text in (published(s, "example.org"), published(s, "mx.example.org"))}
    zone = [
        "local=/example/", "local=/com/", "local=/net/", "local=/org/",
        'txt-record=_dmarc.example.com,"v=DMARC1; p=reject; rua=mailto:agg@reports.example"',
        'txt-record=example.com._report._dmarc.reports.example,"v=DMARC1"',
        'txt-record=_dmarc.example.net,"v=DMARC1; p=none; rua=mailto:agg@unwilling.example"',
        "mx-host=reports.example,mx.reports.example,10", "host-record=mx.reports.example,127.0.0.9",
        "mx-host=unwilling.example,mx.unwilling.example,10", "host-record=mx.unwilling.example,127.0.0.9",
        "mx-host=nowhere.example,mx.nowhere.example,10", "host-record=mx.nowhere.example,127.0.0.10",
    ] + [f'txt-record={name},"{text}"' for name, text in keys.items()]
    dns_port, dns = start_dnsmasq(tmp_path, "\n".join(zone) + "\n")
    s.config.write_text(s.config.read_text().replace(
        'nameservers = ["127.0.0.1:9"]', f'nameservers = ["127.0.0.1:{dns_port}"]\nsmtp_port = {smtp_port}'))
    s.start()
    yield s, consumer, refusing, keys
    s.stop()
    consumer.stop()
    refusing.stop()
    dns.kill()
    dns.wait()


def send(site: MailSite, sender: str, author: str, subject: str, to: str = "alice@example.org"):
    body = (f"From: <{author}>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@test>\r\n"
            f"Date: Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\nHello\r\n").encode()
    with smtplib.SMTP("127.0.0.1", site.smtp_port) as s:
        s.sendmail(sender, [to], body)


def wait_for(condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return result


def dkim_verifies(message: bytes, keys: dict[str, str]) -> bool:
    def dns(name, timeout=5):
        return keys.get(name.decode().rstrip(".")).encode() if name.decode().rstrip(".") in keys else None
    return dkim.verify(message, dnsfunc=dns)


def test_report_goes_once_to_the_authorized_destination_signed(reporting):
    site, consumer, _, keys = reporting
    with pytest.raises(smtplib.SMTPDataError):
        send(site, "x@forger.example", "ceo@example.com", "forged-1")
    send(site, "x@forger.example", "news@example.net", "unchecked")
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    out = site.posta("dmarc", "send-reports", "--early", "--period", today)
    assert "example.com: queued for agg@reports.example" in out, out
    assert "example.net:" in out and "not to mailto:agg@unwilling.example" in out and "queued" not in out.split("example.net:")[1], out
    [(sender, recipients, data)] = wait_for(lambda: consumer.messages)
    assert sender == "dmarc-reports@example.org" and recipients == ["agg@reports.example"]
    message = email.message_from_bytes(data, policy=policy.default)
    assert message["Subject"] == f"Report Domain: example.com Submitter: mx.example.org Report-ID: <{message['Subject'].split('<')[1]}"
    assert message["From"] == "dmarc-reports@example.org"
    [attachment] = [part for part in message.iter_attachments()]
    assert attachment.get_content_type() == "application/gzip"
    name = attachment.get_filename()
    assert name.startswith("mx.example.org!example.com!") and name.endswith(".xml.gz"), name
    xml = gzip.decompress(attachment.get_content())
    assert b"<org_name>Example University</org_name>" in xml and b"<domain>example.com</domain>" in xml
    import parsedmarc
    parsed = parsedmarc.parse_aggregate_report_xml(xml.decode(), offline=True)
    assert parsed["policy_published"]["domain"] == "example.com"
    [record] = parsed["records"]
    assert record["count"] == 1 and record["policy_evaluated"]["disposition"] == "reject"
    assert dkim_verifies(data, keys), data[:600]
    # Once per domain and period: a second run finds nothing left to send.
    again = site.posta("dmarc", "send-reports", "--early", "--period", today)
    assert "queued" not in again, again
    time.sleep(1)
    assert len(consumer.messages) == 1


def test_reports_mailed_to_the_report_address_are_imported_once(reporting, tmp_path: Path):
    site, _, _, _ = reporting
    report = (tmp_path / "report.xml")
    report.write_text(
        '<?xml version="1.0"?><feedback><report_metadata><org_name>Big Mailbox Provider</org_name>'
        '<email>noreply@big.example</email><report_id>r-42</report_id><date_range><begin>1764633600</begin>'
        '<end>1764719999</end></date_range></report_metadata><policy_published><domain>example.org</domain>'
        '<p>none</p></policy_published><record><row><source_ip>192.0.2.7</source_ip><count>12</count>'
        '<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>'
        '<identifiers><header_from>example.org</header_from></identifiers><auth_results><dkim><domain>example.org'
        '</domain><result>pass</result></dkim><spf><domain>example.org</domain><result>fail</result></spf>'
        '</auth_results></record></feedback>')
    compressed = gzip.compress(report.read_bytes())
    mail = email.message.EmailMessage()
    mail["From"] = "noreply@big.example"
    mail["To"] = "postmaster@example.org"
    mail["Subject"] = "Report Domain: example.org Submitter: big.example Report-ID: <r-42>"
    mail.set_content("A report.")
    mail.add_attachment(compressed, maintype="application", subtype="gzip", filename="big.example!example.org!1764633600!1764719999.xml.gz")
    with smtplib.SMTP("127.0.0.1", site.smtp_port) as s:
        s.sendmail("noreply@big.example", ["postmaster@example.org"], mail.as_bytes())
    send(site, "someone@big.example", "someone@big.example", "not-a-report", to="postmaster@example.org")
    site.wait_for_messages("postmaster@example.org", 2)
    out = site.posta("dmarc", "import", "--report-address")
    assert "imported report r-42 from Big Mailbox Provider for example.org: 1 records, 12 messages" in out, out
    assert site.posta("dmarc", "import", "--report-address").strip() == ""
    assert "192.0.2.7" in site.posta("dmarc", "reports")


def test_dsn_is_signed_by_the_hostname_domain(reporting):
    site, _, refusing, keys = reporting
    send(site, "alice@example.org", "alice@example.org", "to-be-bounced", to="forward@example.org")
    [dsn] = site.wait_for_messages("alice@example.org", 1, timeout=30)
    assert b"MAILER-DAEMON@mx.example.org" in dsn and b"DKIM-Signature:" in dsn, dsn[:400]
    assert b"d=mx.example.org" in dsn
    assert dkim_verifies(dsn, keys)

"""DMARC at the end of data (issue #14), with `[filter] sender_authentication = true` and dnsmasq
serving `_dmarc` records and a DKIM key: a message whose From names a `p=reject` domain but that
neither SPF nor DKIM aligns is refused with 550 5.7.1 and never delivered; the same From, signed by
that domain (Ed25519, `posta dkim sign`), is accepted and carries one Authentication-Results field
saying spf, dkim=pass and dmarc=pass; a `p=quarantine` forgery goes to Junk; a domain without a
record is delivered with dmarc=none. Each evaluation of a domain with a record is counted: the
aggregate report Posta would send for the day lists them by source and disposition."""
import smtplib
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mailsite import MailSite
from test_outbound import start_dnsmasq

ZONE_RECORDS = [
    "local=/com/",
    "local=/net/",
    "local=/org/",
    'txt-record=_dmarc.example.com,"v=DMARC1; p=reject"',
    'txt-record=_dmarc.example.net,"v=DMARC1; p=quarantine"',
]


def serve_zone(site: MailSite, folder: Path, records: list[str]):
    """dnsmasq serving `records` and the key of example.com (Ed25519, selector `ext`, made here),
    as the site's resolver; returns the dnsmasq process."""
    site.posta("dkim", "keygen", "example.com", "--algorithm", "ed25519", "--selector", "ext")
    [record] = [line for line in site.posta("dns", "records", "example.com").splitlines() if "_domainkey" in line]
    name, text = record.split(None, 1)[0].rstrip("."), record.split('"', 1)[1].rsplit('"', 1)[0]
    zone = "\n".join(records + [f'txt-record={name},"{text}"']) + "\n"
    port, dns = start_dnsmasq(folder, zone)
    site.use_nameserver(port)
    return dns


def running(site: MailSite, folder: Path, records: list[str]):
    """The site started with `serve_zone(records)` as its DNS; yields it, then stops both."""
    dns = serve_zone(site, folder, records)
    site.start()
    try:
        yield site
    finally:
        site.stop()
        dns.kill()
        dns.wait()


@pytest.fixture
def site(tmp_path: Path):
    yield from running(MailSite(tmp_path, extra_config="[filter]\nsender_authentication = true\n").seed(), tmp_path,
                       ZONE_RECORDS)


def send(site: MailSite, sender: str, body: bytes):
    with smtplib.SMTP("127.0.0.1", site.smtp_port) as s:
        s.sendmail(sender, ["alice@example.org"], body)


def message(author: str, subject: str) -> bytes:
    return (f"From: <{author}>\r\nTo: alice@example.org\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject}@test>\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\nHello\r\n").encode()


def wait_for_junk(site: MailSite, count: int) -> list[bytes]:
    deadline = time.monotonic() + 15
    while True:
        try:
            got = site.messages("alice@example.org", "Junk")
        except AssertionError:
            got = []
        if len(got) >= count or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def header_of(message: bytes) -> str:
    return message.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode()


def test_reject_policy_refuses_forgery_and_accepts_aligned_signed_mail(site: MailSite):
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(site, "billing@forger.example", message("ceo@example.com", "forged"))
    assert refused.value.smtp_code == 550 and b"5.7.1" in refused.value.smtp_error and b"DMARC" in refused.value.smtp_error
    signed = site.posta("dkim", "sign", "--domain", "example.com", stdin=message("ceo@example.com", "genuine").decode())
    send(site, "billing@forger.example", signed.replace("\r\n", "\n").replace("\n", "\r\n").encode())
    [arrived] = site.wait_for_messages("alice@example.org", 1)
    header = header_of(arrived)
    assert "Subject: genuine" in header
    assert header.count("Authentication-Results:") == 1, header
    results = header.split("Authentication-Results:", 1)[1].split("\nSubject", 1)[0]
    assert results.strip().startswith("mx.example.org;"), results
    assert "dkim=pass" in results and "header.d=example.com" in results, results
    assert "dmarc=pass" in results and "header.from=example.com" in results, results
    assert "spf=" in results, results


def test_quarantine_policy_delivers_into_junk_and_no_record_is_dmarc_none(site: MailSite):
    send(site, "x@forger.example", message("news@example.net", "quarantined"))
    send(site, "x@forger.example", message("someone@unlisted.org", "no-record"))
    [inbox] = site.wait_for_messages("alice@example.org", 1)
    assert "Subject: no-record" in header_of(inbox) and "dmarc=none" in header_of(inbox)
    junk = wait_for_junk(site, 1)
    assert len(junk) == 1 and "Subject: quarantined" in header_of(junk[0]) and "dmarc=fail" in header_of(junk[0])


def test_evaluations_are_counted_for_the_aggregate_report(site: MailSite):
    with pytest.raises(smtplib.SMTPDataError):
        send(site, "billing@forger.example", message("ceo@example.com", "forged-1"))
    with pytest.raises(smtplib.SMTPDataError):
        send(site, "billing@forger.example", message("ceo@example.com", "forged-2"))
    signed = site.posta("dkim", "sign", "--domain", "example.com", stdin=message("ceo@example.com", "genuine").decode())
    send(site, "billing@forger.example", signed.replace("\r\n", "\n").replace("\n", "\r\n").encode())
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    report = ET.fromstring(site.posta("dmarc", "report-xml", "--domain", "example.com", "--period", today))
    rows = {}
    for record in report.iter():
        if record.tag.split("}")[-1] != "record":
            continue
        row = next(e for e in record if e.tag.split("}")[-1] == "row")
        value = {e.tag.split("}")[-1]: e for e in row}
        evaluated = {e.tag.split("}")[-1]: (e.text or "").strip() for e in value["policy_evaluated"]}
        rows[evaluated["disposition"]] = (value["source_ip"].text, int(value["count"].text), evaluated["dkim"])
    # RFC 9990: "pass" is the disposition of a message that passed DMARC.
    assert rows == {"reject": ("127.0.0.1", 2, "fail"), "pass": ("127.0.0.1", 1, "pass")}, rows

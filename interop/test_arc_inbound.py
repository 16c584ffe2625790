"""ARC at the end of data (issue #14, RFC 8617), with `[filter] sender_authentication = true`,
`trusted_arc_sealers = ["lists.example"]` and dnsmasq serving the records. A message whose From
names a `p=reject` domain and whose DKIM signature a mailing list broke (it rewrote the subject) is
ARC-sealed by dkimpy's `dkim.arc_sign`: sealed by the trusted list it is delivered, with `arc=pass`
and the `trusted_forwarder` override in Posta's Authentication-Results; sealed by another list it
is refused with 550 5.7.1. Also: Authentication-Results fields that claim Posta's host name are
removed from received mail (RFC 8601 §5), other hosts' are kept, with sender authentication on
and off."""
import base64
import smtplib
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import dkim
import pytest

from mailsite import MailSite
from test_dmarc_inbound import header_of, running


def rsa_key(folder: Path, name: str) -> tuple[bytes, str]:
    """A 1024-bit RSA key (its record fits one TXT string) and its DKIM key record."""
    key = folder / f"{name}.pem"
    subprocess.run(["openssl", "genrsa", "-traditional", "-out", str(key), "1024"], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"], check=True, capture_output=True)
    return key.read_bytes(), "v=DKIM1; k=rsa; p=" + base64.b64encode(der.stdout).decode()


@pytest.fixture
def site(tmp_path: Path):
    s = MailSite(tmp_path, extra_config=(
        '[filter]\nsender_authentication = true\ntrusted_arc_sealers = ["lists.example"]\n'
        'dmarc_whitelist = ["127.0.0.2"]\n')).seed()
    s.sealers = {}
    records = ["local=/com/", "local=/org/", "local=/example/", 'txt-record=_dmarc.example.com,"v=DMARC1; p=reject"']
    for sealer in ("lists.example", "evil.example"):
        key, key_record = rsa_key(tmp_path, sealer)
        s.sealers[sealer] = key
        records.append(f'txt-record=arc._domainkey.{sealer},"{key_record}"')
    yield from running(s, tmp_path, records)


def list_copy(site: MailSite, sealer: str) -> bytes:
    """A message of ceo@example.com, DKIM-signed by example.com, as a list at `sealer` passes it
    on: its subject tagged (which breaks the signature), then ARC-sealed with what the list found."""
    original = (b"From: <ceo@example.com>\r\nTo: list@" + sealer.encode() + b"\r\nSubject: quarterly\r\n"
                b"Message-ID: <arc-" + sealer.encode() + b"@test>\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\nHello\r\n")
    signed = site.posta("dkim", "sign", "--domain", "example.com", stdin=original.decode())
    signed = signed.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    tagged = signed.replace(b"Subject: quarterly", b"Subject: [list] quarterly")
    found = (f"Authentication-Results: {sealer}; spf=pass smtp.mailfrom=ceo@example.com;\r\n"
             f" dkim=pass header.d=example.com; dmarc=pass header.from=example.com\r\n").encode()
    seal = dkim.arc_sign(found + tagged, b"arc", sealer.encode(), site.sealers[sealer], sealer.encode(),
                         include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    assert len(seal) == 3, seal
    return b"".join(seal) + found + tagged


def send(site: MailSite, sender: str, body: bytes, client: str = "127.0.0.1"):
    with smtplib.SMTP("127.0.0.1", site.smtp_port, source_address=(client, 0)) as s:
        s.sendmail(sender, ["alice@example.org"], body)


def our_results(header: str) -> str:
    fields = [f for f in header.replace("\n\t", " ").replace("\n ", " ").split("\n")
              if f.lower().startswith("authentication-results: mx.example.org")]
    assert len(fields) == 1, header
    return fields[0]


def test_trusted_sealer_delivers_broken_dkim_of_a_reject_domain(site: MailSite):
    send(site, "bounce@lists.example", list_copy(site, "lists.example"))
    [arrived] = site.wait_for_messages("alice@example.org", 1)
    results = our_results(header_of(arrived))
    assert "dkim=fail" in results and "header.d=example.com" in results, results
    assert "arc=pass (i=1 d=lists.example) header.oldest-pass=0 smtp.remote-ip=127.0.0.1" in results, results
    assert "dmarc=fail" in results and "override=trusted_forwarder" in results, results


def test_untrusted_sealer_is_refused(site: MailSite):
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(site, "bounce@evil.example", list_copy(site, "evil.example"))
    assert refused.value.smtp_code == 550 and b"5.7.1" in refused.value.smtp_error


def test_whitelisted_network_is_delivered_and_overrides_are_reported(site: MailSite):
    forged = (b"From: <ceo@example.com>\r\nTo: alice@example.org\r\nSubject: whitelisted\r\n"
              b"Message-ID: <wl@test>\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\nHello\r\n")
    send(site, "x@forger.example", forged, client="127.0.0.2")
    send(site, "bounce@lists.example", list_copy(site, "lists.example"))
    arrived = site.wait_for_messages("alice@example.org", 2)
    whitelisted = [header_of(m) for m in arrived if "Subject: whitelisted" in header_of(m)]
    assert len(whitelisted) == 1 and "override=local_policy" in our_results(whitelisted[0]), arrived
    with pytest.raises(smtplib.SMTPDataError):
        send(site, "x@forger.example", forged)  # the same from another address: refused
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    report = site.posta("dmarc", "report-xml", "--domain", "example.com", "--period", today)
    reasons = {e.text.strip() for e in ET.fromstring(report).iter() if e.tag.split("}")[-1] == "type"}
    assert {"local_policy", "trusted_forwarder"} <= reasons, report


FORGED = (b"Authentication-Results: mx.example.org; dkim=pass header.d=example.com; dmarc=pass\r\n"
          b"Authentication-Results: other.example;\r\n spf=pass smtp.mailfrom=x@other.example\r\n"
          b"Authentication-Results: (a comment)\r\n MX.Example.ORG; arc=pass\r\n"
          b"From: <x@unlisted.org>\r\nTo: alice@example.org\r\nSubject: forged results\r\n\r\nHello\r\n")


def test_results_claiming_our_name_are_removed(site: MailSite):
    send(site, "x@unlisted.org", FORGED)
    [arrived] = site.wait_for_messages("alice@example.org", 1)
    header = header_of(arrived)
    assert header.count("Authentication-Results:") == 2, header
    assert "Authentication-Results: other.example;\n spf=pass smtp.mailfrom=x@other.example" in header, header
    assert "dmarc=none" in our_results(header), header
    assert "arc=pass" not in header and "dmarc=pass" not in header, header


def test_results_claiming_our_name_are_removed_without_sender_authentication(tmp_path: Path):
    s = MailSite(tmp_path).seed()
    s.start()
    try:
        send(s, "x@unlisted.org", FORGED)
        [arrived] = s.wait_for_messages("alice@example.org", 1)
        header = header_of(arrived)
        assert header.count("Authentication-Results:") == 1 and "Authentication-Results: other.example;" in header, header
        assert "Subject: forged results" in header
    finally:
        s.stop()

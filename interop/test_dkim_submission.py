"""DKIM signing on submission (issue #14): mail an authenticated user submits is signed with the
active keys of its From domain (`posta dkim keygen`, RSA and Ed25519), and what arrives verifies with
dkimpy against the TXT records `posta dns records` prints. A domain without a key sends unsigned;
mail received on port 25 is never signed."""
import json
import smtplib
from pathlib import Path

import dkim
import pytest

from test_submission import PASSWORD, SubmissionSite


@pytest.fixture
def site(tmp_path: Path):
    s = SubmissionSite(tmp_path).seed()
    s.posta("domain", "add", "example.net")
    s.posta("user", "add", "dora@example.net", "--password-stdin", stdin=PASSWORD + "\n")
    s.posta("dkim", "keygen", "example.org")
    s.posta("dkim", "keygen", "example.org", "--algorithm", "ed25519")
    s.start()
    yield s
    s.stop()


def records(site: SubmissionSite, domain: str) -> dict[str, str]:
    return {r["name"]: r["text"] for r in json.loads(site.posta("dns", "records", domain, "--json"))
            if "._domainkey." in r["name"]}


def verify_all(message: bytes, txt: dict[str, str]) -> list[bool]:
    def dnsfunc(name: bytes, timeout: int = 5):
        text = txt.get(name.decode().rstrip("."))
        return text.encode() if text else None
    count = sum(1 for line in message.split(b"\r\n\r\n", 1)[0].split(b"\r\n") if line.lower().startswith(b"dkim-signature:"))
    return [dkim.DKIM(message).verify(idx=i, dnsfunc=dnsfunc) for i in range(count)]


def submit(site: SubmissionSite, user: str, to: str, body: bytes):
    with smtplib.SMTP("localhost", site.submission_port) as s:
        s.starttls(context=site.context())
        s.login(user, PASSWORD)
        s.sendmail(user, [to], body)


def test_submitted_mail_is_signed_with_every_active_key_and_verifies(site: SubmissionSite):
    body = (b"From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: signed\r\n"
            b"Message-ID: <signed@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n\r\nGr\xc3\xbc\xc3\x9fe\r\n\r\n\r\n")
    submit(site, "bob@example.org", "alice@example.org", body)
    [arrived] = site.wait_for_messages("alice@example.org", 1)
    arrived = arrived.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    header = arrived.split(b"\r\n\r\n", 1)[0]
    assert header.count(b"DKIM-Signature:") == 2, header
    assert b"a=rsa-sha256" in header and b"a=ed25519-sha256" in header and b"d=example.org" in header
    assert verify_all(arrived, records(site, "example.org")) == [True, True]
    # Changing the signed Subject breaks both signatures: dkimpy is not just saying yes.
    forged = arrived.replace(b"Subject: signed", b"Subject: SIGNED")
    assert verify_all(forged, records(site, "example.org")) == [False, False]


def test_domain_without_key_and_port_25_are_not_signed(site: SubmissionSite):
    submit(site, "dora@example.net", "alice@example.org",
           b"From: dora@example.net\r\nTo: alice@example.org\r\nSubject: unsigned\r\n\r\nhi\r\n")
    with smtplib.SMTP("localhost", site.smtp_port) as s:
        s.sendmail("bob@example.org", ["alice@example.org"],
                   b"From: bob@example.org\r\nTo: alice@example.org\r\nSubject: inbound\r\n\r\nhi\r\n")
    arrived = site.wait_for_messages("alice@example.org", 2)
    assert all(b"DKIM-Signature:" not in m for m in arrived), arrived

"""DANE for outbound SMTP (RFC 7672; docs/dane.md): unbound validates zones that nsd serves,
signed with ldns-signzone; Posta trusts its AD bit (`[delivery] dnssec = true`). The MX host is
the SMTP double on 127.0.0.9 with a certificate from a private CA that Posta does not trust, so
only DANE can authenticate it:
- good.example (signed): TLSA 3 1 1 of the certificate's key → delivered over TLS;
- bad.example (signed): TLSA 3 1 1 of another key → deferred with 4.7.5, nothing sent;
- plain.example (unsigned, the same wrong TLSA): DANE does not apply → opportunistic TLS, delivered.
REQUIRETLS (RFC 8689): a message submitted with it reaches good.example (DANE, the double offers
REQUIRETLS) with the parameter, and bounces with 5.7.10 for plain.example; `TLS-Required: No`
makes bad.example's mismatching TLSA record irrelevant."""
import smtplib
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from conftest import POSTA, free_port
from dnssec_zones import DNSSECResolver, spki_sha256
from smtp_double import SMTPDouble
from test_outbound_queue import submit, wait_until
from test_submission import PASSWORD, SubmissionSite, message
from tls_certs import issue, make_ca


def zone(origin: str, port: int, tlsa: str) -> str:
    return f"@ IN MX 10 mx.{origin}.\nmx IN A 127.0.0.9\n_{port}._tcp.mx IN TLSA 3 1 1 {tlsa}\n"


@pytest.fixture
def dane(tmp_path: Path):
    certs = tmp_path / "certs"
    certs.mkdir()
    ca = make_ca(certs)
    cert, key = issue(certs, ca, "mx.good.example")
    other, _ = issue(certs, ca, "mx.good.example", stem="other")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    port = free_port()
    double = SMTPDouble("127.0.0.9", port, tls_context=context, extra_extensions=(b"REQUIRETLS",))
    right, wrong = spki_sha256(cert), spki_sha256(other)
    dns = DNSSECResolver(tmp_path / "dns", {
        "good.example": (zone("good.example", port, right), True),
        "bad.example": (zone("bad.example", port, wrong), True),
        "plain.example": (zone("plain.example", port, wrong), False),
    })
    site = SubmissionSite(tmp_path / "posta")
    site.config.write_text(site.config.read_text().replace(
        'nameservers = ["127.0.0.1:9"]',
        f'nameservers = ["127.0.0.1:{dns.port}"]\ndnssec = true\nsmtp_port = {port}\nretry_first = "1s"\nretry_max = "2s"'))
    site.seed().start()
    yield {"site": site, "double": double}
    site.stop()
    double.stop()
    dns.stop()


def pending(site: SubmissionSite, recipient: str):
    with site.db() as db:
        return db.execute("SELECT attempts, last_error FROM queue_recipient WHERE recipient = ? AND status = 'pending'",
                          (recipient,)).fetchone()


def delivered_to(double: SMTPDouble) -> list[str]:
    return [r for _, recipients, _ in double.messages for r in recipients]


def test_matching_tlsa_delivers_over_tls(dane):
    submit(dane["site"], "carol@good.example", ["dane-good"])
    log = dane["site"].folder / "posta.log"
    assert wait_until(lambda: "carol@good.example" in delivered_to(dane["double"]), 30), log.read_text()[-3000:]
    assert dane["double"].tls_sessions >= 1
    assert "host=mx.good.example" in log.read_text() and "tlsauth=dane" in log.read_text()


def test_mismatching_tlsa_defers_and_sends_nothing(dane):
    site = dane["site"]
    submit(site, "carol@bad.example", ["dane-bad"])
    assert wait_until(lambda: (row := pending(site, "carol@bad.example")) is not None and row[0] >= 2, 30)
    attempts, error = pending(site, "carol@bad.example")
    assert error.startswith("451 4.7.5") and "mx.bad.example" in error, error
    time.sleep(0.5)
    assert delivered_to(dane["double"]) == []


def test_unsigned_zone_is_opportunistic_as_before(dane):
    submit(dane["site"], "carol@plain.example", ["dane-plain"])
    assert wait_until(lambda: "carol@plain.example" in delivered_to(dane["double"]), 30)
    assert dane["double"].tls_sessions >= 1
    assert "tlsauth=none" in (dane["site"].folder / "posta.log").read_text()


def test_dnssec_needs_loopback_nameservers(tmp_path: Path):
    site = SubmissionSite(tmp_path / "posta")
    site.config.write_text(site.config.read_text().replace(
        'nameservers = ["127.0.0.1:9"]', 'nameservers = ["192.0.2.53:53"]\ndnssec = true'))
    result = subprocess.run([POSTA, "config", "check", "--config", str(site.config)], capture_output=True, text=True)
    assert result.returncode != 0 and "dnssec" in result.stderr, result.stderr


def submit_with(site: SubmissionSite, recipient: str, subject: str, options=(), header: str = "") -> None:
    with smtplib.SMTP("localhost", site.submission_port) as s:
        s.starttls(context=site.context())
        s.login("alice@example.org", PASSWORD)
        assert s.has_extn("requiretls")
        s.sendmail("alice@example.org", [recipient], header.encode() + message("alice@example.org", recipient, subject),
                   mail_options=list(options))


def status(site: SubmissionSite, recipient: str):
    with site.db() as db:
        return db.execute("SELECT status, last_error FROM queue_recipient WHERE recipient = ?", (recipient,)).fetchone()


def test_requiretls_goes_to_a_dane_host_with_the_parameter(dane):
    submit_with(dane["site"], "carol@good.example", "requiretls-good", options=["REQUIRETLS"])
    assert wait_until(lambda: "carol@good.example" in delivered_to(dane["double"]), 30)
    assert dane["double"].mail_lines[-1].endswith(b"REQUIRETLS"), dane["double"].mail_lines


def test_requiretls_without_dane_bounces_with_5_7_10(dane):
    site = dane["site"]
    submit_with(site, "carol@plain.example", "requiretls-plain", options=["REQUIRETLS"])
    # The bounce (RFC 3464) reaches the local sender with the 5.7.10 status; the queue is then empty.
    bounce = site.wait_for_messages("alice@example.org", 1)[0]
    assert b"Status: 5.7.10" in bounce and b"REQUIRETLS" in bounce, bounce[-1500:]
    assert status(site, "carol@plain.example") is None
    assert "carol@plain.example" not in delivered_to(dane["double"])


def test_tls_required_no_ignores_a_mismatching_tlsa(dane):
    submit_with(dane["site"], "carol@bad.example", "tls-optional", header="TLS-Required: No\r\n")
    assert wait_until(lambda: "carol@bad.example" in delivered_to(dane["double"]), 30)
    assert b"REQUIRETLS" not in dane["double"].mail_lines[-1]

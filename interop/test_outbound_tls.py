"""Outbound TLS modes (docs/delivery.md#tls-modes): the smarthost's certificate and name are always
verified and credentials go only to a verified smarthost; `verify_tls` domains need a verified MX;
other MX hosts get opportunistic, unverified STARTTLS. Peers: a real Postfix with a self-signed
certificate (relay and MX), and the SMTP double (a smarthost asking for AUTH)."""
import ssl
import time
from pathlib import Path

import pytest

from conftest import free_port
from smtp_double import SMTPDouble
from test_outbound import remote_mx, start_dnsmasq
from test_outbound_queue import submit, wait_until
from test_submission import SubmissionSite
from tls_certs import issue, make_ca

ZONE = """local=/remote.example/
local=/tls.example/
mx-host=remote.example,mx.remote.example,10
host-record=mx.remote.example,127.0.0.2
host-record=relay.tls.example,127.0.0.2
host-record=auth.tls.example,127.0.0.7
"""


def tls_site(folder: Path, dns_port: int, delivery: str) -> SubmissionSite:
    site = SubmissionSite(folder)
    site.config.write_text(site.config.read_text().replace(
        'nameservers = ["127.0.0.1:9"]', f'nameservers = ["127.0.0.1:{dns_port}"]\nretry_first = "1s"\nretry_max = "2s"\n{delivery}'))
    return site.seed()


def deferred_error(site: SubmissionSite) -> str | None:
    """The last error of the (single) queued delivery once it has been tried, else None."""
    with site.db() as db:
        row = db.execute("SELECT attempts, last_error, status FROM queue_recipient").fetchone()
    if row and row[0] > 0 and row[2] == "pending":
        return row[1]
    return None


@pytest.fixture
def peer(tmp_path: Path):
    """dnsmasq, plus a factory for Postfix on 127.0.0.2 (MX of remote.example, and relay.tls.example)
    with a self-signed certificate for the given name; mail for carol@remote.example lands in a Maildir."""
    dns_port, dns = start_dnsmasq(tmp_path, ZONE)
    started = []

    def start(cert_name: str):
        mx = remote_mx(tmp_path, cert_name)
        started.append(mx["postfix"])
        arrived = lambda: [p for sub in ("new", "cur") for p in (mx["maildir"] / sub).glob("*")] if mx["maildir"].exists() else []
        return {"port": mx["smtp_port"], "cert": mx["cert"], "postfix": mx["postfix"], "arrived": arrived}

    yield {"dns_port": dns_port, "start": start}
    for pf in started:
        pf.stop()
    dns.kill()
    dns.wait()


def run_case(tmp_path: Path, peer, cert_name: str, delivery, expect_delivered: bool) -> str | None:
    """Starts Postfix (certificate for `cert_name`) and Posta with `delivery(postfix)` as extra
    [delivery] keys, submits one message for carol@remote.example; returns the deferral reason."""
    pf = peer["start"](cert_name)
    site = tls_site(tmp_path / "posta", peer["dns_port"], delivery(pf))
    site.start()
    try:
        submit(site, "carol@remote.example", ["tls-mode"])
        if expect_delivered:
            assert wait_until(lambda: len(pf["arrived"]()) == 1, 30), pf["postfix"].log()[-2000:]
            assert wait_until(lambda: site.queue_counts() == (0, 0), 10)
            assert "TLS connection established from" in pf["postfix"].log()
            return None
        assert wait_until(lambda: deferred_error(site) is not None, 30)
        time.sleep(1)
        assert pf["arrived"]() == [] and "status=sent" not in pf["postfix"].log()
        return deferred_error(site)
    finally:
        site.stop()


def test_relay_with_self_signed_certificate_is_deferred(tmp_path: Path, peer):
    error = run_case(tmp_path, peer, "relay.tls.example",
                     lambda pf: f'relay_host = "relay.tls.example:{pf["port"]}"', expect_delivered=False)
    assert error.startswith("451 ") and "relay.tls.example" in error, error


def test_relay_trusted_but_wrong_name_is_deferred(tmp_path: Path, peer):
    error = run_case(tmp_path, peer, "somewhere-else.example",
                     lambda pf: f'relay_host = "relay.tls.example:{pf["port"]}"\ntls_ca_file = "{pf["cert"]}"',
                     expect_delivered=False)
    assert error.startswith("451 "), error


def test_relay_trusted_and_named_delivers(tmp_path: Path, peer):
    run_case(tmp_path, peer, "relay.tls.example",
             lambda pf: f'relay_host = "relay.tls.example:{pf["port"]}"\ntls_ca_file = "{pf["cert"]}"', expect_delivered=True)


def test_verify_tls_domain_untrusted_is_deferred(tmp_path: Path, peer):
    error = run_case(tmp_path, peer, "mx.remote.example",
                     lambda pf: f'smtp_port = {pf["port"]}\nverify_tls = ["remote.example"]', expect_delivered=False)
    assert error.startswith("451 ") and "mx.remote.example" in error, error


def test_verify_tls_domain_wrong_name_is_deferred(tmp_path: Path, peer):
    run_case(tmp_path, peer, "mx.other.example",
             lambda pf: f'smtp_port = {pf["port"]}\nverify_tls = ["remote.example"]\ntls_ca_file = "{pf["cert"]}"',
             expect_delivered=False)


def test_verify_tls_domain_verified_delivers(tmp_path: Path, peer):
    run_case(tmp_path, peer, "mx.remote.example",
             lambda pf: f'smtp_port = {pf["port"]}\nverify_tls = ["remote.example"]\ntls_ca_file = "{pf["cert"]}"',
             expect_delivered=True)


def test_opportunistic_tls_to_mx_stays_unverified(tmp_path: Path, peer):
    """Not in verify_tls: the same untrusted, wrongly named certificate does not stop delivery."""
    run_case(tmp_path, peer, "mx.other.example", lambda pf: f'smtp_port = {pf["port"]}', expect_delivered=True)


def smarthost_case(tmp_path: Path, cert_name: str, trust: bool) -> SMTPDouble:
    """The SMTP double as an AUTH-requiring smarthost at auth.tls.example (127.0.0.7) with a
    certificate for `cert_name` from a private CA (trusted through tls_ca_file when `trust`)."""
    certs = tmp_path / "certs"
    certs.mkdir()
    ca = make_ca(certs)
    cert, key = issue(certs, ca, cert_name)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    port = free_port()
    dns_port, dns = start_dnsmasq(tmp_path, ZONE)
    double = SMTPDouble("127.0.0.7", port, credentials=("relay-user", "pw"), tls_context=context)
    (tmp_path / "relay-password").write_text("pw\n")
    site = tls_site(tmp_path / "posta", dns_port,
                    f'relay_host = "auth.tls.example:{port}"\nrelay_user = "relay-user"\n'
                    f'relay_password_file = "{tmp_path}/relay-password"\n' + (f'tls_ca_file = "{ca[0]}"\n' if trust else ""))
    site.start()
    try:
        submit(site, "someone@anywhere.example", ["smarthost"])
        if trust and cert_name == "auth.tls.example":
            assert wait_until(lambda: len(double.messages) == 1, 20)
        else:
            assert wait_until(lambda: deferred_error(site) is not None, 20)
            assert wait_until(lambda: double.sessions >= 2, 20)  # retried, refused each time
        return double
    finally:
        site.stop()
        double.stop()
        dns.kill()


def test_smarthost_untrusted_certificate_never_gets_credentials(tmp_path: Path):
    double = smarthost_case(tmp_path, "auth.tls.example", trust=False)
    assert double.auths == [] and double.messages == []


def test_smarthost_wrong_name_never_gets_credentials(tmp_path: Path):
    double = smarthost_case(tmp_path, "not-the-relay.example", trust=True)
    assert double.auths == [] and double.messages == []


def test_smarthost_verified_gets_credentials(tmp_path: Path):
    double = smarthost_case(tmp_path, "auth.tls.example", trust=True)
    assert double.auths == ["PLAIN relay-user ok"] and double.tls_sessions >= 1

"""MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) on outbound mail, against real peers on loopback:
dnsmasq publishes `_mta-sts.sts.example` and the MX, a Python HTTPS server (certificate from the
test CA) serves the policy, and the SMTP double is the MX, offering STARTTLS with a certificate
that the test CA signed or not. The TLS report Posta writes is validated against the JSON Schema
written from RFC 8460 §4.4 (interop/data/tlsrpt-rfc8460.schema.json)."""
import email
import email.policy
import gzip
import http.server
import json
import smtplib
import ssl
import subprocess
import threading
import time
from pathlib import Path

import jsonschema
import pytest

from conftest import free_port
from smtp_double import SMTPDouble
from test_outbound import start_dnsmasq
from test_outbound_queue import submit, wait_until
from test_submission import SubmissionSite
from tls_certs import issue, make_ca

SCHEMA = Path(__file__).parent / "data" / "tlsrpt-rfc8460.schema.json"
ZONE = """local=/sts.example/
mx-host=sts.example,mx.sts.example,10
host-record=mx.sts.example,127.0.0.7
host-record=mta-sts.sts.example,127.0.0.1
txt-record=_mta-sts.sts.example,"v=STSv1; id=test{mode};"
txt-record=_smtp._tls.sts.example,"v=TLSRPTv1; rua=mailto:tlsrpt@reports.sts.example"
mx-host=reports.sts.example,mx.sts.example,10
"""


def policy(mode: str) -> bytes:
    return f"version: STSv1\r\nmode: {mode}\r\nmx: mx.sts.example\r\nmax_age: 86400\r\n".encode()


class PolicyServer:
    """HTTPS on 127.0.0.1 serving `body` at /.well-known/mta-sts.txt (text/plain), 404 elsewhere."""

    def __init__(self, cert: Path, key: Path, body: bytes):
        outer = self
        self.body = body
        self.redirect: str | None = None
        self.requests: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(f"{self.headers.get('Host')} {self.path}")
                if self.path != "/.well-known/mta-sts.txt":
                    self.send_error(404)
                    return
                if outer.redirect:
                    self.send_response(302)
                    self.send_header("Location", outer.redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture
def world(tmp_path: Path):
    """Certificates (the test CA, and a second CA nobody trusts), and a factory that starts dnsmasq,
    the policy server and the MX double for a policy mode, and Posta configured to use them."""
    certs = tmp_path / "certs"
    certs.mkdir()
    rogue_dir = certs / "rogue"
    rogue_dir.mkdir()
    ca = make_ca(certs)
    rogue_ca = make_ca(rogue_dir)
    web = issue(certs, ca, "mta-sts.sts.example", stem="web")
    good_mx = issue(certs, ca, "mx.sts.example", stem="mx")
    bad_mx = issue(rogue_dir, rogue_ca, "mx.sts.example", stem="mx")
    started = []

    def start(mode: str, redirect: str | None = None):
        dns_port, dns = start_dnsmasq(tmp_path, ZONE.format(mode=mode))
        started.append(lambda: (dns.kill(), dns.wait()))
        web_server = PolicyServer(*web, policy(mode))
        web_server.redirect = redirect
        started.append(web_server.stop)
        mx_port = free_port()
        double = SMTPDouble("127.0.0.7", mx_port, tls_context=server_context(*bad_mx))
        started.append(double.stop)
        site = SubmissionSite(tmp_path / f"posta-{mode}")
        config = site.config.read_text().replace(
            'nameservers = ["127.0.0.1:9"]',
            f'nameservers = ["127.0.0.1:{dns_port}"]\nretry_first = "1s"\nretry_max = "2s"\n'
            f'smtp_port = {mx_port}\ntls_ca_file = "{ca[0]}"')
        site.config.write_text(
            config + f'\n[mta_sts]\nfetch_port = {web_server.port}\ntls_report_address = "postmaster@example.org"\n')
        site.seed()
        site.start()
        started.append(site.stop)
        return {"site": site, "double": double, "web": web_server, "good_mx": server_context(*good_mx)}

    yield start
    for stop in reversed(started):
        stop()


def tls_sessions(site: SubmissionSite) -> list[tuple]:
    with site.db() as db:
        return db.execute(
            "SELECT policy_domain, result_type, receiving_mx, session_count FROM tlsrpt_session ORDER BY result_type").fetchall()


def queue_row(site: SubmissionSite):
    with site.db() as db:
        return db.execute("SELECT attempts, last_error, status FROM queue_recipient").fetchone()


def report_json(site: SubmissionSite) -> dict:
    today = time.strftime("%Y-%m-%d", time.gmtime())
    return json.loads(site.posta("tlsrpt", "report-json", "--domain", "sts.example", "--period", today))


def test_enforce_defers_an_untrusted_mx_then_delivers_to_a_verified_one(world):
    w = world("enforce")
    site, double = w["site"], w["double"]
    submit(site, "carol@sts.example", ["sts-enforce"])
    # The MX offers STARTTLS with a certificate the test CA did not sign: deferred, never sent.
    assert wait_until(lambda: (row := queue_row(site)) is not None and row[0] >= 2, 30), queue_row(site)
    attempts, error, status = queue_row(site)
    assert status == "pending" and error.startswith("451 4.7.5 ") and "MTA-STS" in error, error
    assert double.messages == [] and double.sessions >= 1
    assert any(r == ("sts.example", "certificate-not-trusted", "mx.sts.example") for r in (t[:3] for t in tls_sessions(site)))
    assert w["web"].requests and w["web"].requests[0] == "mta-sts.sts.example /.well-known/mta-sts.txt", w["web"].requests
    # The policy was fetched once and cached (the TXT id did not change).
    assert len(w["web"].requests) == 1, w["web"].requests
    # Now the MX presents a certificate from the trusted CA for its name: the retry delivers.
    double.tls_context = w["good_mx"]
    assert wait_until(lambda: len(double.messages) == 1, 30), queue_row(site)
    assert wait_until(lambda: site.queue_counts() == (0, 0), 10)
    results = {t[1]: t[3] for t in tls_sessions(site)}
    assert results.get("") == 1 and results["certificate-not-trusted"] >= 1, results
    report = report_json(site)
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    (sts,) = report["policies"]
    assert sts["policy"]["policy-type"] == "sts" and sts["policy"]["policy-domain"] == "sts.example"
    assert "mode: enforce" in sts["policy"]["policy-string"] and sts["policy"]["mx-host"] == ["mx.sts.example"]
    assert sts["summary"]["total-successful-session-count"] == 1
    assert sts["summary"]["total-failure-session-count"] == results["certificate-not-trusted"]
    assert sts["failure-details"][0]["result-type"] == "certificate-not-trusted"


def test_testing_mode_delivers_and_records_the_failure(world):
    w = world("testing")
    site, double = w["site"], w["double"]
    submit(site, "carol@sts.example", ["sts-testing"])
    assert wait_until(lambda: len(double.messages) == 1, 30), queue_row(site)
    assert wait_until(lambda: site.queue_counts() == (0, 0), 10)
    results = {t[1]: t[3] for t in tls_sessions(site)}
    assert results == {"certificate-not-trusted": 1}, results
    report = report_json(site)
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    (sts,) = report["policies"]
    assert "mode: testing" in sts["policy"]["policy-string"]
    assert sts["summary"] == {"total-successful-session-count": 0, "total-failure-session-count": 1}
    # The report by mail (RFC 8460 §5.3) to the rua of _smtp._tls.sts.example, once.
    today = time.strftime("%Y-%m-%d", time.gmtime())
    # One line per address, naming the policy domain the report is about.
    assert site.posta("tlsrpt", "send", "--early", "--period", today).strip() == "sts.example: queued for tlsrpt@reports.sts.example"
    assert site.posta("tlsrpt", "send", "--early", "--period", today).strip() == ""
    assert wait_until(lambda: len(double.messages) == 2, 30), queue_row(site)
    sender, recipients, data = double.messages[1]
    assert sender == "" and recipients == ["tlsrpt@reports.sts.example"]
    mail = email.message_from_bytes(data, policy=email.policy.default)
    assert mail["TLS-Report-Domain"] == "sts.example" and mail["TLS-Report-Submitter"]
    assert mail.get_content_type() == "multipart/report" and mail.get_param("report-type") == "tlsrpt"
    (part,) = [p for p in mail.iter_attachments() if p.get_content_type() == "application/tlsrpt+gzip"]
    assert part.get_filename().startswith(mail["TLS-Report-Submitter"] + "!sts.example!")
    mailed = json.loads(gzip.decompress(part.get_content()))
    jsonschema.validate(mailed, json.loads(SCHEMA.read_text()))
    assert mailed == report
    # The same mail, received at the site's TLS report address: read from that mailbox once (a
    # message without a report beside it is left alone), then listed.
    with smtplib.SMTP("127.0.0.1", site.smtp_port) as s:
        s.sendmail("reports@other.example", ["postmaster@example.org"], data)
        s.sendmail("someone@other.example", ["postmaster@example.org"], b"Subject: hello\r\n\r\nnot a report\r\n")
    site.wait_for_messages("postmaster@example.org", 2)
    imported = site.posta("tlsrpt", "import", "--report-address").strip()
    assert imported.endswith(": stored") and mailed["report-id"] in imported, imported
    assert site.posta("tlsrpt", "import", "--report-address").strip() == ""
    # The attachment as a file: already stored.
    received = site.folder / part.get_filename()
    received.write_bytes(part.get_content())
    assert site.posta("tlsrpt", "import", str(received)).strip().endswith("already stored")
    listed = site.posta("tlsrpt", "reports")
    assert f"{today} sts.example from {mail['TLS-Report-Submitter']}: policy sts, 0 ok, 1 failed (certificate-not-trusted=1)" in listed, listed
    assert json.loads(site.posta("tlsrpt", "reports", "--json")) == [report]


def test_a_redirected_policy_fetch_is_no_policy_and_is_reported(world):
    """RFC 8461 §3.3: redirects are not followed; without a cached policy the domain has none (the
    untrusted MX gets the mail opportunistically) and the failure is counted (sts-policy-fetch-error)."""
    w = world("enforce", redirect="https://mta-sts.sts.example/.well-known/mta-sts.txt?moved")
    site, double = w["site"], w["double"]
    submit(site, "carol@sts.example", ["sts-redirect"])
    assert wait_until(lambda: len(double.messages) == 1, 30), queue_row(site)
    assert wait_until(lambda: site.queue_counts() == (0, 0), 10)
    assert len(w["web"].requests) == 1, w["web"].requests  # the redirect was not followed
    results = {(t[1], t[0]) for t in tls_sessions(site)}
    assert ("sts-policy-fetch-error", "sts.example") in results, results
    assert site.posta("mta-sts", "policies").strip() == ""


def test_the_site_serves_its_own_policy(tmp_path: Path):
    """[mta_sts] mode/mx/max_age: served at /.well-known/mta-sts.txt by the HTTP listener, and
    `posta dns records` prints the matching _mta-sts and _smtp._tls records."""
    site = SubmissionSite(tmp_path)
    http_port = free_port()
    site.config.write_text(site.config.read_text() + f'''
[[listener]]
protocol = "http"
address = "127.0.0.1:{http_port}"

[mta_sts]
mode = "enforce"
mx = ["mx1.example.org", "*.backup.example.org"]
max_age = 604800
report_uris = ["mailto:tls-reports@example.org"]
''')
    site.seed()
    site.start()
    try:
        from conftest import wait_for_port
        wait_for_port(http_port)
        out = subprocess.run(["curl", "-sS", "-i", f"http://127.0.0.1:{http_port}/.well-known/mta-sts.txt"],
                             capture_output=True, check=True).stdout.decode()
        head, body = out.split("\r\n\r\n", 1)
        assert "content-type: text/plain" in head.lower()
        assert body == "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.org\r\nmx: *.backup.example.org\r\nmax_age: 604800\r\n"
        text = site.posta("dns", "records", "example.org")
        assert '_mta-sts.example.org. IN TXT "v=STSv1; id=' in text, text
        assert '_smtp._tls.example.org. IN TXT "v=TLSRPTv1; rua=mailto:tls-reports@example.org"' in text, text
    finally:
        site.stop()

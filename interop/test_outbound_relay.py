"""Smarthost: with `relay_host`, mail for other domains goes to one host without MX lookup.
Without credentials against a real Postfix relay; with AUTH (PLAIN) over the required STARTTLS
against the small SMTP double of smtp_double.py (this machine's Postfix has no SASL server set up)."""
import smtplib
import ssl
from pathlib import Path

from conftest import free_port
from tls_certs import issue, make_ca
from smtp_double import SMTPDouble
from test_outbound import remote  # noqa: F401  (fixture)
from test_outbound_queue import wait_until
from test_submission import PASSWORD, SubmissionSite, message


def relay_site(folder: Path, relay: str) -> SubmissionSite:
    site = SubmissionSite(folder)
    # nameservers stays at 127.0.0.1:9 (nothing answers): only the relay can deliver.
    site.config.write_text(site.config.read_text().replace('nameservers = ["127.0.0.1:9"]',
                                                           f'nameservers = ["127.0.0.1:9"]\n{relay}'))
    return site.seed()


def send(site: SubmissionSite, to: str, subject: str) -> None:
    with smtplib.SMTP("localhost", site.submission_port) as s:
        s.starttls(context=site.context())
        s.login("alice@example.org", PASSWORD)
        s.sendmail("alice@example.org", [to], message("alice@example.org", to, subject))


def test_relay_without_auth_to_postfix(tmp_path: Path, remote):
    # By name: the relay's certificate is verified (it names mx.remote.example; self-signed, so trusted
    # through tls_ca_file); the fixture's dnsmasq resolves the relay's name.
    site = relay_site(tmp_path / "posta", f'relay_host = "mx.remote.example:{remote["smtp_port"]}"\n'
                                          f'tls_ca_file = "{remote["cert"]}"')
    site.config.write_text(site.config.read_text().replace('nameservers = ["127.0.0.1:9"]',
                                                           f'nameservers = ["127.0.0.1:{remote["dns_port"]}"]'))
    site.start()
    try:
        send(site, "carol@remote.example", "via-relay")
        remote["postfix"].wait_log("status=sent")
        [file] = [p for sub in ("new", "cur") for p in (remote["maildir"] / sub).glob("*")]
        assert b"Subject: via-relay" in file.read_bytes()
        assert wait_until(lambda: site.queue_counts() == (0, 0), 10)
    finally:
        site.stop()


def test_relay_with_auth_over_starttls(tmp_path: Path):
    port = free_port()
    # The relay is named by its IP address: its certificate must carry that address.
    ca = make_ca(tmp_path)
    cert, key = issue(tmp_path, ca, "127.0.0.7", san="IP:127.0.0.7")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    double = SMTPDouble("127.0.0.7", port, credentials=("relay-user", "s3cret pass"), tls_context=context)
    (tmp_path / "relay-password").write_text("s3cret pass\n")
    site = relay_site(tmp_path / "posta", f'relay_host = "127.0.0.7:{port}"\nrelay_user = "relay-user"\n'
                                          f'relay_password_file = "{tmp_path}/relay-password"\ntls_ca_file = "{ca[0]}"')
    site.start()
    try:
        send(site, "someone@anywhere.example", "authenticated")
        assert wait_until(lambda: len(double.messages) == 1, 20)
        sender, recipients, data = double.messages[0]
        assert (sender, recipients) == ("alice@example.org", ["someone@anywhere.example"])
        assert b"Subject: authenticated" in data
        assert double.auths == ["PLAIN relay-user ok"] and double.tls_sessions == 1
    finally:
        site.stop()
        double.stop()


def test_relay_credentials_never_sent_without_tls(tmp_path: Path):
    port = free_port()
    double = SMTPDouble("127.0.0.8", port, credentials=("relay-user", "pw"))  # no STARTTLS offered
    (tmp_path / "relay-password").write_text("pw\n")
    site = relay_site(tmp_path / "posta", f'relay_host = "127.0.0.8:{port}"\nrelay_user = "relay-user"\n'
                                          f'relay_password_file = "{tmp_path}/relay-password"')
    site.start()
    try:
        send(site, "someone@anywhere.example", "plaintext")
        assert wait_until(lambda: double.sessions >= 1 and site.queue_counts()[1] == 1, 20)
        import time
        time.sleep(1)
        assert double.auths == [] and double.messages == []
    finally:
        site.stop()
        double.stop()

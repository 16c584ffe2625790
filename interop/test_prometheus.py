"""Prometheus metrics (docs/metrics.md): a real Prometheus (Debian's `prometheus`) scrapes
`posta serve`'s `GET /metrics`, `promtool check metrics` finds nothing to say about the
exposition, and the counters Prometheus stores move after mail is sent and users log in. The
endpoint answers only the clients `[metrics] allowed_clients` lists (loopback by default)."""
import http.client
import imaplib
import json
import poplib
import shutil
import smtplib
import ssl
import subprocess
import time
import urllib.parse
from email.message import EmailMessage
from pathlib import Path

import pytest

from conftest import free_port, stop_process, wait_for_port
from loginsite import LoginSite

PASSWORD = "password-123"


class MetricsSite(LoginSite):
    """LoginSite's listeners (SMTP, LMTP, submission, cleartext IMAP and POP3) and an HTTP one."""

    def __init__(self, folder: Path, metrics: str = ""):
        self.http_port = free_port()
        super().__init__(folder, database=f'''
[[listener]]
protocol = "http"
address = "127.0.0.1:{self.http_port}"
[metrics]
refresh_interval = "1s"
{metrics}
''')

    def start(self):
        super().start()
        wait_for_port(self.http_port)
        return self

    def get(self, path: str, source: str = "127.0.0.1") -> tuple[int, str, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10, source_address=(source, 0))
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.getheader("Content-Type") or "", response.read()
        finally:
            conn.close()


def promtool_check(exposition: bytes) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", "check", "metrics"], input=exposition, capture_output=True, timeout=60)


class Prometheus:
    """Prometheus in the foreground on a loopback port, scraping one target every second."""

    def __init__(self, folder: Path, target_port: int):
        self.folder = folder
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "prometheus.yml").write_text(f'''global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: posta
    static_configs:
      - targets: ["127.0.0.1:{target_port}"]
''')
        self.log = open(folder / "prometheus.log", "ab")
        self.proc = subprocess.Popen(
            ["prometheus", f"--config.file={folder / 'prometheus.yml'}", f"--storage.tsdb.path={folder / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self.log, stderr=self.log)
        wait_for_port(self.port, timeout=60)

    def query(self, expression: str) -> list[dict]:
        url = "/api/v1/query?" + urllib.parse.urlencode({"query": expression})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", url)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        if response.status == 503:
            return []  # still starting (TSDB not open yet)
        body = json.loads(raw)
        assert body["status"] == "success", body
        return body["data"]["result"]

    def value(self, expression: str) -> float:
        result = self.query(expression)
        return float(result[0]["value"][1]) if result else 0.0

    def wait_until(self, expression: str, minimum: float, timeout: float = 60.0) -> float:
        deadline = time.monotonic() + timeout
        value = 0.0
        while time.monotonic() < deadline:
            value = self.value(expression)
            if value >= minimum:
                return value
            time.sleep(0.5)
        log = (self.folder / "prometheus.log").read_bytes()[-3000:].decode(errors="replace")
        raise AssertionError(f"{expression} = {value} after {timeout} s, expected >= {minimum}\n{log}")

    def stop(self):
        stop_process(self.proc, timeout=20)


@pytest.fixture
def site(tmp_path):
    s = MetricsSite(tmp_path).seed().start()
    yield s
    s.stop()


def mail(sender: str, recipient: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, recipient, subject
    message["Message-ID"] = f"<{subject.replace(' ', '-')}@example.org>"
    message.set_content("Metrics test.\n")
    return message


def test_prometheus_scrapes_and_sees_the_counters_move(site, tmp_path):
    assert shutil.which("prometheus") and shutil.which("promtool"), "run .ci/install-packages"
    status, content_type, body = site.get("/metrics")
    assert status == 200
    assert content_type.startswith("text/plain; version=0.0.4"), content_type
    checked = promtool_check(body)
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, b"", b""), body.decode()
    assert b"# TYPE posta_messages_delivered_total counter" in body

    prometheus = Prometheus(tmp_path / "prometheus", site.http_port)
    try:
        prometheus.wait_until('up{job="posta"}', 1)
        assert prometheus.value("sum(posta_smtp_transactions_total)") == 0

        # Three messages to local users through port 25, one more through submission with AUTH.
        with smtplib.SMTP("127.0.0.1", site.smtp_port, timeout=30) as smtp:
            for i in range(3):
                smtp.send_message(mail("someone@elsewhere.example", "alice@example.org", f"inbound {i}"))
        with smtplib.SMTP("localhost", site.submission_port, timeout=30) as smtp:
            smtp.starttls(context=ssl.create_default_context(cafile=str(site.cert)))
            smtp.login("bob@example.org", PASSWORD)
            smtp.send_message(mail("bob@example.org", "alice@example.org", "submitted"))
        site.wait_for_messages("alice@example.org", 4)
        # A failed and a good IMAP login, a POP3 session.
        imap = imaplib.IMAP4("127.0.0.1", site.imap_port, timeout=30)
        with pytest.raises(imaplib.IMAP4.error):
            imap.login("alice@example.org", "wrong-password")
        imap.logout()
        imap = imaplib.IMAP4("127.0.0.1", site.imap_port, timeout=30)
        imap.login("alice@example.org", PASSWORD)
        imap.select("INBOX")
        imap.fetch("1:*", "(FLAGS)")
        imap.logout()
        pop = poplib.POP3("127.0.0.1", site.pop3_port, timeout=30)
        pop.user("carol@example.org")
        pop.pass_(PASSWORD)
        pop.stat()
        pop.quit()

        assert prometheus.wait_until('sum(posta_smtp_transactions_total{mode="mx",class="2xx"})', 3) >= 3
        assert prometheus.wait_until('sum(posta_smtp_transactions_total{mode="submission",class="2xx"})', 1) >= 1
        assert prometheus.wait_until('sum(posta_messages_received_total)', 4) >= 4
        assert prometheus.wait_until('sum(posta_messages_delivered_total)', 4) >= 4
        assert prometheus.wait_until('sum(posta_smtp_replies_total{class="2xx"})', 10) >= 10
        assert prometheus.wait_until('sum(posta_authentications_total{protocol="imap",result="success"})', 1) >= 1
        assert prometheus.wait_until('sum(posta_authentications_total{protocol="imap",result="failure"})', 1) >= 1
        assert prometheus.wait_until('sum(posta_authentications_total{protocol="pop3",result="success"})', 1) >= 1
        assert prometheus.wait_until('sum(posta_authentications_total{result="success",protocol=~"smtp|smtps"})', 1) >= 1
        assert prometheus.wait_until('sum(posta_imap_commands_total{command="FETCH"})', 1) >= 1
        assert prometheus.wait_until('sum(posta_imap_command_duration_seconds_count{command="LOGIN"})', 2) >= 2
        assert prometheus.wait_until('sum(posta_pop3_commands_total{command="STAT"})', 1) >= 1
        assert prometheus.wait_until('sum(posta_delivery_latency_seconds_count{destination="local"})', 4) >= 4
        assert prometheus.wait_until('sum(posta_connections_total{protocol="smtp"})', 1) >= 1
        # The database gauges come from the refresher (every second here): alice's four messages.
        assert prometheus.wait_until("posta_store_bytes", 400) >= 400
        assert prometheus.wait_until("posta_database_pool_size", 1) >= 1

        # With every kind of series present, the exposition still passes promtool.
        status, _, body = site.get("/metrics")
        checked = promtool_check(body)
        assert (status, checked.returncode, checked.stdout, checked.stderr) == (200, 0, b"", b""), body.decode()
        # No label carries a user, an address or an IP.
        assert b"example.org" not in body and b"127.0.0.1" not in body
    finally:
        prometheus.stop()


def test_metrics_are_refused_to_clients_not_allowed(tmp_path):
    """The HTTP listener is on 127.0.0.1, but `allowed_clients` names 127.0.0.2 only: a client
    from 127.0.0.1 (the stand-in for any address not listed) gets 403, one from 127.0.0.2 the metrics."""
    site = MetricsSite(tmp_path, metrics='allowed_clients = ["127.0.0.2/32"]').seed().start()
    try:
        status, _, body = site.get("/metrics", source="127.0.0.1")
        assert status == 403 and b"posta_" not in body
        status, _, body = site.get("/metrics", source="127.0.0.2")
        assert status == 200 and b"posta_connections_total" in body
        # Other paths of the listener are not affected.
        assert site.get("/healthz", source="127.0.0.1")[0] in (200, 503)
    finally:
        site.stop()


def test_metrics_can_be_switched_off(tmp_path):
    site = MetricsSite(tmp_path, metrics="enabled = false").seed().start()
    try:
        assert site.get("/metrics")[0] == 404
    finally:
        site.stop()

"""Queue fairness with a tarpit: a raw-socket "MX" on loopback that accepts connections and never
says a word. Mail queued for it must not delay local delivery nor another destination (the queue's
lanes, docs/delivery.md), and the SMTP client's greeting timeout eventually defers it."""
import smtplib
import socket
import threading
import time
from pathlib import Path

import pytest

from conftest import free_port
from smtp_double import SMTPDouble
from test_outbound import start_dnsmasq
from test_outbound_queue import delivery_site, submit, wait_until
from test_submission import PASSWORD, message


class Tarpit:
    """Accepts at most `limit` connections on (address, port) and holds them open silently until stop()."""

    def __init__(self, address: str, port: int, limit: int = 20):
        self.sock = socket.create_server((address, port))
        self.sock.settimeout(0.2)
        self.limit = limit
        self.held: list[socket.socket] = []
        self.accepted = 0
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            if len(self.held) >= self.limit:
                conn.close()
            else:
                self.held.append(conn)

    def stop(self):
        self.running = False
        self.thread.join(timeout=5)
        for conn in self.held:
            conn.close()
        self.sock.close()


ZONE = """local=/tarpit.example/
local=/fast.example/
mx-host=tarpit.example,mx.tarpit.example,10
host-record=mx.tarpit.example,127.0.0.5
mx-host=fast.example,mx.fast.example,10
host-record=mx.fast.example,127.0.0.6
"""


@pytest.mark.serial
def test_tarpit_delays_neither_local_mail_nor_other_domains(tmp_path: Path):
    """Three messages for the tarpit are taken first (its connections hang: greeting timeout 120 s);
    a local message and one for fast.example sent afterwards still arrive within seconds (generous
    bound: 20 s; before the lanes, the local one waited for the tarpit's 5-minute timeouts)."""
    smtp_port = free_port()
    dns_port, dns = start_dnsmasq(tmp_path, ZONE)
    tarpit = Tarpit("127.0.0.5", smtp_port)
    double = SMTPDouble("127.0.0.6", smtp_port)
    site = delivery_site(tmp_path / "posta", dns_port, smtp_port, 'smtp_greeting_timeout = "120s"')
    site.start()
    try:
        submit(site, "victim@tarpit.example", ["stuck-1", "stuck-2", "stuck-3"])
        assert wait_until(lambda: tarpit.accepted >= 1, 20), "Posta never connected to the tarpit"
        time.sleep(0.5)
        started = time.monotonic()
        with smtplib.SMTP("localhost", site.submission_port) as s:
            s.starttls(context=site.context())
            s.login("alice@example.org", PASSWORD)
            s.sendmail("alice@example.org", ["bob@example.org"], message("alice@example.org", "bob@example.org", "local"))
            s.sendmail("alice@example.org", ["dave@fast.example"], message("alice@example.org", "dave@fast.example", "fast"))
        assert wait_until(lambda: len(site.messages("bob@example.org")) == 1, 20), "local mail waited behind the tarpit"
        assert wait_until(lambda: len(double.messages) == 1, 20), "fast.example waited behind the tarpit"
        print(f"local and fast.example delivered {time.monotonic() - started:.2f}s after submission")
        assert tarpit.accepted <= 10  # within max_connections_per_domain
        assert site.queue_counts() == (3, 3)
    finally:
        site.stop()
        tarpit.stop()
        double.stop()
        dns.kill()


def test_tarpit_is_deferred_by_the_greeting_timeout(tmp_path: Path):
    """With smtp_greeting_timeout = 2s a silent MX defers the delivery (retried later), with the
    reason kept in the queue."""
    smtp_port = free_port()
    dns_port, dns = start_dnsmasq(tmp_path, ZONE)
    tarpit = Tarpit("127.0.0.5", smtp_port)
    site = delivery_site(tmp_path / "posta", dns_port, smtp_port, 'smtp_greeting_timeout = "2s"')
    site.start()
    try:
        submit(site, "victim@tarpit.example", ["stuck"])

        def last_error():
            with site.db() as db:
                row = db.execute("SELECT attempts, last_error FROM queue_recipient").fetchone()
            return row if row and row[0] > 0 else None
        assert wait_until(lambda: last_error() is not None, 30), "never deferred"
        attempts, error = last_error()
        assert error.startswith("451 ") and "mx.tarpit.example" in error, error
        assert site.queue_counts() == (1, 1)
    finally:
        site.stop()
        tarpit.stop()
        dns.kill()

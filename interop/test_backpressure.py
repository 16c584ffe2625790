"""Back-pressure (issue #12 item 3): clients that pipeline commands and never read the replies
must not make the server buffer them. Measured on the old code: five POP3 clients pipelining CAPA
grew the server by 450-640 MiB. Each test floods from raw sockets for a few seconds, reads the
server's VmRSS from /proc before and after, and checks that a normal client is still served."""
import imaplib
import poplib
import smtplib
from pathlib import Path

import pytest

from floodsite import PASSWORD, FloodSite, flood

# Growth allowed for a handful of flooding connections: each may hold one socket read of input
# (at most 4 x 64 KiB), the outbound high-water mark (64 KiB) and the replies to one line.
BOUND_KIB = 64 * 1024
SECONDS = 6
USERS = [f"{name}@example.org" for name in ("alice", "bob", "carol", "postmaster", "dave")]


@pytest.fixture
def site(tmp_path: Path):
    s = FloodSite(tmp_path).seed()
    s.posta("user", "add", "dave@example.org", "--password-stdin", stdin=PASSWORD + "\n")
    s.posta("user", "add", "erin@example.org", "--password-stdin", stdin=PASSWORD + "\n")
    s.start()
    yield s
    s.stop()




def test_logged_in_pop3_clients_pipelining_capa_without_reading(site: FloodSite):
    before = site.rss_kib()

    def normal():
        pop = poplib.POP3("127.0.0.1", site.pop3_port, timeout=20)
        pop.user("erin@example.org")
        pop.pass_(PASSWORD)
        count = pop.stat()[0]
        pop.quit()
        return count

    stats = flood(site.pop3_port, "pop3-login", clients=5, seconds=SECONDS, users=USERS, source="127.0.0.1", during=normal)
    grown = site.rss_kib() - before
    assert stats["during"] == 0
    assert stats["sent"] > 0
    assert grown < BOUND_KIB, f"server grew by {grown} KiB while clients sent {stats['sent']} bytes"


def test_logged_in_imap_clients_pipelining_without_reading(site: FloodSite):
    before = site.rss_kib()

    def normal():
        imap = imaplib.IMAP4("127.0.0.1", site.imap_port, timeout=20)
        imap.login("erin@example.org", PASSWORD)
        status = imap.select("INBOX")[0]
        imap.logout()
        return status

    stats = flood(site.imap_port, "imap-login", clients=5, seconds=SECONDS, users=USERS, source="127.0.0.1", during=normal)
    grown = site.rss_kib() - before
    assert stats["during"] == "OK"
    assert grown < BOUND_KIB, f"server grew by {grown} KiB while clients sent {stats['sent']} bytes"


@pytest.mark.parametrize("kind", ["smtp", "policy", "http"])
def test_clients_pipelining_without_reading(site: FloodSite, kind: str):
    port = {"smtp": site.smtp_port, "policy": site.policy_port, "http": site.http_port}[kind]
    before = site.rss_kib()

    def normal():
        with smtplib.SMTP("127.0.0.1", site.smtp_port, timeout=20) as smtp:
            smtp.sendmail("sender@example.net", ["erin@example.org"], b"Subject: meanwhile\r\n\r\nhello\r\n")
        return True

    stats = flood(port, kind, clients=5, seconds=SECONDS, source="127.0.0.1", during=normal)
    grown = site.rss_kib() - before
    assert stats["during"]
    assert grown < BOUND_KIB, f"server grew by {grown} KiB while clients sent {stats['sent']} bytes"
    assert len(site.wait_for_messages("erin@example.org", 1)) == 1

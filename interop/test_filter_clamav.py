"""ClamAV through a real clamd: EICAR refused at SMTP time with the virus name, clean mail
delivered, clamd down → 451 with nothing accepted, and the client's retry accepted later."""
import smtplib
import time
from pathlib import Path

import pytest

from mailsite import MailSite
from scanners import EICAR, Clamd, message


@pytest.fixture
def clamd(tmp_path: Path):
    daemon = Clamd(tmp_path).start()
    yield daemon
    daemon.stop()


@pytest.fixture
def mx(tmp_path: Path, clamd: Clamd):
    site = MailSite(tmp_path, extra_config=f"""
[filter.clamav]
address = "127.0.0.1:{clamd.port}"
timeout = "20s"
""").seed().start()
    yield site
    site.stop()


def send(site: MailSite, data: bytes):
    with smtplib.SMTP("127.0.0.1", site.smtp_port) as s:
        s.ehlo("client.remote.example")
        s.mail("sender@remote.example")
        s.rcpt("alice@example.org")
        return s.data(data)


def test_eicar_is_refused_with_the_virus_name_and_clean_mail_passes(mx: MailSite):
    code, text = send(mx, message("clean", b"Nothing to see here.", "clean1"))
    assert code == 250, text
    virus = send(mx, message("eicar", EICAR, "virus1"))
    assert virus[0] == 554, virus
    assert b"5.7.1" in virus[1] and b"Test.EICAR.Body" in virus[1], virus
    inbox = mx.wait_for_messages("alice@example.org", 1)
    time.sleep(0.5)
    inbox = mx.messages("alice@example.org")
    assert len(inbox) == 1 and b"Subject: clean" in inbox[0]
    assert mx.queue_counts() == (0, 0)
    # Nothing of the refused message stays in the spool.
    assert list((mx.data / "spool" / "tmp").iterdir()) == []


def test_clamd_down_tempfails_and_the_retry_is_accepted(mx: MailSite, clamd: Clamd):
    clamd.stop()
    data = message("retry", b"Scanned once clamd is back.", "retry1")
    code, text = send(mx, data)
    assert code == 451 and b"4.7.1" in text, (code, text)
    assert mx.queue_counts() == (0, 0)
    assert mx.messages("alice@example.org") == []
    clamd.start()
    code, text = send(mx, data)
    assert code == 250, text
    inbox = mx.wait_for_messages("alice@example.org", 1)
    assert len(inbox) == 1 and b"Subject: retry" in inbox[0]


def test_quarantine_action_holds_and_release_delivers(tmp_path: Path, clamd: Clamd):
    site = MailSite(tmp_path / "q", extra_config=f"""
[filter.clamav]
address = "127.0.0.1:{clamd.port}"
action = "quarantine"
""").seed().start()
    try:
        code, text = send(site, message("held", EICAR, "held1"))
        assert code == 250, text
        listed = site.posta("quarantine", "list", "--json")
        import json
        entries = json.loads(listed)
        assert len(entries) == 1 and "Test.EICAR.Body" in entries[0]["reason"]
        assert entries[0]["recipients"] == ["alice@example.org"]
        shown = site.posta("quarantine", "show", entries[0]["id"])
        assert "Subject: held" in shown
        time.sleep(0.5)
        assert site.messages("alice@example.org") == []
        site.posta("quarantine", "release", entries[0]["id"])
        inbox = site.wait_for_messages("alice@example.org", 1)
        assert len(inbox) == 1 and b"Subject: held" in inbox[0] and b"X-Virus-Found: Test.EICAR.Body" in inbox[0]
        assert json.loads(site.posta("quarantine", "list", "--json")) == []
    finally:
        site.stop()

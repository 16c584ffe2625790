"""The daily summary: `posta serve` counts what it accepts and refuses, adds the counts to the
database (every minute and when it stops), `posta summary show` prints a day, and the summary
mail reaches the postmaster — sent by hand, and by the server itself after `send_at`."""
import datetime
import json
import smtplib
import subprocess
import time
from pathlib import Path

import pytest

from conftest import POSTA
from loginsite import LoginSite, PASSWORD


def today() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")


def yesterday() -> str:
    return (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)).strftime("%Y-%m-%d")


def test_counts_and_the_mail_sent_by_hand(tmp_path: Path):
    site = LoginSite(tmp_path).seed().start()
    try:
        with site.submission() as s:
            s.login("alice@example.org", PASSWORD)
            for n in range(3):
                s.sendmail("alice@example.org", ["bob@example.org"], f"From: alice@example.org\r\nSubject: {n}\r\n\r\nx\r\n")
        with site.submission() as s:
            s.login("bob@example.org", PASSWORD)
            s.sendmail("bob@example.org", ["carol@example.org"], b"From: bob@example.org\r\nSubject: b\r\n\r\nx\r\n")
        with smtplib.SMTP("127.0.0.1", site.smtp_port) as s:
            for who in ("nobody1", "nobody2"):
                with pytest.raises(smtplib.SMTPRecipientsRefused):
                    s.sendmail("x@remote.example", [f"{who}@example.org"], b"Subject: x\r\n\r\nx\r\n")
            s.sendmail("x@remote.example", ["carol@example.org"], b"Subject: in\r\n\r\nx\r\n")
        for source in ("127.0.9.1", "127.0.9.1", "127.0.9.2"):
            imap = site.imap(source)
            with pytest.raises(Exception):
                imap.login("carol@example.org", "wrong-password")
            imap.logout()
    finally:
        site.stop()  # the counts of the last minute are written as the server stops
    summary = json.loads(site.posta("summary", "show", "--json", "--day", today()))
    assert summary["submitted"] == 4
    assert summary["topSenders"][:2] == [{"key": "alice@example.org", "count": 3}, {"key": "bob@example.org", "count": 1}]
    assert {"key": "mx", "count": 1} in summary["received"] and {"key": "submission", "count": 4} in summary["received"]
    assert {"key": "mx 550 5.1.1", "count": 2} in summary["topRefusals"], summary["topRefusals"]
    assert summary["failedLogins"] == 3
    assert summary["topFailingClients"][0] == {"key": "127.0.9.1", "count": 2}
    assert summary["queuePeak"] is not None  # sampled at start
    text = site.posta("summary", "show", "--day", today())
    assert "Submitted:      4" in text and "mx 550 5.1.1" in text

    assert "queued the summary" in site.posta("summary", "send", "--day", today())
    again = subprocess.run(
        [POSTA, "summary", "send", "--day", today(), "--config", str(site.config)],
        capture_output=True, text=True)
    assert again.returncode != 0 and "sent before" in again.stderr
    site.start()
    try:
        got = site.wait_for_messages("postmaster@example.org", 1)
        assert len(got) == 1, got
        mail = got[0].decode()
        assert f"Subject: [mx.example.org] Mail summary for {today()}" in mail
        assert "alice@example.org" in mail and "Failed logins:  3" in mail
    finally:
        site.stop()


def test_the_server_sends_yesterdays_summary_once(tmp_path: Path):
    site = LoginSite(tmp_path, database='[summary]\nsend = true\nsend_at = "00:00"\nto = ["alice@example.org"]').seed().start()
    try:
        got = site.wait_for_messages("alice@example.org", 1)
        assert len(got) == 1
        assert f"Mail summary for {yesterday()}" in got[0].decode()
    finally:
        site.stop()
    site.start()  # a restart sends nothing more: the day was claimed
    try:
        time.sleep(2)
        assert len(site.messages("alice@example.org")) == 1
    finally:
        site.stop()

"""The daily summary: `posta serve` counts what it accepts and refuses, adds the counts to the
database (every minute and when it stops), `posta summary show` prints a day, and the summary
mail reaches the postmaster — sent by hand, and by the server itself after `send_at`."""
import datetime
import json
import smtplib
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from conftest import POSTA, free_port, wait_for_port
from consolebrowser import browser, click_and_wait, flash, log_in, no_script_ran, screenshot, shots  # noqa: F401
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


def api(base: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    """A JSON API call: the status and the decoded body (problem details on an error)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + "/api/v1" + path, data=data, method="POST" if data else "GET", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30, context=ssl._create_unverified_context()) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_the_console_and_the_api_show_the_cli_numbers(tmp_path: Path, browser, shots):
    """Real traffic, then /admin/reports/summary (headless Chromium) and GET /api/v1/summary show
    the counts of `posta summary show --json`; the day's mail is sent once from the console, and
    the API answers 409 for it after that."""
    https_port = free_port()
    site = LoginSite(tmp_path, database=f'''
[[listener]]
protocol = "http"
address = "127.0.0.1:{https_port}"
tls = "implicit"
''').seed()
    site.posta("admin", "add", "root", "--role", "superadmin", "--password-stdin", stdin="root-secret-123\n")
    token = site.posta("admin", "token", "add", "root", "summary").strip().splitlines()[-1]
    site.start()
    wait_for_port(https_port)
    base = f"https://localhost:{https_port}"
    try:
        with site.submission() as s:
            s.login("alice@example.org", PASSWORD)
            for n in range(2):
                s.sendmail("alice@example.org", ["bob@example.org"], f"From: alice@example.org\r\nSubject: {n}\r\n\r\nx\r\n")
        with smtplib.SMTP("127.0.0.1", site.smtp_port) as s:
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                s.sendmail("x@remote.example", ["nobody@example.org"], b"Subject: x\r\n\r\nx\r\n")
        imap = site.imap("127.0.9.3")
        with pytest.raises(Exception):
            imap.login("carol@example.org", "wrong-password")
        imap.logout()

        # The API flushes this node's pending counts before reading: then the CLI reads the same rows.
        status, shown = api(base, f"/summary?day={today()}", token)
        assert status == 200
        cli = json.loads(site.posta("summary", "show", "--json", "--day", today()))
        assert cli["submitted"] == 2 and cli["failedLogins"] == 1, cli
        assert {"key": "mx 550 5.1.1", "count": 1} in cli["topRefusals"]
        # The queue is sampled every minute: its peak may move between two reads.
        for summary in (cli, shown):
            summary.pop("queuePeak", None)
        assert shown == cli

        log_in(browser, base, "root", "root-secret-123")
        browser.get(base + "/admin/reports/summary")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Daily summary"
        totals = {key: int(browser.find_element(By.ID, f"total-{key}").text)
                  for key in ("received", "submitted", "refused", "failed-logins", "suspended")}
        assert totals == {"received": sum(c["count"] for c in cli["received"]), "submitted": cli["submitted"],
                          "refused": cli["refused"], "failed-logins": cli["failedLogins"], "suspended": 0}, totals

        def rows(table_id: str) -> list[dict]:
            return [{"key": tr.find_element(By.TAG_NAME, "th").text, "count": int(tr.find_element(By.TAG_NAME, "td").text)}
                    for tr in browser.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr")]
        assert rows("summary-senders") == cli["topSenders"]
        assert rows("summary-refusals") == cli["topRefusals"]
        assert rows("summary-clients") == cli["topFailingClients"]
        assert sorted(rows("summary-received"), key=lambda r: r["key"]) == cli["received"]
        no_script_ran(browser)
        screenshot(browser, shots, "summary-today")

        # Send today's mail from the page: once; the API then says it was sent before.
        click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()=\"Send this day's summary mail now\"]"))
        assert "is queued" in flash(browser)
        click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()=\"Send this day's summary mail now\"]"))
        assert "was sent before" in flash(browser)
        screenshot(browser, shots, "summary-sent-before")
        status, problem = api(base, "/summary/send", token, {"day": today()})
        assert status == 409 and "sent before" in problem["detail"], problem
        status, sent = api(base, "/summary/send", token, {"day": today(), "again": True})
        assert status == 200 and sent == {"day": today(), "again": True, "queued": True}
        got = site.wait_for_messages("postmaster@example.org", 2)
        assert all(f"Mail summary for {today()}" in m.decode() for m in got)
        audit = json.loads(site.posta("audit", "list", "--action", "summary.send", "--json"))
        assert [(r["channel"], r["target"]) for r in audit["entries"]] == [("api", today()), ("web", today())], audit
    finally:
        site.stop()

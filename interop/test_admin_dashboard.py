"""The dashboard's charts against real traffic: Posta receives mail on MX (two accepted, one
refused unknown recipient), takes a submission, queues a message it cannot deliver yet, and
serves IMAP logins (one good, one wrong password); the dashboard in headless Chromium then shows
those counts in its charts' tables, the API returns the same numbers, and screenshots are taken
at desktop and phone widths."""
import smtplib
import time

import pytest
from selenium.webdriver.common.by import By

from consolebrowser import browser, log_in, no_script_ran, screenshot, shots  # noqa: F401 (fixtures)
from consolesite import ConsoleSite
from policysite import refusal, send_authenticated, send_plain

ROOT_PASSWORD = "root-secret-123"
MAIL_PASSWORD = "password-123"


@pytest.fixture
def site(tmp_path):
    site = ConsoleSite(tmp_path)
    site.seed()
    site.posta("admin", "add", "root", "--role", "superadmin", "--password-stdin", stdin=ROOT_PASSWORD + "\n")
    site.start()
    yield site
    site.stop()


def table(driver, figure_id: str) -> dict[str, dict[str, int]]:
    """A chart's data table as {row header: {column header: number}} (the table sits in a closed
    <details>, so it is read through textContent)."""
    return driver.execute_script("""
        const figure = document.getElementById(arguments[0]);
        if (!figure) return null;
        const header = [...figure.querySelectorAll('thead th')].map(th => th.textContent.trim());
        const rows = {};
        for (const tr of figure.querySelectorAll('tbody tr')) {
          const cells = {};
          [...tr.querySelectorAll('td')].forEach((td, i) => { cells[header[i + 1]] = Number(td.textContent.trim()); });
          rows[tr.querySelector('th').textContent.trim()] = cells;
        }
        return rows;""", figure_id)


def test_dashboard_charts_show_the_traffic(site, browser, shots):
    # Mail: two accepted on MX, one refused (unknown recipient), one submission for a local
    # account and one for a remote address (queued: no DNS answers here, so it is deferred).
    for subject in ("one", "two"):
        send_plain(site.smtp_port, "mail.remote.example", "someone@remote.example", "bob@example.org", subject)
    code, text = refusal(lambda: send_plain(site.smtp_port, "mail.remote.example", "someone@remote.example",
                                            "nobody@example.org"))
    assert code == 550 and "5.1.1" in text, (code, text)
    send_authenticated(site.submission_port, "alice@example.org", MAIL_PASSWORD, "alice@example.org",
                       "bob@example.org", "submitted", tls=True)
    send_authenticated(site.submission_port, "alice@example.org", MAIL_PASSWORD, "alice@example.org",
                       "friend@remote.example", "far away", tls=True)
    assert site.imap_login("carol@example.org", MAIL_PASSWORD)
    assert not site.imap_login("carol@example.org", "wrong-password")
    assert len(site.wait_for_messages("bob@example.org", 3)) == 3

    token = site.posta("admin", "token", "add", "root", "dashboard").strip().splitlines()[-1]
    # The queue is sampled once a minute (at start, then every 60 s): wait for the sample that
    # sees the remote message waiting, and for its deferral to be recorded.
    deadline = time.monotonic() + 90
    while True:
        data = site.api("/api/v1/dashboard?window=hour", token)
        traffic = data["traffic"]
        peaks = [sample["peak"] for sample in traffic["queue_size"]]
        sent = {series["key"]: series["total"] for series in traffic["sent"]}
        if (peaks and max(peaks) >= 1 and sent.get("deferred", 0) >= 1) or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert peaks and max(peaks) >= 1, traffic["queue_size"]

    # The API's numbers.
    received = {series["key"]: series["total"] for series in traffic["received"]}
    assert received == {"mx": 2, "submission": 2}, received
    assert sent.get("local") == 3 and sent.get("deferred", 0) >= 1, sent
    refused = {series["key"]: series for series in traffic["refused"]}
    assert refused["mx 550 5.1.1"]["total"] == 1 and refused["mx 550 5.1.1"]["label"] == "bad destination mailbox address"
    logins = {entry["protocol"]: (entry["succeeded"], entry["failed"]) for entry in traffic["logins"]}
    assert logins["imap"] == (1, 1) and logins["smtps"] == (2, 0), logins
    assert traffic["top_senders"] == [{"key": "alice@example.org", "value": 2}]
    assert {"key": "127.0.0.1", "value": 1} in traffic["top_refused_clients"], traffic["top_refused_clients"]
    assert len(traffic["buckets"]) == 60 and traffic["bucket_seconds"] == 60

    # The same numbers in the charts' tables.
    driver = browser
    log_in(driver, site.base, "root", ROOT_PASSWORD)
    driver.get(site.base + "/admin?window=hour")
    assert driver.find_element(By.CSS_SELECTOR, ".window-select a[aria-current=page]").text == "Last hour"
    assert driver.find_element(By.ID, "total-received").text == "4"
    assert table(driver, "chart-received")["Total"] == {"Inbound (MX)": 2, "Submission": 2, "Total": 4}
    delivered = table(driver, "chart-sent")["Total"]
    assert delivered["Delivered locally"] == 3 and delivered["Deferred"] == sent["deferred"], delivered
    refused_rows = table(driver, "chart-refused")["Total"]
    assert refused_rows["mx 550 5.1.1 · bad destination mailbox address"] == 1, refused_rows
    login_rows = table(driver, "chart-logins")
    assert login_rows["imap"] == {"Succeeded": 1, "Failed": 1, "Total": 2}, login_rows
    assert login_rows["smtps"]["Succeeded"] == 2  # SMTP AUTH after STARTTLS
    assert login_rows["web"]["Succeeded"] == 1  # this console login
    assert table(driver, "chart-senders") == {"alice@example.org": {"Messages": 2}}
    assert table(driver, "chart-clients")["127.0.0.1"] == {"Refusals": 1}
    assert table(driver, "chart-queue")["Peak"]["Queued messages"] == max(peaks)
    # Every chart is an image named by its title and description.
    for svg in driver.find_elements(By.CSS_SELECTOR, "svg.chart-svg"):
        assert svg.get_attribute("role") == "img"
        ids = svg.get_attribute("aria-labelledby").split()
        assert all(driver.find_element(By.ID, i).get_attribute("textContent") for i in ids)
    no_script_ran(driver)
    screenshot(driver, shots, "dashboard-hour")
    driver.find_element(By.CSS_SELECTOR, "#chart-received details summary").click()
    screenshot(driver, shots, "dashboard-hour-numbers")

    # The day and week windows, by hour: the same totals.
    for window, label in (("day", "Last 24 hours"), ("week", "Last 7 days")):
        driver.find_element(By.LINK_TEXT, label).click()
        assert driver.current_url.endswith(f"/admin?window={window}")
        assert table(driver, "chart-received")["Total"]["Total"] == 4
        assert site.api(f"/api/v1/dashboard?window={window}", token)["traffic"]["bucket_seconds"] == 3600
    screenshot(driver, shots, "dashboard-week")
    driver.find_element(By.LINK_TEXT, "Last 24 hours").click()
    screenshot(driver, shots, "dashboard-day")

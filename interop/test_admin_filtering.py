"""The quarantine, filter settings and self-service spam pages in a real headless browser, over a
site with real scanners: clamd (one-signature EICAR database, `action = "quarantine"`) holds two
messages; the superadmin sees the first with its hostile Subject shown as text, releases it (it
arrives in alice's INBOX, read over IMAP) and deletes the other. SpamAssassin's spamd (GTUBE)
with `junk = false` flags spam into INBOX; alice turns Junk delivery on and lowers her threshold
on /admin/me, and the next GTUBE message arrives in her Junk folder (IMAP). Screenshots of every
page at desktop and phone widths go to the folder printed in the test output."""
import imaplib
import json
import smtplib
import ssl
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import free_port, wait_for_port
from consolebrowser import (  # noqa: F401 (browser and shots are fixtures)
    browser, click_and_wait, flash, log_in, log_out, no_script_ran, screenshot, shots, submit)
from mailsite import MailSite
from scanners import EICAR, GTUBE, Clamd, Spamd, message

ROOT_PASSWORD = "root-secret-123"
# Would set window.pwned if the browser ran it as markup.
HOSTILE_SUBJECT = '<script>window.pwned=1</script>"><img src=x onerror="window.pwned=2">'


@pytest.fixture
def site(tmp_path: Path):
    clamd = Clamd(tmp_path).start()
    spamd = Spamd(tmp_path).start()
    imap_port, https_port = free_port(), free_port()
    mx = MailSite(tmp_path, extra_config=f"""
[[listener]]
protocol = "imap"
address = "127.0.0.1:{imap_port}"
[[listener]]
protocol = "http"
address = "127.0.0.1:{https_port}"
tls = "implicit"
[filter.clamav]
address = "127.0.0.1:{clamd.port}"
timeout = "30s"
action = "quarantine"
[filter.spamassassin]
address = "127.0.0.1:{spamd.port}"
timeout = "60s"
junk = false
""").seed()
    mx.posta("admin", "add", "root", "--role", "superadmin", "--name", "Root Admin", "--password-stdin",
             stdin=ROOT_PASSWORD + "\n")
    mx.start()
    wait_for_port(imap_port)
    wait_for_port(https_port)
    mx.imap_port = imap_port
    try:
        yield mx, f"https://localhost:{https_port}"
    finally:
        mx.stop()
        spamd.stop()
        clamd.stop()


def send(mx: MailSite, data: bytes, recipient: str) -> int:
    with smtplib.SMTP("127.0.0.1", mx.smtp_port) as s:
        s.ehlo("client.remote.example")
        s.mail("sender@remote.example")
        s.rcpt(recipient)
        return s.data(data)[0]


def imap_subjects(mx: MailSite, address: str, mailbox: str) -> list[str]:
    """The Subject fields of a mailbox as an IMAP client reads them."""
    with imaplib.IMAP4("127.0.0.1", mx.imap_port) as imap:
        imap.starttls(ssl.create_default_context(cafile=str(mx.cert)))
        imap.login(address, "password-123")
        status, _ = imap.select(f'"{mailbox}"', readonly=True)
        assert status == "OK", mailbox
        _, data = imap.search(None, "ALL")
        subjects = []
        for number in data[0].split():
            _, parts = imap.fetch(number, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            subjects.append(parts[0][1].decode().strip().removeprefix("Subject: "))
        return subjects


def wait_until(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def quarantine_ids(mx: MailSite) -> list[str]:
    return [e["id"] for e in json.loads(mx.posta("quarantine", "list", "--json"))]


def test_quarantine_filters_and_self_service(site, browser, shots):
    mx, base = site
    driver = browser

    # Two infected messages are held (250 to the client, nothing delivered).
    assert send(mx, message(HOSTILE_SUBJECT, EICAR, "virus1"), "alice@example.org") == 250
    assert send(mx, message("second virus", EICAR, "virus2"), "bob@example.org") == 250
    held = wait_until(lambda: len(quarantine_ids(mx)) == 2 and quarantine_ids(mx))
    assert held, "two messages should be quarantined"
    assert mx.messages("alice@example.org") == [] and mx.messages("bob@example.org") == []

    log_in(driver, base, "root", ROOT_PASSWORD)
    nav = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "nav.sidebar a")]
    assert "Quarantine" in nav and "Filter settings" in nav
    driver.get(base + "/admin/quarantine")
    rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == 2
    assert "virus: Test.EICAR.Body" in driver.find_element(By.TAG_NAME, "table").text
    no_script_ran(driver)
    screenshot(driver, shots, "quarantine-list")

    # The filters narrow the list.
    driver.get(base + "/admin/quarantine?recipient=bob")
    assert len(driver.find_elements(By.CSS_SELECTOR, "tbody tr")) == 1
    bob_id = driver.find_element(By.CSS_SELECTOR, "tbody input[name=id]").get_attribute("value")
    alice_id = next(i for i in held if i != bob_id)

    # The hostile message: its Subject and verdict shown as text.
    driver.get(base + "/admin/quarantine/" + alice_id)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Held message"
    facts = driver.find_element(By.CSS_SELECTOR, ".facts").text
    assert HOSTILE_SUBJECT in facts and "virus: Test.EICAR.Body" in facts
    header_text = driver.find_elements(By.CSS_SELECTOR, "table.header-fields")[-1].text
    assert HOSTILE_SUBJECT in header_text and "Message-ID" in header_text
    assert "X-Virus-Found" in driver.find_elements(By.CSS_SELECTOR, "table.header-fields")[0].text
    no_script_ran(driver)
    screenshot(driver, shots, "quarantine-message")
    click_and_wait(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Release and deliver']"))
    assert "Released 1 message" in flash(driver)
    assert wait_until(lambda: imap_subjects(mx, "alice@example.org", "INBOX")) == [HOSTILE_SUBJECT]

    # The other one: ticked and deleted with the bulk form.
    driver.get(base + "/admin/quarantine")
    driver.find_element(By.CSS_SELECTOR, f"input[name=id][value='{bob_id}']").click()
    Select(driver.find_element(By.ID, "bulk-action")).select_by_value("delete")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "#bulk button[type=submit]"))
    assert "Deleted 1 message" in flash(driver)
    assert quarantine_ids(mx) == []
    assert "The quarantine is empty." in driver.find_element(By.CSS_SELECTOR, ".empty").text
    screenshot(driver, shots, "quarantine-empty")
    time.sleep(1)
    assert imap_subjects(mx, "bob@example.org", "INBOX") == []

    # Filter settings: a domain setting, then bob's own; bob's row shows what he inherits.
    driver.get(base + "/admin/filters")
    submit(driver, "/admin/filters/set", {"scope": "@example.org", "rejectThreshold": "5000"})
    assert "Spam settings of @example.org saved" in flash(driver)
    submit(driver, "/admin/filters/set", {"scope": "bob@example.org", "junkThreshold": "8", "junk": "on"})
    assert "bob@example.org" in flash(driver)
    rows = {r.find_element(By.TAG_NAME, "th").text: r.text for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert "5000 (inherited)" in rows["bob@example.org"] and "into Junk" in rows["bob@example.org"]
    submit(driver, "/admin/filters/set", {"scope": "@example.org", "junkThreshold": "9000", "rejectThreshold": "10"})
    assert "not be below" in driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
    driver.get(base + "/admin/filters")
    screenshot(driver, shots, "filters")
    listed = json.loads(mx.posta("filter", "settings", "list", "--json"))
    assert {e["scope"] for e in listed} == {"@example.org", "bob@example.org"}
    audit = json.loads(mx.posta("audit", "list", "--json"))["entries"]
    actions = [e["action"] for e in audit]
    assert "quarantine.release" in actions and "quarantine.delete" in actions and "filter.settings.set" in actions
    log_out(driver)

    # Alice: with the site's `junk = false`, GTUBE lands flagged in her INBOX...
    assert send(mx, message("first spam", GTUBE, "spam1"), "alice@example.org") == 250
    assert wait_until(lambda: "first spam" in imap_subjects(mx, "alice@example.org", "INBOX"))
    # ...until she turns Junk delivery on and sets her threshold on her own page.
    log_in(driver, base, "alice@example.org", "password-123")
    driver.get(base + "/admin/me")
    assert driver.find_element(By.CSS_SELECTOR, "#spam h2").text == "Spam"
    submit(driver, "/admin/me/spam", {"junkThreshold": "4.5", "junk": "on"})
    assert "spam settings are saved" in flash(driver)
    assert driver.find_element(By.ID, "spam-threshold").get_attribute("value") == "4.5"
    no_script_ran(driver)
    screenshot(driver, shots, "me-spam")
    own = {e["scope"]: e["settings"] for e in json.loads(mx.posta("filter", "settings", "list", "--json"))}
    assert own["alice@example.org"] == {"junkThreshold": 4.5, "junk": True}
    assert send(mx, message("second spam", GTUBE, "spam2"), "alice@example.org") == 250
    assert wait_until(lambda: imap_subjects(mx, "alice@example.org", "Junk")) == ["second spam"]
    assert sorted(imap_subjects(mx, "alice@example.org", "INBOX")) == sorted([HOSTILE_SUBJECT, "first spam"])
    # A mail user has no way to the administrators' pages.
    driver.get(base + "/admin/filters")
    assert "403" in driver.page_source or "not allowed" in driver.page_source.lower()

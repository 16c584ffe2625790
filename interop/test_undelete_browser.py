"""Undelete through the pages (issue #21), in headless Chromium: a message expunged over IMAP is
listed on the console's "Deleted messages" page of the account, where a helpdesk administrator
restores it, and on the webmail's "Recently deleted" page, where the user restores one; each time
IMAP sees the message back in its folder with its flags. Screenshots at desktop and phone widths go
to the folders printed in the test output."""
import re
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from consolebrowser import (  # noqa: F401 (browser and shots are fixtures)
    browser, click_and_wait, flash, log_in, screenshot, shots)
from consolesite import ConsoleSite
from webmailbrowser import deliver, imap_client, mail_shots, webmail_login  # noqa: F401 (mail_shots is a fixture)

ALICE = "alice@example.org"
HELPDESK_PASSWORD = "help-secret-123"


@pytest.fixture
def site(tmp_path: Path):
    s = ConsoleSite(tmp_path, extra_config='[store]\nundelete_retention = "14d"\n').seed()
    s.posta("admin", "add", "hal", "--role", "helpdesk", "--name", "Hal", "--password-stdin",
            stdin=HELPDESK_PASSWORD + "\n")
    s.start()
    yield s
    s.stop()


def expunge_over_imap(site: ConsoleSite, subjects: list[str], folder: str = "INBOX") -> None:
    """Delivers one message per subject to Alice, moves them to `folder`, flags them
    `\\Flagged`, and expunges them."""
    for subject in subjects:
        message = f"From: Bob <bob@example.net>\r\nTo: {ALICE}\r\nSubject: {subject}\r\n\r\nbody\r\n"
        deliver(site, ALICE, message.encode())
    imap = imap_client(site, ALICE)
    for _ in range(100):
        imap.select("INBOX")
        if len(uids(imap)) >= len(subjects):
            break
        imap.close()
        time.sleep(0.1)
    if folder != "INBOX":
        imap.create(folder)
        assert imap.uid("MOVE", "1:*", folder)[0] == "OK"
        imap.select(folder)
    assert imap.uid("STORE", "1:*", "+FLAGS", r"(\Flagged \Deleted)")[0] == "OK"
    imap.expunge()
    assert uids(imap) == {}
    imap.logout()


def uids(imap) -> dict[int, tuple[set[str], str]]:
    """The selected folder's messages: UID → (flags, subject)."""
    typ, data = imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK"
    out = {}
    for item in data:
        if isinstance(item, tuple) and (m := re.search(rb"UID (\d+).*FLAGS \(([^)]*)\)", item[0])):
            subject = item[1].decode().split(":", 1)[1].strip() if b":" in item[1] else ""
            out[int(m.group(1))] = (set(m.group(2).decode().split()), subject)
    return out


def folder_subjects(site: ConsoleSite, folder: str) -> dict[str, set[str]]:
    """Subject → flags (but the session's `\\Recent`) of Alice's `folder`, over IMAP."""
    imap = imap_client(site, ALICE)
    imap.select(folder)
    found = {subject: flags - {"\\Recent"} for flags, subject in uids(imap).values()}
    imap.logout()
    return found


def test_helpdesk_restores_on_the_console(site: ConsoleSite, browser, shots):
    expunge_over_imap(site, ["Quarterly budget", "Team lunch"])
    driver = browser
    log_in(driver, site.base, "hal", HELPDESK_PASSWORD)
    driver.get(site.base + "/admin/account?address=alice%40example.org")
    screenshot(driver, shots, "undelete-00-console-account")
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Deleted messages"))
    assert "/admin/account/deleted?address=alice%40example.org" in driver.current_url
    rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.deleted-table tbody tr")]
    assert len(rows) == 2 and any("Quarterly budget" in r for r in rows) and any("Team lunch" in r for r in rows), rows
    assert "kept for 14 days" in driver.page_source
    screenshot(driver, shots, "undelete-01-console-deleted")

    row = next(r for r in driver.find_elements(By.CSS_SELECTOR, "table.deleted-table tbody tr")
               if "Quarterly budget" in r.text)
    row.find_element(By.CSS_SELECTOR, "input[name=id]").click()
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "button[name=scope][value=ticked]"))
    assert flash(driver) == "Restored 1 message to INBOX."
    rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.deleted-table tbody tr")]
    assert len(rows) == 1 and "Team lunch" in rows[0], rows
    screenshot(driver, shots, "undelete-02-console-restored")

    inbox = folder_subjects(site, "INBOX")
    assert inbox == {"Quarterly budget": {"\\Flagged"}}, inbox


def test_user_restores_on_the_webmail(site: ConsoleSite, browser, mail_shots):
    expunge_over_imap(site, ["Holiday photos", "Train tickets"], folder="Trips")
    driver = browser
    webmail_login(driver, site.base, ALICE)
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Recently deleted"))
    assert driver.current_url == site.base + "/mail/deleted"
    rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, ".deleted-list .message-row")]
    assert len(rows) == 2 and all("Trips" in r for r in rows), rows
    assert "kept for 14 days" in driver.page_source
    screenshot(driver, mail_shots, "undelete-01-webmail-deleted")

    # The folder filter, then restore one ticked message.
    driver.get(site.base + "/mail/deleted?folder=Trips")
    row = next(r for r in driver.find_elements(By.CSS_SELECTOR, ".deleted-list .message-row")
               if "Train tickets" in r.text)
    row.find_element(By.CSS_SELECTOR, "input[name=id]").click()
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "button[name=scope][value=ticked]"))
    assert flash(driver) == "Restored 1 message to Trips."
    assert driver.current_url == site.base + "/mail/deleted?folder=Trips"
    screenshot(driver, mail_shots, "undelete-02-webmail-restored")
    assert folder_subjects(site, "Trips") == {"Train tickets": {"\\Flagged"}}

    # The rest of the folder at once.
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "button[name=scope][value=folder]"))
    assert flash(driver) == "Restored 1 message to Trips."
    assert "No recently deleted message from this folder." in driver.page_source
    assert folder_subjects(site, "Trips") == {"Train tickets": {"\\Flagged"}, "Holiday photos": {"\\Flagged"}}

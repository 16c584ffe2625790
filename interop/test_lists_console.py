"""Mailing lists in the admin console, in a real headless browser (Debian's chromium through
chromium-driver): a superadmin creates a list, adds members, changes a setting and a member, reads
a post held from a non-member and approves it from the held page; the post reaches the members
(read over IMAP). Screenshots of each page at desktop (1366x900) and phone (390x844) widths go to
the folder printed in the test output."""
import json
import smtplib
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from consolebrowser import (  # noqa: F401 (browser and shots are fixtures)
    browser, click_and_wait, flash, log_in, no_script_ran, screenshot, shots, submit)
from consolesite import ConsoleSite
from test_lists import held, imap_messages, message, post, wait_for

ROOT_PASSWORD = "root-secret-123"
HOSTILE_SUBJECT = '<img src=x onerror="window.pwned=1"> Question from outside'


@pytest.fixture
def site(tmp_path: Path):
    site = ConsoleSite(tmp_path).seed()
    site.posta("admin", "add", "root", "--role", "superadmin", "--name", "Root", "--password-stdin",
               stdin=ROOT_PASSWORD + "\n")
    site.start()
    try:
        yield site
    finally:
        site.stop()


def test_owner_pages_create_a_list_add_members_and_approve_a_held_post(site, browser, shots):
    driver = browser
    base = site.base
    log_in(driver, base, "root", ROOT_PASSWORD)
    nav = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "nav.sidebar a")]
    assert "Lists" in nav and nav.index("Lists") == nav.index("Aliases") + 1

    driver.get(base + "/admin/lists")
    assert driver.find_element(By.CSS_SELECTOR, ".empty").text == "No mailing lists yet."
    screenshot(driver, shots, "lists-01-empty")
    submit(driver, "/admin/lists/add", {"address": "dept@example.org", "name": "Dept",
                                         "owner": "Head <postmaster@example.org>", "style": "discussion"})
    assert flash(driver) == "List dept@example.org created."
    assert driver.find_element(By.TAG_NAME, "h1").text == "dept@example.org"

    submit(driver, "/admin/list/members/add", {
        "addresses": "alice@example.org\nBob Builder <bob@example.org>\ncarol@example.org,Carol\nnot an address"})
    assert flash(driver).startswith("Added 3 members; 1 refused")
    rows = driver.find_elements(By.CSS_SELECTOR, ".members-table tbody tr")
    assert len(rows) == 4  # the owner and three members
    assert "Bob Builder" in driver.find_element(By.CSS_SELECTOR, ".members-table").text

    # A member's digest mode, through the row's own form (opened from its <details>).
    row = [r for r in rows if "carol@example.org" in r.text][0]
    row.find_element(By.CSS_SELECTOR, "details summary").click()
    form = row.find_element(By.CSS_SELECTOR, "form[action='/admin/list/members/set']")
    form.find_element(By.CSS_SELECTOR, "select[name=mode] option[value=plain-digest]").click()
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "carol@example.org: delivery on (plain-digest)" in flash(driver)
    members = {m["address"]: m for m in json.loads(
        site.posta("list", "member", "list", "dept@example.org", "--json"))}
    assert members["carol@example.org"]["mode"] == "plain-digest"

    # A setting: the subject prefix, as `posta list show` then tells.
    prefix = driver.find_element(By.ID, "set-prefix")
    prefix.clear()
    prefix.send_keys("[Dept]")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/admin/list/settings'] button[type=submit]"))
    assert flash(driver) == "Settings of dept@example.org saved."
    assert "[Dept]" in site.posta("list", "show", "dept@example.org")
    screenshot(driver, shots, "lists-02-list")

    # A post from a non-member of a discussion list is held.
    post(site, "stranger@example.net", message("stranger@example.net", HOSTILE_SUBJECT))
    wait_for(lambda: len(held(site)) == 1)
    driver.get(base + "/admin/lists")
    assert "1 held" in driver.find_element(By.TAG_NAME, "table").text
    no_script_ran(driver)
    screenshot(driver, shots, "lists-03-index")
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, "1 held"))
    assert HOSTILE_SUBJECT in driver.find_element(By.CSS_SELECTOR, ".held-table").text
    assert "not a member" in driver.find_element(By.CSS_SELECTOR, ".held-table .reason").text
    no_script_ran(driver)
    screenshot(driver, shots, "lists-04-held")

    # Its header and text, then approval from its page.
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".held-table tbody th a"))
    assert "Hello list" in driver.find_element(By.CSS_SELECTOR, "pre.held-text").text
    assert "stranger@example.net" in driver.find_element(By.CSS_SELECTOR, "table.header-fields").text
    no_script_ran(driver)
    screenshot(driver, shots, "lists-05-held-post")
    click_and_wait(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Approve']"))
    assert flash(driver) == "Approved: the post goes to the members."
    assert driver.find_element(By.CSS_SELECTOR, ".empty").text == "No post is held."
    assert held(site) == []
    [copy] = imap_messages(site, "bob@example.org", 1)
    assert copy["Subject"] == "[Dept] " + HOSTILE_SUBJECT
    assert copy["List-Id"] == "Dept <dept.example.org>"

    # A second held post, rejected with a reason from the list of held posts: the author is told.
    post(site, "stranger@example.net", message("stranger@example.net", "Second try"))
    wait_for(lambda: len(held(site)) == 1)
    driver.get(base + "/admin/list/held?address=dept%40example.org")
    form = driver.find_element(By.CSS_SELECTOR, ".held-table form.reject-form")
    form.find_element(By.NAME, "reason").send_keys("off topic")
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert flash(driver) == "Rejected: the author is told why."
    assert held(site) == []
    audit = site.posta("audit", "list", "--action", "list.held.reject")
    assert "dept@example.org" in audit

    # Bans and header rules, on their own page; a banned sender's post reaches nobody.
    driver.get(base + "/admin/list?address=dept%40example.org")
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Bans and rules"))
    submit(driver, "/admin/list/bans/add", {"pattern": "stranger@example.net"})
    assert flash(driver) == "Banned stranger@example.net."
    submit(driver, "/admin/list/rules/add", {"field": "Subject", "pattern": "casino", "action": "discard"})
    assert flash(driver).startswith("Rule ")
    no_script_ran(driver)
    screenshot(driver, shots, "lists-07-rules")
    rules = json.loads(site.posta("list", "rule", "list", "dept@example.org", "--json"))
    assert [(r["field"], r["pattern"], r["action"]) for r in rules] == [("Subject", "casino", "discard")]
    post(site, "stranger@example.net", message("stranger@example.net", "Third try"))
    post(site, "alice@example.org", message("alice@example.org", "Casino night"))
    post(site, "alice@example.org", message("alice@example.org", "Plain news"))
    subjects = [m["Subject"] for m in imap_messages(site, "bob@example.org", 2)]
    assert subjects == ["[Dept] " + HOSTILE_SUBJECT, "[Dept] Plain news"]
    assert held(site) == []

    # Deleting asks first, on its own page.
    driver.get(base + "/admin/list?address=dept%40example.org")
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Delete list…"))
    assert "Delete dept@example.org for good?" in driver.find_element(By.TAG_NAME, "h2").text
    screenshot(driver, shots, "lists-06-delete")
    click_and_wait(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Delete dept@example.org']"))
    assert flash(driver) == "List dept@example.org deleted."
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        post(site, "alice@example.org", message("alice@example.org", "Anyone?"))

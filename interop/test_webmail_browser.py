"""Webmail in a real headless Chromium (Selenium), against a running Posta: log in, read a plain
and an HTML message (remote content blocked until asked for, proved by a recording proxy that
every non-loopback request goes to), download an attachment and compare its bytes, search, reply
with an attachment (the recipient reads it over IMAP), save and resume a draft, move and delete
(an IDLEing IMAP client sees it), see mail delivered over SMTP and a move made over IMAP appear
without a reload, and a second browser session see the same. Screenshots of every screen at
desktop and phone widths go to a folder printed in the test output."""
import imaplib
import os
import ssl
import threading
import urllib.error
import urllib.request
from email.message import EmailMessage
from pathlib import Path

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from consolebrowser import click_and_wait, screenshot
from webmailbrowser import (  # noqa: F401 (fixtures)
    PASSWORD, deliver, header_of, imap_client, imap_idle_until, mail_shots, mail_site, make_browser, open_message,
    remote_hosts, row_subjects, select_row, session_cookie, wait_until, webmail_browser, webmail_login)

ATTACHMENT = os.urandom(48 * 1024)


def fetch(base: str, path: str, cookie: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=30, context=ssl._create_unverified_context()) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def seed(site) -> dict[str, str]:
    """Three messages for alice: plain from bob, HTML with an inline and a remote image, one with an attachment."""
    plain = EmailMessage()
    plain["From"], plain["To"], plain["Subject"] = "Bob <bob@example.org>", "alice@example.org", "Lunch on Friday"
    plain["Message-ID"] = "<lunch@example.org>"
    plain.set_content("Hi Alice,\n\nlunch on Friday? The menu: https://example.net/menu\n\nBob\n")
    deliver(site, "alice@example.org", plain.as_bytes(), sender="bob@example.org")

    html = EmailMessage()
    html["From"], html["To"], html["Subject"] = "News <news@example.net>", "alice@example.org", "December newsletter"
    html.set_content("text version")
    html.add_alternative(
        '<html><body><h1 style="color:#2450c7">December</h1><p id="greeting">Hello <b>Alice</b>,'
        ' <a href="https://example.net/story">read more</a>.</p><img src="cid:logo@news">'
        '<img src="http://tracker.example.net/open.gif?u=alice"></body></html>', subtype="html")
    html.get_payload()[1].add_related(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e0a1b0e50000000049454e44ae426082"),
        maintype="image", subtype="png", cid="<logo@news>")
    deliver(site, "alice@example.org", html.as_bytes())

    report = EmailMessage()
    report["From"], report["To"], report["Subject"] = "Carol <carol@example.org>", "alice@example.org", "Quarterly report"
    report.set_content("The report is attached.")
    report.add_attachment(ATTACHMENT, maintype="application", subtype="octet-stream", filename="Bericht März.bin")
    deliver(site, "alice@example.org", report.as_bytes(), sender="carol@example.org")
    return {"plain": "Lunch on Friday", "html": "December newsletter", "report": "Quarterly report"}


def test_webmail_end_to_end(mail_site, webmail_browser, remote_hosts, mail_shots, tmp_path):
    site, driver, base = mail_site, webmail_browser, mail_site.base
    subjects = seed(site)
    site.wait_for_messages("alice@example.org", 3)

    driver.get(base + "/mail")
    assert driver.current_url == base + "/mail/login"
    screenshot(driver, mail_shots, "01-login")
    webmail_login(driver, base, "alice@example.org")
    assert set(row_subjects(driver)) == set(subjects.values())
    screenshot(driver, mail_shots, "02-inbox")

    # A plain message: text shown as text, its link made clickable, opened in a new tab without referrer.
    open_message(driver, subjects["plain"])
    body = driver.find_element(By.CSS_SELECTOR, ".plain-body")
    assert "lunch on Friday?" in body.text
    link = body.find_element(By.TAG_NAME, "a")
    assert link.get_attribute("href") == "https://example.net/menu"
    assert link.get_attribute("rel") == "noreferrer noopener"
    screenshot(driver, mail_shots, "03-plain-message")

    # An HTML message: sanitised in a sandboxed frame; the inline image shown, the remote one blocked.
    driver.get(base + "/mail")
    remote_hosts.take()
    open_message(driver, subjects["html"])
    assert "were blocked" in driver.find_element(By.CSS_SELECTOR, ".remote-banner").text
    frame = driver.find_element(By.CSS_SELECTOR, "iframe.html-body")
    assert frame.get_attribute("sandbox") == "allow-popups allow-popups-to-escape-sandbox"
    driver.switch_to.frame(frame)
    wait_until(driver, lambda: driver.execute_script(
        "var i = document.querySelector('img'); return i && i.complete && i.naturalWidth === 1"))
    assert "Hello Alice" in driver.find_element(By.TAG_NAME, "body").text
    assert len(driver.find_elements(By.TAG_NAME, "img")) == 1
    driver.switch_to.default_content()
    assert remote_hosts.take() == []
    screenshot(driver, mail_shots, "04-html-message-blocked")
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Show remote content"))
    wait_until(driver, lambda: any("tracker.example.net" in r for r in remote_hosts.requests))
    remote_hosts.take()
    screenshot(driver, mail_shots, "05-html-message-remote-shown")

    # The attachment, downloaded with the session: the same bytes, the right name.
    driver.get(base + "/mail")
    open_message(driver, subjects["report"])
    attachment = driver.find_element(By.CSS_SELECTOR, ".attachment-list a")
    assert attachment.text == "Bericht März.bin"
    path = attachment.get_attribute("href")[len(base):]
    status, headers, data = fetch(base, path, session_cookie(driver))
    assert status == 200 and data == ATTACHMENT
    assert "filename*=UTF-8''Bericht%20M%C3%A4rz.bin" in headers["Content-Disposition"]
    assert headers["Content-Type"] == "application/octet-stream"
    screenshot(driver, mail_shots, "06-attachment-message")

    # Search: the body text, with the same matching as IMAP SEARCH.
    driver.get(base + "/mail/search?folder=INBOX")
    driver.find_element(By.ID, "s-body").send_keys("menu")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".search-form button[type=submit]"))
    assert row_subjects(driver) == [subjects["plain"]]
    screenshot(driver, mail_shots, "07-search")

    # Keyboard: j moves to the first message, Enter opens it, r starts a reply; every row's checkbox
    # is labelled for screen readers.
    driver.get(base + "/mail")
    boxes = driver.find_elements(By.CSS_SELECTOR, "#mail-list input[name=uid]")
    assert boxes and all("Select the message from" in b.get_attribute("aria-label") for b in boxes)
    ActionChains(driver).send_keys("j").perform()
    assert "is-current" in driver.find_elements(By.CSS_SELECTOR, ".message-row")[0].get_attribute("class")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait_until(driver, lambda: "/mail/message?" in driver.current_url)
    ActionChains(driver).send_keys("r").perform()
    wait_until(driver, lambda: "mode=reply" in driver.current_url)

    # Reply with an attachment: Bob reads it over IMAP with the right headers and the file intact.
    driver.get(base + "/mail")
    open_message(driver, subjects["plain"])
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Reply"))
    assert driver.find_element(By.ID, "to").get_attribute("value") == "Bob <bob@example.org>"
    assert driver.find_element(By.ID, "subject").get_attribute("value") == "Re: Lunch on Friday"
    driver.find_element(By.ID, "body").send_keys("Friday works. The agenda is attached.")
    upload = tmp_path / "agenda.bin"
    upload.write_bytes(ATTACHMENT[::-1])
    driver.find_element(By.ID, "attach").send_keys(str(upload))
    screenshot(driver, mail_shots, "08-compose-reply")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "button[value=send]"))
    assert "Message sent." in driver.find_element(By.CSS_SELECTOR, ".flash").text
    [reply] = site.wait_for_messages("bob@example.org", 1, timeout=30)
    bob = imap_client(site, "bob@example.org")
    bob.select("INBOX")
    _, data = bob.uid("FETCH", "1:*", "(BODY.PEEK[])")
    raw = data[0][1]
    assert header_of(raw, "Subject") == "Re: Lunch on Friday"
    assert header_of(raw, "In-Reply-To") == "<lunch@example.org>"
    assert "<lunch@example.org>" in header_of(raw, "References")
    assert header_of(raw, "Bcc") is None
    import email
    parsed = email.message_from_bytes(raw)
    files = [part for part in parsed.walk() if part.get_filename() == "agenda.bin"]
    assert files and files[0].get_payload(decode=True) == ATTACHMENT[::-1]
    bob.logout()
    alice = imap_client(site, "alice@example.org")
    alice.select("INBOX")
    _, flags = alice.uid("SEARCH", "ANSWERED")
    assert len(flags[0].split()) == 1
    alice.select("Sent")
    _, sent = alice.uid("SEARCH", "ALL")
    assert len(sent[0].split()) == 1

    # A draft: saved, listed in Drafts, resumed with what was typed.
    driver.get(base + "/mail/compose")
    driver.find_element(By.ID, "to").send_keys("carol@example.org")
    driver.find_element(By.ID, "subject").send_keys("Plan for next year")
    driver.find_element(By.ID, "body").send_keys("First thoughts")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "button[value=save]"))
    assert "Draft saved." in driver.find_element(By.CSS_SELECTOR, ".flash").text
    driver.get(base + "/mail/list?folder=Drafts")
    assert row_subjects(driver) == ["Plan for next year"]
    open_message(driver, "Plan for next year")
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Edit draft"))
    assert driver.find_element(By.ID, "to").get_attribute("value") == "carol@example.org"
    assert driver.find_element(By.ID, "body").get_attribute("value").startswith("First thoughts")
    screenshot(driver, mail_shots, "09-draft-resumed")
    alice.select("Drafts")
    _, drafts = alice.uid("SEARCH", "DRAFT")
    assert len(drafts[0].split()) == 1

    # Move and delete from the list; an IDLEing IMAP client sees the message go.
    alice.select("INBOX")
    seen = []
    idle = threading.Thread(target=lambda: seen.extend(imap_idle_until(alice, b"EXPUNGE", 20)))
    idle.start()
    driver.get(base + "/mail")
    select_row(driver, subjects["report"])
    Select(driver.find_element(By.ID, "move-to")).select_by_value("Archive")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".mail-toolbar button[value=move]"))
    idle.join()
    assert any(b"EXPUNGE" in line for line in seen), seen
    assert subjects["report"] not in row_subjects(driver)
    select_row(driver, subjects["html"])
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".mail-toolbar button[value=delete]"))
    alice.select("Archive")
    assert len(alice.uid("SEARCH", "ALL")[1][0].split()) == 1
    alice.select("Trash")
    assert len(alice.uid("SEARCH", "ALL")[1][0].split()) == 1
    screenshot(driver, mail_shots, "10-after-move-and-delete")

    # New mail over SMTP appears in the open tab without a reload.
    driver.get(base + "/mail")
    driver.execute_script("window.sameTab = 1")
    news = EmailMessage()
    news["From"], news["To"], news["Subject"] = "Dora <dora@example.net>", "alice@example.org", "Arrived just now"
    news.set_content("Fresh.")
    deliver(site, "alice@example.org", news.as_bytes())
    wait_until(driver, lambda: "Arrived just now" in row_subjects(driver), timeout=20)
    assert driver.execute_script("return window.sameTab") == 1
    assert driver.find_element(By.CSS_SELECTOR, "#folder-list .unseen").text.isdigit()

    # A move made over IMAP shows in the open tab without a reload.
    alice.select("INBOX")
    _, found = alice.uid("SEARCH", "SUBJECT", "Arrived")
    alice.uid("MOVE", found[0].decode(), "Archive")
    wait_until(driver, lambda: "Arrived just now" not in row_subjects(driver), timeout=20)
    assert driver.execute_script("return window.sameTab") == 1
    alice.logout()

    # A second session in another browser sees the same folders and messages.
    other = make_browser()
    try:
        webmail_login(other, base, "alice@example.org")
        driver.refresh()
        assert row_subjects(other) == row_subjects(driver)
        other.get(base + "/mail/list?folder=Archive")
        assert set(row_subjects(other)) == {subjects["report"], "Arrived just now"}
    finally:
        other.quit()

    # The other screens.
    for name, path in (("11-folders", "/mail/folders"), ("12-settings", "/mail/settings"),
                       ("13-conversations", "/mail/list?folder=INBOX&view=conversations"),
                       ("14-sent", "/mail/list?folder=Sent"), ("15-compose-new", "/mail/compose")):
        driver.get(base + path)
        screenshot(driver, mail_shots, name)
    assert remote_hosts.take() == []
    assert driver.execute_script("return typeof window.pwned") == "undefined"


def test_attachment_over_the_limit(mail_site, webmail_browser, tmp_path):
    """A 30 MiB file on a site that takes 10 MB messages: the page says so before uploading, and a
    form posted anyway (without the page's check) is refused whole: nothing sent, nothing in Sent."""
    site, driver, base = mail_site, webmail_browser, mail_site.base
    webmail_login(driver, base, "alice@example.org")
    big = tmp_path / "video.bin"
    big.write_bytes(os.urandom(30 * 1024 * 1024))
    driver.get(base + "/mail/compose")
    driver.find_element(By.ID, "to").send_keys("bob@example.org")
    driver.find_element(By.ID, "subject").send_keys("Too big")
    driver.find_element(By.ID, "attach").send_keys(str(big))
    warning = driver.find_element(By.CSS_SELECTOR, ".size-warning")
    wait_until(driver, lambda: warning.is_displayed())
    assert "at most" in warning.text and "30.0 MB" in warning.text
    driver.find_element(By.CSS_SELECTOR, "button[value=send]").click()
    assert driver.current_url == base + "/mail/compose"

    csrf = driver.find_element(By.CSS_SELECTOR, "form.compose-form input[name=csrf]").get_attribute("value")
    boundary = "----postatest"
    fields = {"csrf": csrf, "to": "bob@example.org", "subject": "Too big", "body": "x", "action": "send"}
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields.items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="attach"; filename="video.bin"\r\n'
             'Content-Type: application/octet-stream\r\n\r\n').encode() + big.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(base + "/mail/compose", data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": session_cookie(driver)})
    try:
        with urllib.request.urlopen(request, timeout=60, context=ssl._create_unverified_context()) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    except (ConnectionResetError, BrokenPipeError, urllib.error.URLError):
        # The server may close the connection once the body passed the limit, before all of it was sent.
        status, text = 413, "larger than this site allows"
    assert status == 413, (status, text[:500])
    assert "larger than this site allows" in text
    imap = imap_client(site, "alice@example.org")
    for folder in ("Sent", "Drafts"):
        imap.select(folder)
        assert imap.uid("SEARCH", "ALL")[1][0] == b"", folder
    imap.logout()
    assert site.queue_counts() == (0, 0)
    bob = imap_client(site, "bob@example.org")
    bob.select("INBOX")
    assert bob.uid("SEARCH", "ALL")[1][0] == b""
    bob.logout()

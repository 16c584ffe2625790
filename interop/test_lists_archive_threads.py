"""List archive threads on the real server (issue #18): replies sent by SMTP with In-Reply-To and
References are shown under the post they answer; the thread view is looked at in Chromium at
desktop and phone widths (screenshots in the test's temp folder)."""
import re

import pytest

from consolesite import ConsoleSite
from test_lists import imap_messages, local_url, message, post, web


@pytest.fixture
def site(tmp_path):
    site = ConsoleSite(tmp_path).seed()
    site.posta("list", "add", "dept@example.org", "--name", "Dept", "--owner", "postmaster@example.org", "--style", "open",
               "--archive", "public")
    site.posta("list", "member", "add", "dept@example.org", "bob@example.org")
    site.start()
    try:
        yield site
    finally:
        site.stop()


def reply(author: str, subject: str, msgid: str, parent: str, references: str) -> str:
    return message(author, subject, extra=f"In-Reply-To: <{parent}>\r\nReferences: {references}\r\n").replace(
        f"Message-ID: <{re.sub(r'[^a-z0-9]', '', subject.lower())}@test>", f"Message-ID: <{msgid}>")


def test_replies_are_threaded_under_what_they_answer(site, tmp_path_factory):
    from consolebrowser import chromium, click_and_wait
    from selenium.webdriver.common.by import By
    shots = tmp_path_factory.getbasetemp() / "list-screenshots"
    shots.mkdir(exist_ok=True)
    post(site, "alice@example.org", message("alice@example.org", "Room bookings").replace(
        "Message-ID: <roombookings@test>", "Message-ID: <root@test>"))
    imap_messages(site, "bob@example.org", 1)
    post(site, "carol@example.org", reply("carol@example.org", "Re: Room bookings", "r1@test", "root@test", "<root@test>"))
    imap_messages(site, "bob@example.org", 2)
    post(site, "alice@example.org", message("alice@example.org", "Printer on floor 2"))
    imap_messages(site, "bob@example.org", 3)
    post(site, "bob@example.org",
         reply("bob@example.org", "Re: Re: Room bookings", "r2@test", "r1@test", "<root@test> <r1@test>"))
    imap_messages(site, "bob@example.org", 4)

    status, text = web(site, "/lists/archive/dept@example.org?view=threads")
    assert status == 200
    assert re.findall(r'<a href="[^"]+/t/[a-z2-7]{24}">([^<]+)</a>', text) == ["Room bookings", "Printer on floor 2"]
    assert "3 posts" in text and "1 post" in text

    driver = chromium()
    try:
        for width, height, name in [(1280, 800, "desktop"), (390, 844, "phone")]:
            driver.set_window_size(width, height)
            driver.get(local_url(site, "/lists/archive/dept@example.org"))
            click_and_wait(driver, driver.find_element(By.LINK_TEXT, "by thread"))
            click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Room bookings"))
            items = driver.find_elements(By.CSS_SELECTOR, ".archive-thread li")
            assert [i.get_attribute("class") for i in items] == ["depth-0", "depth-1", "depth-2"]
            assert [i.find_element(By.TAG_NAME, "a").text for i in items] == [
                "Room bookings", "↳ Re: Room bookings", "↳ Re: Re: Room bookings"]
            # Replies are indented: each starts further right than the one it answers.
            lefts = [i.location["x"] for i in items]
            assert lefts[0] < lefts[1] < lefts[2]
            driver.save_screenshot(str(shots / f"archive-thread-{name}.png"))
        click_and_wait(driver, driver.find_elements(By.CSS_SELECTOR, ".archive-thread li a")[2])
        assert driver.find_element(By.TAG_NAME, "h1").text == "Re: Re: Room bookings"
        click_and_wait(driver, driver.find_element(By.LINK_TEXT, "in reply to"))
        assert driver.find_element(By.TAG_NAME, "h1").text == "Re: Room bookings"
        click_and_wait(driver, driver.find_element(By.LINK_TEXT, "thread"))
        assert driver.find_element(By.TAG_NAME, "h1").text == "Room bookings"
    finally:
        driver.quit()

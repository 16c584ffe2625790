"""Mailing lists on the real server (issue #18): posts by SMTP reach the members' mailboxes
(read over IMAP) with the list fields of RFC 2369/2919/8058, one-click unsubscribe by the
RFC 8058 POST, moderation by the CLI and by mail, subscriptions confirmed by reply and by web
link, DMARC mitigation decided by the author domain's record (dnsmasq), and the bad inputs:
loops between lists, oversized posts, forged approval, reused cookies."""
import email
import email.policy
import imaplib
import json
import re
import smtplib
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import POSTA
from consolesite import ConsoleSite
from test_outbound import start_dnsmasq

PASSWORD = "password-123"
ZONE = [
    "local=/com/", "local=/net/", "local=/org/",
    'txt-record=_dmarc.reject.example.com,"v=DMARC1; p=reject"',
    'txt-record=_dmarc.none.example.net,"v=DMARC1; p=none"',
]


@pytest.fixture
def site(tmp_path: Path):
    site = ConsoleSite(tmp_path).seed()
    port, dns = start_dnsmasq(tmp_path, "\n".join(ZONE) + "\n")
    site.use_nameserver(port)
    # The list domain signs: copies carry RFC 8058's List-Unsubscribe-Post under the signature.
    site.posta("dkim", "keygen", "example.org")
    site.posta("list", "add", "dept@example.org", "--name", "Dept", "--owner", "postmaster@example.org")
    site.posta("list", "member", "add", "dept@example.org", "alice@example.org", "Bob <bob@example.org>", "carol@example.org")
    site.start()
    try:
        yield site
    finally:
        site.stop()
        dns.kill()
        dns.wait()


def post(site, sender: str, body: str, to: str = "dept@example.org"):
    with smtplib.SMTP("127.0.0.1", site.smtp_port, timeout=30) as s:
        s.sendmail(sender, [to], body.encode())


def message(author: str, subject: str, to: str = "dept@example.org", extra: str = "") -> str:
    return (f"From: Author <{author}>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{re.sub(r'[^a-z0-9]', '', subject.lower())}@test>\r\n"
            f"Date: Sat, 05 Dec 2026 10:00:00 +0000\r\n{extra}\r\nHello list\r\n")


def imap_messages(site, user: str, want: int, timeout: float = 30) -> list[email.message.EmailMessage]:
    """The INBOX of `user` over IMAP once it holds `want` messages."""
    deadline = time.monotonic() + timeout
    while True:
        with imaplib.IMAP4("127.0.0.1", site.imap_port, timeout=30) as imap:
            imap.starttls(ssl_context=ssl._create_unverified_context())
            imap.login(user, PASSWORD)
            imap.select("INBOX", readonly=True)
            _, data = imap.uid("SEARCH", None, "ALL")
            uids = data[0].split()
            if len(uids) >= want or time.monotonic() > deadline:
                out = []
                for uid in uids:
                    _, fetched = imap.uid("FETCH", uid, "(BODY.PEEK[])")
                    out.append(email.message_from_bytes(fetched[0][1], policy=email.policy.default))
                return out
        time.sleep(0.2)


def unsubscribe_url(copy) -> str:
    """The HTTPS one-click URL of a copy's List-Unsubscribe (the first; a mailto: follows)."""
    return copy["List-Unsubscribe"].split(",")[0].strip().strip("<>")


def members(site) -> list[str]:
    return sorted(m["address"] for m in json.loads(site.posta("list", "member", "list", "dept@example.org", "--role", "member", "--json")))


def held(site) -> list[dict]:
    return json.loads(site.posta("list", "held", "list", "--json"))


def wait_for(condition, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_post_reaches_every_member_with_the_list_fields(site):
    post(site, "alice@example.org", message("alice@example.org", "Plans for Monday"))
    [copy] = imap_messages(site, "bob@example.org", 1)
    assert copy["Subject"] == "[dept] Plans for Monday"
    assert copy["List-Id"] == "Dept <dept.example.org>"
    assert copy["List-Post"] == "<mailto:dept@example.org>"
    assert copy["List-Help"] == "<mailto:dept-request@example.org?subject=help>"
    assert copy["List-Subscribe"] == "<mailto:dept-join@example.org>"
    # RFC 5064 / RFC 2369 §3.6: the post's place in the (private) archive.
    assert re.fullmatch(r"<https://mx\.example\.org:\d+/lists/archive/dept@example\.org>", copy["List-Archive"])
    assert re.fullmatch(r"<https://mx\.example\.org:\d+/lists/archive/dept@example\.org/m/[a-z2-7]{24}>", copy["Archived-At"])
    assert copy["List-Owner"] == "<mailto:dept-owner@example.org>"
    assert copy["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<https://mx\.example\.org:\d+/lists/unsubscribe/[A-Za-z0-9_-]+>, <mailto:dept-leave@example\.org>",
                        copy["List-Unsubscribe"])
    assert copy["Precedence"] == "list" and copy["X-BeenThere"] == "dept@example.org"
    # VERP: a secret per-member token, lower case, in the bounce address.
    assert re.fullmatch(r"<dept-bounces\+[a-z0-9_-]{24}@example\.org>", copy["Return-Path"])
    # The signature covers the unsubscribe fields (RFC 8058 §4).
    signed = {h.strip().lower() for h in re.search(r"\bh=([^;]+)", re.sub(r"\s+", "", copy["DKIM-Signature"])).group(1).split(":")}
    assert {"list-unsubscribe", "list-unsubscribe-post", "list-id", "from", "subject"} <= signed
    assert copy["From"] == "Author <alice@example.org>"  # example.org publishes no DMARC record
    assert copy.get_content().strip() == "Hello list"
    # Every member got its own copy with its own link; the author too (Mailman's default).
    links = {imap_messages(site, user, 1)[0]["List-Unsubscribe"] for user in ("alice@example.org", "carol@example.org")}
    assert len(links | {copy["List-Unsubscribe"]}) == 3


def test_one_click_unsubscribe_removes_that_member_only(site):
    post(site, "alice@example.org", message("alice@example.org", "Newsletter"))
    [copy] = imap_messages(site, "carol@example.org", 1)
    url = unsubscribe_url(copy)
    local = re.sub(r"^https://[^/]+", site.base.replace("localhost", "127.0.0.1"), url)
    context = ssl._create_unverified_context()
    # A link checker's GET changes nothing.
    with urllib.request.urlopen(local, context=context, timeout=30) as page:
        assert "Unsubscribe carol@example.org" in page.read().decode()
    assert "carol@example.org" in members(site)
    # RFC 8058 §3.2: the POST a mail provider sends.
    request = urllib.request.Request(local, data=b"List-Unsubscribe=One-Click", method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, context=context, timeout=30) as answer:
        assert answer.status == 200
    assert members(site) == ["alice@example.org", "bob@example.org"]
    # The same link again names nobody.
    with pytest.raises(urllib.error.HTTPError) as again:
        urllib.request.urlopen(request, context=context, timeout=30)
    assert again.value.code == 404


def test_a_nonmember_post_is_held_and_a_moderator_approves_it_by_cli(site):
    # A forged approval header changes nothing, and never reaches the members.
    post(site, "stranger@example.net", message("stranger@example.net", "Buy now", extra="Approved: letmein\r\n"))
    wait_for(lambda: len(held(site)) == 1)
    [entry] = held(site)
    assert entry["sender"] == "stranger@example.net" and "not a member" in entry["reason"]
    assert imap_messages(site, "bob@example.org", 0, timeout=0) == []
    site.posta("list", "held", "decide", "approve", str(entry["id"]))
    [copy] = imap_messages(site, "bob@example.org", 1)
    assert copy["Subject"] == "[dept] Buy now" and copy["Approved"] is None
    assert held(site) == []


def test_dmarc_reject_authors_are_munged_and_p_none_authors_are_not(site):
    site.posta("list", "set", "dept@example.org", "--style", "open")
    post(site, "ann@reject.example.com", message("ann@reject.example.com", "From a strict domain"))
    post(site, "ned@none.example.net", message("ned@none.example.net", "From a relaxed domain"))
    copies = {c["Subject"]: c for c in imap_messages(site, "bob@example.org", 2)}
    strict, relaxed = copies["[dept] From a strict domain"], copies["[dept] From a relaxed domain"]
    assert strict["From"] == "Author via Dept <dept@example.org>"
    assert strict["Reply-To"] == "Author <ann@reject.example.com>"
    assert relaxed["From"] == "Author <ned@none.example.net>" and relaxed["Reply-To"] is None


def test_loops_between_lists_end_and_a_list_cannot_join_itself(site):
    site.posta("list", "add", "staff@example.org", "--style", "open", "--require-explicit-destination", "false")
    site.posta("list", "set", "dept@example.org", "--style", "open", "--require-explicit-destination", "false")
    # Each list is a member of the other.
    site.posta("list", "member", "add", "staff@example.org", "dept@example.org")
    site.posta("list", "member", "add", "dept@example.org", "staff@example.org")
    post(site, "alice@example.org", message("alice@example.org", "Round and round"))
    copies = imap_messages(site, "bob@example.org", 1)
    time.sleep(2)  # whatever would loop has had time to come round
    assert len(imap_messages(site, "bob@example.org", 1)) == 1
    r = subprocess.run([POSTA, "list", "member", "add", "dept@example.org", "dept@example.org", "--config", str(site.config)],
                       capture_output=True, text=True, timeout=60)
    assert "member of itself" in r.stdout + r.stderr


def test_oversized_posts_are_refused_or_held(site):
    # Over the site's size limit: refused in the SMTP transaction, nothing half-posted.
    big = message("alice@example.org", "Huge") + ("x" * 998 + "\r\n") * (30 * 1024)
    with pytest.raises(smtplib.SMTPException):
        post(site, "alice@example.org", big)
    # Over the list's limit (1 MiB by default) but not the site's: held for a moderator.
    post(site, "alice@example.org", message("alice@example.org", "Large") + ("y" * 998 + "\r\n") * 1500)
    wait_for(lambda: len(held(site)) == 1)
    assert "bytes" in held(site)[0]["reason"]


def test_the_unsubscribe_page_in_a_browser(site, tmp_path_factory):
    """What a member sees following the link: the page at desktop and phone widths, the button,
    the result, and the same link afterwards (screenshots in the test's temp folder)."""
    from consolebrowser import chromium, click_and_wait
    from selenium.webdriver.common.by import By
    shots = tmp_path_factory.getbasetemp() / "list-screenshots"
    shots.mkdir(exist_ok=True)
    post(site, "alice@example.org", message("alice@example.org", "Browser"))
    [copy] = imap_messages(site, "bob@example.org", 1)
    url = re.sub(r"^https://[^/]+", site.base.replace("localhost", "127.0.0.1"), unsubscribe_url(copy))
    driver = chromium()
    try:
        for width, height, name in [(1280, 800, "desktop"), (390, 844, "phone")]:
            driver.set_window_size(width, height)
            driver.get(url)
            assert driver.find_element(By.CSS_SELECTOR, "form button").text == "Unsubscribe bob@example.org"
            driver.save_screenshot(str(shots / f"unsubscribe-{name}.png"))
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button"))
        assert "no longer gets the posts of Dept" in driver.find_element(By.CSS_SELECTOR, ".flash-ok").text
        driver.save_screenshot(str(shots / "unsubscribed-phone.png"))
        assert "bob@example.org" not in members(site)
        driver.get(url)
        assert "names no subscription" in driver.find_element(By.CSS_SELECTOR, ".flash-info").text
        driver.save_screenshot(str(shots / "unsubscribe-used-phone.png"))
    finally:
        driver.quit()


def cookie_of(msg) -> str:
    found = re.search(r"confirm ([a-z2-7]{24})", msg["Subject"])
    assert found, msg["Subject"]
    return found.group(1)


def local_url(site, url: str) -> str:
    """A link from a message (or a path), on the test's listener."""
    base = site.base.replace("localhost", "127.0.0.1")
    return base + url if url.startswith("/") else re.sub(r"^https://[^/]+", base, url)


def web(site, url: str, form: dict | None = None) -> tuple[int, str]:
    """The status and text of a GET (or a form POST) on the list pages."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(local_url(site, url), data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, context=ssl._create_unverified_context(), timeout=30) as page:
            return page.status, page.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_subscription_is_confirmed_by_reply_and_the_cookie_works_once(site):
    site.posta("user", "add", "dan@example.org", "--password-stdin", stdin=PASSWORD + "\n")
    post(site, "dan@example.org", "From: Dan <dan@example.org>\r\nTo: dept-join@example.org\r\nSubject: hello\r\n\r\nplease\r\n",
         to="dept-join@example.org")
    [confirmation] = imap_messages(site, "dan@example.org", 1)
    cookie = cookie_of(confirmation)
    assert confirmation["Reply-To"] == f"dept-confirm+{cookie}@example.org"
    assert confirmation["Auto-Submitted"] == "auto-replied"
    assert f"/lists/confirm/{cookie}" in confirmation.get_content()
    assert "dan@example.org" not in members(site)
    # The reply a mail client makes: to Reply-To, "Re:" and the quoted notice.
    reply = (f"From: Dan <dan@example.org>\r\nTo: {confirmation['Reply-To']}\r\nSubject: Re: {confirmation['Subject']}\r\n"
             f"In-Reply-To: {confirmation['Message-ID']}\r\n\r\n> Someone, probably you, asked\r\n")
    post(site, "dan@example.org", reply, to=confirmation["Reply-To"])
    wait_for(lambda: "dan@example.org" in members(site))
    welcome = imap_messages(site, "dan@example.org", 2)[1]
    assert welcome["Subject"] == "Welcome to Dept"
    # The cookie is spent: its link names nothing now.
    status, text = web(site, f"/lists/confirm/{cookie}")
    assert status == 404 and "names no request" in text


def test_a_subscription_is_confirmed_by_web_link(site):
    site.posta("user", "add", "erin@example.org", "--password-stdin", stdin=PASSWORD + "\n")
    status, text = web(site, "/lists/subscribe/dept@example.org")
    assert status == 200 and "Subscribe" in text
    status, text = web(site, "/lists/subscribe/dept@example.org", {"address": "erin@example.org", "name": "Erin"})
    assert status == 200 and "on its way" in text
    [confirmation] = imap_messages(site, "erin@example.org", 1)
    link = re.search(r"https://\S+/lists/confirm/[a-z2-7]{24}", confirmation.get_content()).group(0)
    # A link checker's GET changes nothing.
    status, text = web(site, link)
    assert status == 200 and "Join the list" in text
    assert "erin@example.org" not in members(site)
    status, text = web(site, link, {"decision": "approve"})
    assert status == 200 and "erin@example.org is now a member" in text
    assert "erin@example.org" in members(site)
    # Reused: nothing happens.
    status, text = web(site, link, {"decision": "approve"})
    assert "No such request" in text
    # The form says the same for a member (it does not tell who is subscribed), and sends nothing.
    status, text = web(site, "/lists/subscribe/dept@example.org", {"address": "erin@example.org"})
    assert status == 200 and "on its way" in text
    time.sleep(1)
    assert len(imap_messages(site, "erin@example.org", 2, timeout=2)) == 2  # the confirmation and the welcome


def test_a_held_post_is_approved_by_replying_to_the_moderator_notice(site):
    post(site, "stranger@example.net", message("stranger@example.net", "Conference", extra="Approved: guess\r\n"))
    [notice] = imap_messages(site, "postmaster@example.org", 1)
    cookie = cookie_of(notice)
    assert notice["Reply-To"] == f"dept-confirm+{cookie}@example.org"
    attached = [part for part in notice.iter_attachments() if part.get_content_type() == "message/rfc822"]
    assert attached and attached[0].get_content()["Subject"] == "Conference"
    assert imap_messages(site, "bob@example.org", 0, timeout=0) == []
    reply = (f"From: postmaster@example.org\r\nTo: {notice['Reply-To']}\r\nSubject: Re: {notice['Subject']}\r\n\r\n"
             "Fine by me.\r\n\r\n> A post to dept@example.org waits\r\n")
    post(site, "postmaster@example.org", reply, to=notice["Reply-To"])
    [copy] = imap_messages(site, "bob@example.org", 1)
    assert copy["Subject"] == "[dept] Conference" and copy["Approved"] is None
    assert held(site) == []


def test_a_held_post_is_rejected_from_the_notice_link_with_a_reason(site):
    site.posta("list", "set", "dept@example.org", "--emergency", "true")
    post(site, "alice@example.org", message("alice@example.org", "Emergency"))
    [notice] = imap_messages(site, "postmaster@example.org", 1)
    link = re.search(r"https://\S+/lists/confirm/[a-z2-7]{24}", notice.get_body(("plain",)).get_content()).group(0)
    status, text = web(site, link)
    assert status == 200 and "Emergency" in text and "Approve" in text
    status, text = web(site, link, {"decision": "reject", "reason": "not now"})
    assert status == 200 and "rejected" in text
    told = [m for m in imap_messages(site, "alice@example.org", 1) if "rejected" in m["Subject"]]
    assert told and "not now" in told[0].get_content()
    assert held(site) == []


def test_the_subscription_and_moderation_pages_in_a_browser(site, tmp_path_factory):
    """The subscription form, the confirmation page and a moderator's page at desktop and phone
    widths (screenshots in the test's temp folder), used by clicking."""
    from consolebrowser import chromium, click_and_wait
    from selenium.webdriver.common.by import By
    shots = tmp_path_factory.getbasetemp() / "list-screenshots"
    shots.mkdir(exist_ok=True)
    site.posta("user", "add", "gil@example.org", "--password-stdin", stdin=PASSWORD + "\n")
    site.posta("list", "set", "dept@example.org", "--description", "Department news and discussion")
    driver = chromium()
    try:
        form = local_url(site, "/lists/subscribe/dept@example.org")
        for width, height, name in [(1280, 800, "desktop"), (390, 844, "phone")]:
            driver.set_window_size(width, height)
            driver.get(form)
            assert "Department news" in driver.find_element(By.CSS_SELECTOR, "section.card").text
            driver.save_screenshot(str(shots / f"subscribe-{name}.png"))
        driver.find_element(By.ID, "address").send_keys("gil@example.org")
        driver.find_element(By.ID, "name").send_keys("Gil")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button"))
        assert "on its way" in driver.find_element(By.CSS_SELECTOR, ".flash-ok").text
        driver.save_screenshot(str(shots / "subscribe-sent-phone.png"))
        [confirmation] = imap_messages(site, "gil@example.org", 1)
        link = re.search(r"https://\S+/lists/confirm/[a-z2-7]{24}", confirmation.get_content()).group(0)
        driver.get(local_url(site, link))
        driver.save_screenshot(str(shots / "confirm-phone.png"))
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button"))
        assert "gil@example.org is now a member" in driver.find_element(By.CSS_SELECTOR, ".flash-ok").text
        assert "gil@example.org" in members(site)

        post(site, "stranger@example.net", message("stranger@example.net", "A question from outside"))
        [notice] = imap_messages(site, "postmaster@example.org", 1)
        link = re.search(r"https://\S+/lists/confirm/[a-z2-7]{24}", notice.get_body(("plain",)).get_content()).group(0)
        for width, height, name in [(1280, 800, "desktop"), (390, 844, "phone")]:
            driver.set_window_size(width, height)
            driver.get(local_url(site, link))
            assert "A question from outside" in driver.find_element(By.CSS_SELECTOR, ".held-post").text
            driver.save_screenshot(str(shots / f"moderate-{name}.png"))
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "button[value=approve]"))
        assert "approved" in driver.find_element(By.CSS_SELECTOR, ".flash-ok").text
        assert any(m["Subject"] == "[dept] A question from outside" for m in imap_messages(site, "gil@example.org", 3))
    finally:
        driver.quit()


def test_a_digest_member_gets_one_mime_digest_of_the_posts(site):
    site.posta("list", "member", "set", "dept@example.org", "carol@example.org", "--mode", "mime-digest")
    site.posta("list", "set", "dept@example.org", "--digest-size-threshold", "0", "--digest-period", "none")
    post(site, "alice@example.org", message("alice@example.org", "Agenda"))
    assert len(imap_messages(site, "bob@example.org", 1)) == 1  # in this order in the digest
    post(site, "alice@example.org", message("alice@example.org", "Minutes"))
    assert len(imap_messages(site, "bob@example.org", 2)) == 2
    assert imap_messages(site, "carol@example.org", 0, timeout=0) == []
    assert "vol 1, issue 1" in site.posta("list", "digest", "send", "dept@example.org")
    [digest] = imap_messages(site, "carol@example.org", 1)
    assert digest["Subject"] == "Dept Digest, Vol 1, Issue 1"
    assert digest["List-Id"] == "Dept <dept.example.org>" and digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    toc, parts = digest.get_payload()
    assert "1. [dept] Agenda (Author)" in toc.get_content() and "2. [dept] Minutes (Author)" in toc.get_content()
    assert parts.get_content_type() == "multipart/digest"
    inner = [p.get_payload(0) for p in parts.get_payload()]
    assert [m["Subject"] for m in inner] == ["[dept] Agenda", "[dept] Minutes"]
    # Nothing waits now; the next issue is 2.
    assert "no post is waiting" in site.posta("list", "digest", "send", "dept@example.org")
    assert "issue 2" in site.posta("list", "show", "dept@example.org")


def test_the_archive_for_members_then_for_everyone(site, tmp_path, tmp_path_factory):
    """A private archive: refused without a login, read by a member logged in to webmail in
    Chromium (list, search, a post; screenshots), then public; the mbox from the web and the CLI."""
    import mailbox
    from consolebrowser import chromium, click_and_wait
    from selenium.webdriver.common.by import By
    shots = tmp_path_factory.getbasetemp() / "list-screenshots"
    shots.mkdir(exist_ok=True)
    site.posta("list", "set", "dept@example.org", "--style", "open")
    post(site, "alice@example.org", message("alice@example.org", "Budget", extra="") .replace(
        "Hello list", "The numbers for 2027 are in.\r\nFrom now on, ask first."))
    assert len(imap_messages(site, "bob@example.org", 1)) == 1
    post(site, "alice@example.org", message("alice@example.org", "Picnic"))
    copies = imap_messages(site, "bob@example.org", 2)
    archived_at = local_url(site, copies[0]["Archived-At"].strip("<>"))
    status, text = web(site, "/lists/archive/dept@example.org")
    assert status == 403 and "for its members" in text
    status, _ = web(site, archived_at)
    assert status == 403

    driver = chromium()
    try:
        driver.get(local_url(site, "/mail/login"))
        driver.find_element(By.ID, "login").send_keys("bob@example.org")
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        index = local_url(site, "/lists/archive/dept@example.org")
        for width, height, name in [(1280, 800, "desktop"), (390, 844, "phone")]:
            driver.set_window_size(width, height)
            driver.get(index)
            titles = [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".archive-list a")]
            assert titles == ["Picnic", "Budget"]
            driver.save_screenshot(str(shots / f"archive-{name}.png"))
        driver.find_element(By.ID, "q").send_keys("numbers")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".archive-search button"))
        assert [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".archive-list a")] == ["Budget"]
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".archive-list a"))
        assert "The numbers for 2027 are in." in driver.find_element(By.CSS_SELECTOR, ".archive-text").text
        assert "alice at example.org" in driver.find_element(By.CSS_SELECTOR, "section.card").text
        driver.save_screenshot(str(shots / "archive-post-phone.png"))
        driver.get(archived_at)
        assert driver.find_element(By.TAG_NAME, "h1").text == "Budget"
    finally:
        driver.quit()

    site.posta("list", "set", "dept@example.org", "--archive", "public")
    status, text = web(site, "/lists/archive/dept@example.org")
    assert status == 200 and "Picnic" in text and "Budget" in text
    status, body = web(site, "/lists/archive/dept@example.org/mbox")
    assert status == 200
    (tmp_path / "web.mbox").write_text(body)
    site.posta("list", "archive", "export", "dept@example.org", "--output", str(tmp_path / "cli.mbox"))
    for name in ("web.mbox", "cli.mbox"):
        box = mailbox.mbox(str(tmp_path / name))
        assert [m["Subject"] for m in box] == ["[dept] Budget", "[dept] Picnic"]
        assert ">From now on" in box[0].get_payload()


def test_a_list_of_every_account_of_the_domain_stays_in_sync(site):
    site.posta("list", "add", "all@example.org", "--name", "Everyone", "--members-from", "domain:example.org",
               "--require-explicit-destination", "false")
    assert "4 added" in site.posta("list", "sync", "all@example.org")  # alice, bob, carol, postmaster
    site.posta("user", "add", "newcomer@example.org", "--password-stdin", stdin=PASSWORD + "\n")
    site.posta("user", "del", "carol@example.org")
    post(site, "newcomer@example.org", message("newcomer@example.org", "Hello everyone", to="all@example.org"),
         to="all@example.org")
    [copy] = imap_messages(site, "newcomer@example.org", 1)
    assert copy["List-Id"] == "Everyone <all.example.org>"
    listed = json.loads(site.posta("list", "member", "list", "all@example.org", "--json"))
    assert sorted(m["address"] for m in listed if m["role"] == "member") == [
        "alice@example.org", "bob@example.org", "newcomer@example.org", "postmaster@example.org"]
    assert {m["source"] for m in listed if m["role"] == "member"} == {"directory"}


def member_json(site, address: str) -> dict:
    listed = json.loads(site.posta("list", "member", "list", "dept@example.org", "--role", "member", "--json"))
    return next(m for m in listed if m["address"] == address)


def test_the_member_options_page_in_a_browser(site, tmp_path_factory):
    """A member follows "change your options instead" from the unsubscribe page, sees its options
    at desktop and phone widths, switches to the MIME digest and turns delivery off by the form
    (checked with the CLI), and sees a moderator's stop explained (screenshots in the test's
    temp folder)."""
    from consolebrowser import chromium, click_and_wait, screenshot
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    shots = tmp_path_factory.getbasetemp() / "list-screenshots"
    shots.mkdir(exist_ok=True)
    site.posta("list", "set", "dept@example.org", "--description", "Department news and discussion")
    post(site, "alice@example.org", message("alice@example.org", "Plans for the week"))
    [copy] = imap_messages(site, "bob@example.org", 1)
    unsubscribe = local_url(site, unsubscribe_url(copy))
    options = unsubscribe.replace("/lists/unsubscribe/", "/lists/options/")
    driver = chromium()
    try:
        driver.get(unsubscribe)
        click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Change your options instead"))
        assert driver.current_url == options
        card = driver.find_element(By.CSS_SELECTOR, "section.card").text
        assert "Department news" in card and "bob@example.org" in card
        screenshot(driver, shots, "options")
        # A browser's GET (twice, with a reload) changes nothing.
        driver.get(options)
        assert member_json(site, "bob@example.org")["mode"] == "regular"
        assert member_json(site, "bob@example.org").get("disabled") is None

        driver.set_window_size(390, 844)
        Select(driver.find_element(By.ID, "mode")).select_by_value("mime-digest")
        Select(driver.find_element(By.ID, "delivery")).select_by_value("off")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        assert driver.find_element(By.CSS_SELECTOR, ".flash-ok").text == "Saved."
        assert Select(driver.find_element(By.ID, "mode")).first_selected_option.get_attribute("value") == "mime-digest"
        assert Select(driver.find_element(By.ID, "delivery")).first_selected_option.get_attribute("value") == "off"
        screenshot(driver, shots, "options-saved")
        bob = member_json(site, "bob@example.org")
        assert bob["mode"] == "mime-digest" and bob["disabled"] == "user"
        # Delivery off: the next post does not come to bob (nor to its digest).
        post(site, "alice@example.org", message("alice@example.org", "While away"))
        assert len(imap_messages(site, "carol@example.org", 2)) == 2
        assert len(imap_messages(site, "bob@example.org", 1, timeout=1)) == 1

        # A moderator's stop: explained, and the member cannot undo it.
        site.posta("list", "member", "set", "dept@example.org", "bob@example.org", "--delivery", "off")
        driver.get(options)
        assert "only a moderator can start it again" in driver.find_element(By.CSS_SELECTOR, ".flash-info").text
        assert driver.find_element(By.ID, "delivery").get_attribute("disabled") is not None
        screenshot(driver, shots, "options-moderator")
        # The end of the page on a phone (the window of a headless browser stops at the screen).
        driver.set_window_size(390, 844)
        driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        driver.save_screenshot(str(shots / "options-moderator-phone-end.png"))
        status, _ = web(site, options, {"delivery": "on", "mode": "regular"})
        assert status == 200
        bob = member_json(site, "bob@example.org")
        assert bob["disabled"] == "moderator" and bob["mode"] == "regular"
    finally:
        driver.quit()
    status, text = web(site, options.replace("/lists/options/", "/lists/options/x"))
    assert status == 404 and "names no subscription" in text


def test_the_welcome_notice_links_to_the_member_options_page(site):
    site.posta("user", "add", "erin@example.org", "--password-stdin", stdin=PASSWORD + "\n")
    web(site, "/lists/subscribe/dept@example.org", {"address": "erin@example.org"})
    [confirmation] = imap_messages(site, "erin@example.org", 1)
    link = re.search(r"https://\S+/lists/confirm/[a-z2-7]{24}", confirmation.get_content()).group(0)
    web(site, link, {"decision": "approve"})
    welcome = imap_messages(site, "erin@example.org", 2)[1]
    assert welcome["Subject"] == "Welcome to Dept"
    options = re.search(r"https://\S+/lists/options/[A-Za-z0-9_-]+", welcome.get_content()).group(0)
    status, text = web(site, options)
    assert status == 200 and "erin@example.org" in text
    status, text = web(site, options, {"delivery": "on", "mode": "plain-digest"})
    assert status == 200 and "Saved." in text
    assert member_json(site, "erin@example.org")["mode"] == "plain-digest"

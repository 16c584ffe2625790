"""The webmail's list summaries on the real server: mail delivered over SMTP is summarised in the
store's own transaction, and mail stored behind the server's back (as before the webmail existed)
is summarised by the background backfill; a list opened before it finishes shows the newest
messages and says the rest are being indexed."""
import http.cookiejar
import re
import ssl
import time
import urllib.parse
import urllib.request

import pytest

from consolesite import ConsoleSite
from webmailbrowser import PASSWORD, deliver

MISSING = """SELECT COUNT(*) FROM message m JOIN mailbox b ON b.id = m.mailbox_id
             WHERE NOT EXISTS (SELECT 1 FROM webmail_summary w WHERE w.message_id = m.id)"""


class Session:
    """A logged-in webmail session over urllib (cookies kept, redirects not followed)."""

    def __init__(self, base: str, login: str):
        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            urllib.request.HTTPSHandler(context=ssl._create_unverified_context()), Stay)
        token = re.search(r'name="csrf" value="([^"]+)"', self.get("/mail/login")).group(1)
        form = urllib.parse.urlencode({"csrf": token, "login": login, "password": PASSWORD}).encode()
        try:
            self.opener.open(urllib.request.Request(base + "/mail/login", data=form), timeout=30)
            raise AssertionError("login did not redirect")
        except urllib.error.HTTPError as answer:
            assert answer.code == 303 and answer.headers["Location"] == "/mail", answer.code

    def get(self, path: str) -> str:
        with self.opener.open(urllib.request.Request(self.base + path), timeout=60) as response:
            return response.read().decode()


def message(i: int) -> bytes:
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(1_790_000_000 + i * 60))
    return (f"From: Sender {i} <s{i}@example.net>\r\nTo: alice@example.org\r\nSubject: Stored {i:05d}\r\n"
            f"Date: {date}\r\nMessage-ID: <{i}@stored.example>\r\n\r\nBody {i}\r\n").encode()


@pytest.fixture
def stored_site(tmp_path):
    site = ConsoleSite(tmp_path).seed()
    # 4,000 messages (newest first), twice what one request summarises.
    site.fill_inbox("alice@example.org", [message(i) for i in reversed(range(4000))])
    with site.db() as db:
        assert db.execute("SELECT COUNT(*) FROM webmail_summary").fetchone()[0] == 0
    site.start()
    yield site
    site.stop()


def test_stored_mail_is_backfilled_and_delivered_mail_summarised_at_once(stored_site):
    site = stored_site
    session = Session(site.base, "alice@example.org")
    first = session.get("/mail/list?folder=INBOX")
    # Whether or not the backfill got there first, the newest message leads the list.
    assert "Stored 03999" in first, first[:3000]
    deadline = time.monotonic() + 120
    while True:
        with site.db() as db:
            missing = db.execute(MISSING).fetchone()[0]
        if missing == 0:
            break
        assert time.monotonic() < deadline, f"{missing} messages still without a summary"
        time.sleep(0.1)
    page = session.get("/mail/list?folder=INBOX&sort=subject&dir=asc")
    assert "4,000 messages" in page and "still being indexed" not in page
    assert "Stored 00000" in page

    # A delivery: the row and its summary commit together, so none is ever seen without the other.
    for n in range(5):
        deliver(site, "alice@example.org", f"From: bob@example.net\r\nSubject: Live {n}\r\n\r\nhi\r\n".encode())
        with site.db() as db:
            assert db.execute(MISSING).fetchone()[0] == 0
    site.wait_for_messages("alice@example.org", 4005, timeout=30)
    with site.db() as db:
        assert db.execute(MISSING).fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM webmail_summary WHERE subject LIKE 'Live %'").fetchone()[0] == 5


def test_a_list_opened_during_the_backfill_says_so(tmp_path):
    site = ConsoleSite(tmp_path).seed()
    site.fill_inbox("alice@example.org", [message(i) for i in reversed(range(6000))])
    # The backfill is slowed by nothing but its own work; the first request races it. Either it
    # finds the folder incomplete (a notice, the newest 2,000 listed) or complete (no notice).
    site.start()
    try:
        page = Session(site.base, "alice@example.org").get("/mail/list?folder=INBOX")
        assert "Stored 05999" in page
        # The heading counts the whole folder either way, as the folder list does.
        assert ">6,000 messages, 6,000 unread<" in page, re.findall(r"[\d,]+ messages[^<]*", page)
        shown = re.search(r"([\d,]+) older messages of this folder are still being indexed", page)
        if shown:
            assert 0 < int(shown.group(1).replace(",", "")) <= 6000 - 2000
    finally:
        site.stop()

"""Webmail in a real browser, for the webmail tests: a console site (HTTPS, IMAP, submission, SMTP)
with example.org users, mail delivered over SMTP, an IMAP client, and Chromium through Selenium
whose requests for other hosts go to a recording proxy."""
import imaplib
import re
import smtplib
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from consolebrowser import chromium, click_and_wait
from consolesite import ConsoleSite

PASSWORD = "password-123"


@pytest.fixture
def mail_site(tmp_path: Path):
    site = ConsoleSite(tmp_path).seed().start()
    yield site
    site.stop()


class RecordingProxy:
    """The browser's HTTP proxy for every host but loopback: it records each request it gets and
    answers 404 (403 to CONNECT), so a request meant for a remote host is seen and goes nowhere."""

    def __init__(self):
        self.requests: list[str] = []
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        self.lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        with conn:
            conn.settimeout(5)
            try:
                line = conn.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
            except OSError:
                return
            with self.lock:
                self.requests.append(line)
            status = b"403 Forbidden" if line.startswith("CONNECT") else b"404 Not Found"
            try:
                conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            except OSError:
                pass

    # Chromium's own services (updates, time, autofill), which no page asked for.
    BROWSER_HOSTS = re.compile(r"(^|[ /.])(google\.com|googleapis\.com|gstatic\.com|gvt1\.com)[:/ ]")

    def take(self) -> list[str]:
        """The page's requests since the last call (the browser's own service traffic left out)."""
        with self.lock:
            taken, self.requests = self.requests, []
        return [line for line in taken if not self.BROWSER_HOSTS.search(line)]

    def close(self):
        self.server.close()


def make_browser(proxy: RecordingProxy | None = None):
    """Chromium that leaves the browser's own service traffic out; with `proxy`, every request
    for a host but loopback (the webmail) goes to the recording proxy."""
    extra = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
             "--disable-domain-reliability", "--disable-client-side-phishing-detection"]
    if proxy:
        extra.append(f"--proxy-server=http://127.0.0.1:{proxy.port}")
    return chromium(*extra)


@pytest.fixture
def remote_hosts():
    proxy = RecordingProxy()
    yield proxy
    proxy.close()


@pytest.fixture
def webmail_browser(remote_hosts):
    driver = make_browser(remote_hosts)
    yield driver
    driver.quit()


@pytest.fixture
def mail_shots(tmp_path_factory) -> Path:
    folder = tmp_path_factory.getbasetemp() / "webmail-screenshots"
    folder.mkdir(exist_ok=True)
    print(f"\nwebmail screenshots: {folder}")
    return folder


def webmail_login(driver, base: str, address: str, password: str = PASSWORD) -> None:
    driver.get(base + "/mail/login")
    driver.find_element(By.ID, "login").send_keys(address)
    driver.find_element(By.ID, "password").send_keys(password)
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert driver.current_url == base + "/mail/list?folder=INBOX", driver.page_source[:2000]


def session_cookie(driver) -> str:
    cookie = driver.get_cookie("__Host-posta_session")
    assert cookie, "no session cookie"
    return f"__Host-posta_session={cookie['value']}"


def deliver(site: ConsoleSite, recipient: str, message: bytes, sender: str = "sender@example.net") -> None:
    with smtplib.SMTP("127.0.0.1", site.smtp_port, local_hostname="client.example.net", timeout=30) as smtp:
        smtp.sendmail(sender, [recipient], message)


def imap_client(site: ConsoleSite, user: str) -> imaplib.IMAP4:
    imap = imaplib.IMAP4("127.0.0.1", site.imap_port, timeout=30)
    imap.starttls(ssl_context=ssl._create_unverified_context())
    imap.login(user, PASSWORD)
    return imap


def row_subjects(driver) -> list[str]:
    """The list's subjects, read in one script (the page may swap its list in at any moment when
    the server says a folder changed)."""
    return driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#mail-list .row-subject'),"
        " function (e) { return e.textContent.trim(); })")


def retrying(action, attempts: int = 5):
    """Runs `action` again when the element it held was replaced by a list refresh."""
    for attempt in range(attempts):
        try:
            return action()
        except StaleElementReferenceException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.3)


def open_message(driver, subject: str) -> None:
    def attempt():
        link = next(e for e in driver.find_elements(By.CSS_SELECTOR, "#mail-list .row-main")
                    if e.find_element(By.CSS_SELECTOR, ".row-subject").text == subject)
        click_and_wait(driver, link)
    retrying(attempt)


def select_row(driver, subject: str) -> None:
    """Ticks the checkbox of the row with `subject` (a ticked box stops the list refreshing)."""
    def attempt():
        row = next(r for r in driver.find_elements(By.CSS_SELECTOR, ".message-row")
                   if r.find_element(By.CSS_SELECTOR, ".row-subject").text == subject)
        row.find_element(By.CSS_SELECTOR, "input[name=uid]").click()
    retrying(attempt)


def wait_until(driver, condition, timeout: float = 15.0):
    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda d: condition())


def header_of(raw: bytes, name: str) -> str | None:
    match = re.search(rb"(?im)^" + name.encode() + rb":[ \t]*(.*(?:\r?\n[ \t].*)*)", raw.split(b"\r\n\r\n", 1)[0])
    return re.sub(r"\r?\n[ \t]+", " ", match.group(1).decode()).strip() if match else None


def imap_idle_until(imap: imaplib.IMAP4, wanted: bytes, timeout: float) -> list[bytes]:
    """IDLE (RFC 2177) on the selected mailbox until an untagged response containing `wanted`."""
    tag = b"i1"
    imap.send(tag + b" IDLE\r\n")
    lines = []
    line = imap.readline()
    assert line.startswith(b"+"), line
    imap.sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            line = imap.readline()
            lines.append(line)
            if wanted in line:
                break
    finally:
        imap.sock.settimeout(30)
        imap.send(b"DONE\r\n")
        while True:
            line = imap.readline()
            if line.startswith(tag):
                break
    return lines

"""POP3 and IMAP on one mailbox (issue #6): deletions made by POP3 reach IMAP sessions only when
the POP3 session enters the UPDATE state (RFC 1939 §6), UIDLs stay stable, and failed logins are
throttled across protocols."""
import imaplib
import poplib
import smtplib
import ssl
import time
from pathlib import Path

import pytest

from conftest import free_port, wait_for_port
from mailsite import MailSite

PASSWORD = "password-123"
ALICE = "alice@example.org"


class Pop3ImapSite(MailSite):
    def __init__(self, folder: Path):
        self.pop3_port = free_port()
        self.imap_port = free_port()
        super().__init__(folder, extra_config=f'''
[[listener]]
protocol = "pop3"
address = "127.0.0.1:{self.pop3_port}"
[[listener]]
protocol = "imap"
address = "127.0.0.1:{self.imap_port}"
''')

    def start(self):
        super().start()
        wait_for_port(self.pop3_port)
        wait_for_port(self.imap_port)
        return self

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def pop3(self, password: str = PASSWORD) -> poplib.POP3:
        pop = poplib.POP3("127.0.0.1", self.pop3_port, timeout=30)
        pop.stls(context=self.context())
        pop.user(ALICE)
        pop.pass_(password)
        return pop

    def imap(self, password: str = PASSWORD) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=30)
        imap.starttls(self.context())
        imap.login(ALICE, password)
        return imap


@pytest.fixture
def site(tmp_path):
    s = Pop3ImapSite(tmp_path).seed().start()
    with smtplib.SMTP("127.0.0.1", s.smtp_port, timeout=30) as smtp:
        for i in range(1, 4):
            smtp.sendmail("sender@example.net", [ALICE], f"Subject: m{i}\r\n\r\nbody {i}\r\n".encode())
    s.wait_for_messages(ALICE, 3)
    yield s
    s.stop()


def uids(imap: imaplib.IMAP4) -> list[int]:
    typ, data = imap.uid("SEARCH", "ALL")
    assert typ == "OK"
    return [int(n) for n in data[0].split()]


def test_pop3_deletion_reaches_imap_after_quit_only(site):
    imap = site.imap()
    imap.select("INBOX")
    assert uids(imap) == [1, 2, 3]
    pop = site.pop3()
    before = pop.uidl()[1]
    pop.dele(2)
    # Marked deleted in the POP3 session only: IMAP still sees all three (RFC 1939 §5 DELE).
    typ, _ = imap.noop()
    assert typ == "OK" and uids(imap) == [1, 2, 3]
    pop.quit()
    # UPDATE state applied: IMAP is told with EXPUNGE at its next command and the message is gone.
    deadline = time.monotonic() + 5
    while uids(imap) != [1, 3] and time.monotonic() < deadline:
        imap.noop()
        time.sleep(0.05)
    assert uids(imap) == [1, 3]
    # A dropped POP3 session (no QUIT) deletes nothing.
    pop = site.pop3()
    pop.dele(1)
    pop.close()  # no QUIT: the connection just ends
    time.sleep(0.3)
    imap.noop()
    assert uids(imap) == [1, 3]
    # UIDLs are stable across sessions: the survivors keep theirs. (The dropped session's lock
    # goes when the server notices the close.)
    deadline = time.monotonic() + 5
    while True:
        try:
            pop = site.pop3()
            break
        except poplib.error_proto as error:
            if b"IN-USE" not in error.args[0] or time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    after = pop.uidl()[1]
    pop.quit()
    assert [u.split()[1] for u in after] == [before[0].split()[1], before[2].split()[1]]
    imap.logout()


def test_failed_pop3_logins_throttle_imap(site):
    """One throttle for every protocol (Sources/Directory/LoginThrottle.swift): failures count per
    IP and login whatever the protocol, and from the 4th on each is answered after a doubling
    delay (1 s, 2 s, …). After four failed POP3 logins, a failed IMAP login is the fifth: 2 s."""
    for _ in range(4):
        with pytest.raises(poplib.error_proto):
            site.pop3(password="wrong-password")
    started = time.monotonic()
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        site.imap(password="wrong-password")
    assert time.monotonic() - started >= 2

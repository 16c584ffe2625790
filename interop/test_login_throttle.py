"""The login throttle as clients see it (docs/logins.md): guessing one user's password from one
address never locks that user out of the address she logs in from, nor her neighbours behind it;
refused attempts are not failures; a connection gets three failed logins; the login log is purged
after its retention."""
import imaplib
import poplib
import smtplib
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from loginsite import PASSWORD, LoginSite


@pytest.fixture
def site(tmp_path: Path):
    # Short delays keep the test quick; the rules are the defaults otherwise (10 failures, 10 min…).
    s = LoginSite(tmp_path, auth='max_delay = "1s"').seed().start()
    yield s
    s.stop()


def guess(site: LoginSite, source: str, user: str, attempts: int) -> list[str]:
    """`attempts` wrong passwords on one IMAP connection; what each got (NO text or the BYE)."""
    outcomes = []
    imap = site.imap(source)
    try:
        for _ in range(attempts):
            try:
                imap.login(user, "not-the-password")
                outcomes.append("OK")
            except imaplib.IMAP4.abort as e:  # * BYE: the connection is over
                outcomes.append("BYE " + str(e))
                break
            except imaplib.IMAP4.error as e:
                outcomes.append(str(e))
    finally:
        try:
            imap.shutdown()
        except OSError:
            pass
    return outcomes


@pytest.mark.serial
def test_guessing_locks_neither_the_owner_nor_her_neighbours(site: LoginSite):
    """The measured defect: 30 wrong passwords for alice from 127.0.0.2 made alice's own logins from
    her usual 127.0.0.1 fail, each refusal counted as a failure of 127.0.0.1, and then bob behind
    127.0.0.1 was refused too."""
    site.imap("127.0.0.1").login("alice@example.org", PASSWORD)
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda _: guess(site, "127.0.0.2", "alice@example.org", 3), range(10)))
    outcomes = [o for r in results for o in r]
    assert len(outcomes) == 30 and "OK" not in outcomes, outcomes
    assert sum("UNAVAILABLE" in o for o in outcomes) >= 15, outcomes  # refused unchecked once locked

    # Alice, from her usual address, with the right password: in, several times.
    for _ in range(3):
        imap = site.imap("127.0.0.1")
        assert imap.login("alice@example.org", PASSWORD)[0] == "OK"
        imap.logout()
    # Bob behind the same address (he never logged in before): in.
    imap = site.imap("127.0.0.1")
    assert imap.login("bob@example.org", PASSWORD)[0] == "OK"
    imap.logout()
    # At most 10 passwords checked from 127.0.0.2 (the lockout threshold; an attempt in progress
    # counts, so concurrent ones may stop a little short), the rest recorded as refused; nothing
    # counted against 127.0.0.1.
    checked = len(site.events("ip = '127.0.0.2' AND reason = 'wrong-password'"))
    assert 8 <= checked <= 10, checked
    assert len(site.events("ip = '127.0.0.2' AND reason = 'throttled'")) == 30 - checked
    assert site.events("ip = '127.0.0.1' AND NOT success") == []
    assert site.events("reason = 'pending'") == []


@pytest.mark.serial
def test_refusals_do_not_extend_the_lockout_or_count_against_the_refused(site: LoginSite):
    """While alice's login is locked, her retries from a new address are refused (and slowed), but
    they are not failures of that address: after ten of them carol behind it still logs in."""
    for _ in range(4):
        guess(site, "127.0.0.2", "alice@example.org", 3)
    assert len(site.events("ip = '127.0.0.2' AND reason = 'wrong-password'")) == 10
    # The guesser's address is locked for logins it never used successfully…
    with pytest.raises(imaplib.IMAP4.error, match="UNAVAILABLE"):
        site.imap("127.0.0.2").login("carol@example.org", PASSWORD)
    started = time.monotonic()
    for i in range(10):
        if i % 3 == 0:
            pop = site.pop3("127.0.0.4")
        pop.user("alice@example.org")
        with pytest.raises(poplib.error_proto, match=r"SYS/TEMP"):
            pop.pass_(PASSWORD)
    assert time.monotonic() - started >= 9  # each refusal costs the client max_delay (1 s here)
    pop = site.pop3("127.0.0.4")
    pop.user("carol@example.org")
    pop.pass_(PASSWORD)
    pop.quit()
    assert len(site.events("ip = '127.0.0.4' AND reason = 'throttled'")) == 10
    assert site.events("ip = '127.0.0.4' AND NOT success AND reason != 'throttled'") == []


def test_a_connection_gets_three_failed_logins(site: LoginSite):
    # IMAP: the third NO is followed by BYE (imaplib reports it at the next command); the connection ends.
    outcomes = guess(site, "127.0.0.5", "bob@example.org", 5)
    assert len(outcomes) == 4 and all("AUTHENTICATIONFAILED" in o for o in outcomes[:3]), outcomes
    assert outcomes[3].startswith("BYE") and "Too many failed logins" in outcomes[3], outcomes
    # POP3: the third -ERR, then the server closes.
    pop = site.pop3("127.0.0.6")
    for _ in range(3):
        pop.user("bob@example.org")
        with pytest.raises(poplib.error_proto, match=r"\[AUTH\]"):
            pop.pass_("wrong")
    with pytest.raises((poplib.error_proto, OSError, EOFError)):
        pop.user("bob@example.org")
    # SMTP AUTH: two 535, then 421 4.7.0 and the connection closes.
    s = site.submission("127.0.0.7")
    codes = []
    for _ in range(3):
        code, _ = s.docmd("AUTH", "PLAIN " + __import__("base64").b64encode(b"\0bob@example.org\0wrong").decode())
        codes.append(code)
    assert codes == [535, 535, 421], codes
    with pytest.raises(smtplib.SMTPServerDisconnected):
        s.noop()


def test_login_log_is_purged_after_its_retention(tmp_path: Path):
    site = LoginSite(tmp_path, auth='log_retention = "1d"').seed()
    now = int(time.time())
    with site.db() as db:
        for age in (3 * 86400, 2 * 86400, 3600):
            db.execute(
                "INSERT INTO login_event (login, ip, protocol, success, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                ("alice@example.org", "192.0.2.1", "imap", 0, "wrong-password", now - age))
    site.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            left = site.events("ip = '192.0.2.1'")
            if len(left) == 1:
                break
            time.sleep(0.2)
        assert len(left) == 1, left
        with site.db() as db:
            assert db.execute("SELECT created_at FROM login_event WHERE ip = '192.0.2.1'").fetchone()[0] == now - 3600
    finally:
        site.stop()

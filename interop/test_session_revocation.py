"""Disabling an account or changing its password ends its open IMAP (also in IDLE), POP3 and
submission sessions (docs/logins.md), across the nodes of a cluster too; an authenticated
submission session of a disabled account cannot send."""
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from loginsite import PASSWORD, LoginSite, closed_within

BOUND = 10  # seconds; the watcher polls every 2 s (PostgreSQL: woken at once)


@pytest.fixture
def site(tmp_path: Path):
    s = LoginSite(tmp_path).seed().start()
    yield s
    s.stop()


def open_sessions(site: LoginSite, user: str = "alice@example.org", password: str = PASSWORD):
    """An IMAP session in IDLE, a POP3 session and an authenticated submission session."""
    imap = site.imap()
    imap.login(user, password)
    imap.select("INBOX")
    tag = imap._new_tag()
    imap.send(tag + b" IDLE\r\n")
    assert imap.readline().startswith(b"+"), "no IDLE continuation"
    pop = site.pop3()
    pop.user(user)
    pop.pass_(password)
    smtp = site.submission()
    smtp.login(user, password)
    return imap, pop, smtp


def assert_all_closed(imap, pop, smtp):
    got, _ = closed_within(imap.sock, BOUND)
    assert b"* BYE" in got, got
    got, _ = closed_within(pop.sock, BOUND)
    assert got.startswith(b"-ERR [AUTH]"), got
    got, _ = closed_within(smtp.sock, BOUND)
    assert got.startswith(b"421 4.7.0"), got


@pytest.mark.parametrize("change", ["disable", "passwd"])
def test_sessions_end_when_the_account_changes(site: LoginSite, change: str):
    imap, pop, smtp = open_sessions(site)
    # Bob's sessions are not touched.
    bob = site.imap()
    bob.login("bob@example.org", PASSWORD)
    if change == "disable":
        site.posta("user", "disable", "alice@example.org")
    else:
        site.posta("user", "passwd", "alice@example.org", "--password-stdin", stdin="new-password-456\n")
    assert_all_closed(imap, pop, smtp)
    assert bob.noop()[0] == "OK"
    bob.logout()
    if change == "passwd":
        # The new password opens new sessions, which stay.
        imap = site.imap()
        imap.login("alice@example.org", "new-password-456")
        time.sleep(3)
        assert imap.noop()[0] == "OK"
        imap.logout()
    else:
        fresh = site.imap()
        with pytest.raises(Exception):
            fresh.login("alice@example.org", PASSWORD)


def test_disabled_account_cannot_send_from_its_open_session(site: LoginSite):
    smtp = site.submission()
    smtp.login("alice@example.org", PASSWORD)
    site.posta("user", "disable", "alice@example.org")
    # Whichever comes first — MAIL FROM answered 421, or the watcher's 421 — the session cannot send.
    try:
        code, text = smtp.mail("alice@example.org")
        assert code == 421, (code, text)
    except Exception as e:  # already closed by the watcher
        assert "421" in str(e) or "disconnect" in str(e).lower() or isinstance(e, OSError), e
    with pytest.raises(Exception):
        smtp.rcpt("bob@example.org")
        smtp.data(b"Subject: sent after disable\r\n\r\nno\r\n")
    time.sleep(1)
    assert site.messages("bob@example.org") == []


@pytest.fixture
def database(postgres_url):
    name = "posta_revoke_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", postgres_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    subprocess.run(["psql", postgres_url, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


def test_disable_on_one_node_ends_sessions_on_the_other(tmp_path: Path, database: str):
    shared = tmp_path / "shared"
    shared.mkdir()
    nodes = []
    for name in ("mx1", "mx2"):
        node = LoginSite(tmp_path / name, database=f'[database]\nurl = "{database}"')
        text = node.config.read_text().replace(f'data_dir = "{node.data}"', f'data_dir = "{shared}"\nnode_id = "{name}"')
        node.config.write_text(text)
        node.data = shared
        nodes.append(node)
    a, b = nodes
    a.seed()
    a.start()
    b.start()
    try:
        imap, pop, smtp = open_sessions(b)
        started = time.monotonic()
        a.posta("user", "disable", "alice@example.org")
        assert_all_closed(imap, pop, smtp)
        assert time.monotonic() - started < BOUND
    finally:
        a.stop()
        b.stop()

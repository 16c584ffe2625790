"""rspamd through a real daemon (local-only configuration, see scanners.Rspamd): GTUBE lands in
Junk with X-Spam headers and rspamd's action, a normal message in INBOX; with reject_score GTUBE
is refused."""
from pathlib import Path

import pytest

from mailsite import MailSite
from scanners import GTUBE, Rspamd, message
from test_filter_spamassassin import send, wait_for


@pytest.fixture(scope="module")
def rspamd(tmp_path_factory):
    daemon = Rspamd(tmp_path_factory.mktemp("rspamd")).start()
    yield daemon
    daemon.stop()


def site(tmp_path: Path, rspamd: Rspamd, extra: str = "") -> MailSite:
    return MailSite(tmp_path, extra_config=f"""
[filter.rspamd]
address = "127.0.0.1:{rspamd.port}"
timeout = "30s"
{extra}""").seed().start()


def test_gtube_goes_to_junk_and_ham_to_inbox(tmp_path: Path, rspamd: Rspamd):
    mx = site(tmp_path, rspamd)
    try:
        ham = message("lunch", b"Shall we have lunch on Thursday at noon?\r\nRegards, Sam", "ham1")
        assert send(mx, ham)[0] == 250
        assert send(mx, message("offer", GTUBE, "spam1"))[0] == 250
        junk, inbox = wait_for(mx, "Junk", 1), wait_for(mx, "INBOX", 1)
        assert len(junk) == 1 and len(inbox) == 1
        head = junk[0].split(b"\r\n\r\n")[0]
        assert b"Subject: offer" in head and b"X-Spam-Flag: YES" in head
        assert b"X-Spam-Status: Yes, score=15.0" in head and b"scanner=rspamd" in head and b"GTUBE" in head
        assert b"X-Spam-Action: reject" in head
        ham_head = inbox[0].split(b"\r\n\r\n")[0]
        assert b"Subject: lunch" in ham_head and b"X-Spam-Flag: NO" in ham_head
        assert b"X-Spam-Action: no action" in ham_head
    finally:
        mx.stop()


def test_reject_score_refuses_gtube(tmp_path: Path, rspamd: Rspamd):
    mx = site(tmp_path, rspamd, "reject_score = 15\n")
    try:
        code, text = send(mx, message("offer", GTUBE, "spam2"))
        assert code == 554 and b"rejected as spam" in text
        assert send(mx, message("lunch", b"See you at noon.", "ham2"))[0] == 250
        assert len(wait_for(mx, "INBOX", 1)) == 1 and mx.messages("alice@example.org", "Junk") == []
    finally:
        mx.stop()

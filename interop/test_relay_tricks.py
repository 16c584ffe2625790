"""Port 25 is never an open relay: the classic tricks from RFC 5321 and the open-relay test literature.

Each recipient below must be refused at RCPT with a 5xx reply, and nothing may be queued."""
import socket
from pathlib import Path

import pytest

from mailsite import MailSite, read_reply

TRICKS = [
    "<victim@remote.example>",                        # plain relay to a foreign domain
    "<victim%remote.example@example.org>",            # percent hack
    "<remote.example!victim@example.org>",            # bang path (UUCP)
    "<victim@remote.example@example.org>",            # double @
    '<"victim@remote.example"@example.org>',          # quoted @ in the local part
    '<"victim%remote.example"@example.org>',          # quoted percent hack
    "<@example.org:victim@remote.example>",           # source route (RFC 5321 §4.1.1.3, Appendix C)
    "<@example.org,@mx.example.org:victim@remote.example>",  # multi-hop source route
    "<victim@[127.0.0.1]>",                           # IP literal of this host
    "<victim@[192.0.2.1]>",                           # IP literal elsewhere
    "<victim@example.org.remote.example>",            # local domain as a prefix
    "<victim@remote.example.>",                       # trailing dot
    "<victim@example.org.>",                          # trailing dot on a local domain
    "<victim@remote.example%example.org>",            # percent in the domain
    "<victim@localhost>",                             # localhost is not a local domain here
    "<victim>",                                       # no domain (only Postmaster may omit it)
    "<remote.example!victim>",                        # bang path without domain
    "<victim@@example.org>",                          # empty atom
    "<victim@example..org>",                          # empty label
    "victim@remote.example",                          # no brackets, foreign domain
    "<victim@remote.example",                         # unbalanced bracket
    "<\"victim\\\"@remote.example\"@example.org>",    # escaped quote inside a quoted local part with @
    "<victim@remote.example> NOTIFY=NEVER",           # foreign domain with DSN parameters
    "<victim\r@remote.example>",                      # stray CR in the path
    "<victim@exa mple.org>",                          # space in the domain
    "<>",                                             # null recipient
]


@pytest.fixture(scope="module")
def mx(tmp_path_factory):
    site = MailSite(tmp_path_factory.mktemp("relay")).seed().start()
    yield site
    site.stop()


def rcpt_reply(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        f = s.makefile("rb")
        reply = lambda: read_reply(f)  # noqa: E731
        reply()
        s.sendall(b"EHLO attacker.example\r\n")
        reply()
        s.sendall(b"MAIL FROM:<attacker@remote.example>\r\n")
        assert reply().startswith(b"250")
        s.sendall(b"RCPT TO:" + path.encode() + b"\r\n")
        return reply()


@pytest.mark.parametrize("path", TRICKS)
def test_relay_trick_refused(mx: MailSite, path: str):
    assert len(TRICKS) >= 20
    reply = rcpt_reply(mx.smtp_port, path)
    assert reply[:1] == b"5", (path, reply)
    assert mx.queue_counts() == (0, 0)


def test_postmaster_without_domain_is_accepted(mx: MailSite):
    """RFC 5321 §4.5.1: <Postmaster> without a domain must be accepted; it is the postmaster of the
    server's own domain (hostname mx.example.org → postmaster@example.org)."""
    reply = rcpt_reply(mx.smtp_port, "<Postmaster>")
    assert reply.startswith(b"250"), reply

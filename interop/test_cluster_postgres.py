"""The same server on PostgreSQL (the cluster database): two Posta nodes share one database and
one data folder; mail accepted by either is delivered once and read back over POP3 from the other."""
import json
import poplib
import smtplib
import time
from pathlib import Path

import pytest

from clustersite import Node, database, start_pair  # noqa: F401 (a fixture)


def test_two_nodes_on_postgresql(tmp_path: Path, database: str):
    a, b = start_pair(tmp_path, database)
    try:
        with smtplib.SMTP("127.0.0.1", a.smtp_port) as s:
            s.sendmail("s@remote.example", ["alice@example.org", "team@example.org"], b"Subject: via node a\r\n\r\nA\r\n")
        with smtplib.SMTP("127.0.0.1", b.smtp_port) as s:
            s.sendmail("s@remote.example", ["alice@example.org"], b"Subject: via node b\r\n\r\nB\r\n")
        deadline = time.monotonic() + 20
        while json.loads(a.posta("queue", "list", "--json")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert json.loads(b.posta("queue", "list", "--json")) == []
        got = b.pop3_messages("alice@example.org")
        subjects = sorted(m.split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0] for m in got)
        assert subjects == [b"via node a", b"via node b"], got
        assert [m.split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0] for m in a.pop3_messages("carol@example.org")] == [b"via node a"]
        ids = [m.split(b" id ", 1)[1].split(b"\r\n", 1)[0] for m in got]
        assert any(b"-mx1-" in i for i in ids) and any(b"-mx2-" in i for i in ids), ids
    finally:
        a.stop()
        b.stop()


def test_pop3_maildrop_lock_spans_nodes(tmp_path: Path, database: str):
    """RFC 1939 §4 / RFC 2449 [IN-USE] across a cluster: while a POP3 session on node A holds
    alice's maildrop, a login on node B is refused with [IN-USE]; QUIT frees it; a node killed while
    holding it frees it when it starts again."""
    a, b = start_pair(tmp_path, database)

    def login(node: Node) -> poplib.POP3:
        p = poplib.POP3("127.0.0.1", node.pop3_port, timeout=10)
        p.user("alice@example.org")
        p.pass_("password-123")
        return p

    def refused_in_use(node: Node):
        p = poplib.POP3("127.0.0.1", node.pop3_port, timeout=10)
        p.user("alice@example.org")
        with pytest.raises(poplib.error_proto, match=r"\[IN-USE\]"):
            p.pass_("password-123")
        p.close()

    try:
        held = login(a)
        refused_in_use(b)
        refused_in_use(a)
        held.quit()
        login(b).quit()
        held = login(a)
        a.kill()  # SIGKILL: the lock row stays behind
        refused_in_use(b)
        a.start()  # the node drops its own stale locks at start
        login(b).quit()
        held.close()
    finally:
        a.stop()
        b.stop()

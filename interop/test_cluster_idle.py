"""IMAP IDLE across cluster nodes: a session idling on node A hears of mail that node B delivered to
its mailbox through PostgreSQL LISTEN/NOTIFY, not only at its next command."""
import smtplib
import subprocess
import time
from pathlib import Path

import pytest

from clustersite import IMAPNode, database, start_pair  # noqa: F401 (the fixture)


def delivered_files(database_url: str) -> list[str]:
    r = subprocess.run(["psql", database_url, "-Atc", "SELECT file FROM message ORDER BY id"],
                       check=True, capture_output=True, text=True)
    return r.stdout.split()


@pytest.mark.serial
def test_idle_on_one_node_sees_delivery_by_another(tmp_path: Path, database: str):
    a, b = start_pair(tmp_path, database, IMAPNode)
    conn = None
    try:
        conn = a.imap("alice@example.org")
        conn.ok("SELECT INBOX")
        conn.send(b"I1 IDLE\r\n")
        assert conn.read_response().startswith(b"+")
        latencies = []
        for n in (1, 2):
            time.sleep(0.3)  # IDLE (and its LISTEN) is in place, nothing pending
            with smtplib.SMTP("127.0.0.1", b.smtp_port) as s:
                s.sendmail("s@remote.example", ["alice@example.org"], f"Subject: via node b {n}\r\n\r\nB\r\n".encode())
            accepted = time.monotonic()
            lines = conn.pending(wait=5, until=b"* %d EXISTS" % n)
            latencies.append(time.monotonic() - accepted)
            assert lines and lines[-1] == b"* %d EXISTS" % n, lines
        print(f"node A's IDLE saw node B's deliveries {', '.join(f'{t * 1000:.0f} ms' for t in latencies)} after B's 250")
        assert max(latencies) < 1.0, latencies
        # Node B delivered them (its id is in the file names), so the wake-up crossed nodes.
        files = delivered_files(database)
        assert len(files) == 2 and all(".mx2," in f for f in files), files
        conn.send(b"DONE\r\n")
        assert conn.until_tagged(b"I1")[-1].startswith(b"I1 OK")
        # SIGTERM: the node closes its LISTEN connection with the pool and exits cleanly.
        started = time.monotonic()
        a.stop()
        assert a.proc.returncode == 0 and time.monotonic() - started < 5
        assert b"LISTEN failed" not in (a.folder / "posta.log").read_bytes()
    finally:
        if conn:
            conn.close()
        a.stop()
        b.stop()

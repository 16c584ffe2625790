"""`posta queue list|show|retry|hold|release|delete` on a queue holding a forward to an external
address (outbound delivery is not built yet, so it stays queued) and a failed local delivery."""
import json
import time
import smtplib
from pathlib import Path

import pytest

from mailsite import MailSite


@pytest.fixture
def mx(tmp_path: Path):
    site = MailSite(tmp_path).seed().start()
    yield site
    site.stop()


def test_queue_commands(mx: MailSite):
    mx.posta("alias", "add", "fwd@example.org", "someone@remote.example", "bob@example.org")
    with smtplib.SMTP("127.0.0.1", mx.smtp_port) as s:
        s.sendmail("s@remote.example", ["fwd@example.org"], b"Subject: forward\r\n\r\nx\r\n")
    mx.wait_for_messages("bob@example.org", 1)

    deadline = time.monotonic() + 10
    while True:  # the local delivery is recorded just after the message lands
        [entry] = json.loads(mx.posta("queue", "list", "--json"))
        if entry["recipients"][1]["status"] == "delivered" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert entry["sender"] == "s@remote.example" and not entry["held"]
    assert [(r["target"], r["kind"], r["status"]) for r in entry["recipients"]] == [
        ("someone@remote.example", "remote", "pending"), ("bob@example.org", "local", "delivered")]
    qid = entry["id"]
    assert qid in mx.posta("queue", "list")
    assert "someone@remote.example" in mx.posta("queue", "show", qid)

    mx.posta("queue", "hold", qid)
    assert json.loads(mx.posta("queue", "show", qid, "--json"))["held"] is True
    mx.posta("queue", "release", qid)
    mx.posta("queue", "retry", qid)
    assert json.loads(mx.posta("queue", "show", qid, "--json"))["held"] is False

    spool = mx.data / "spool" / "msg" / qid
    assert spool.exists()
    mx.posta("queue", "delete", qid)
    assert json.loads(mx.posta("queue", "list", "--json")) == []
    assert not spool.exists()

    import subprocess
    from conftest import POSTA
    r = subprocess.run([POSTA, "queue", "show", qid, "--config", str(mx.config)], capture_output=True, text=True)
    assert r.returncode != 0 and f"no queued message '{qid}'" in r.stderr

"""Failover (#22): two nodes on one PostgreSQL database and one data folder take mail from six SMTP
senders (three on each); node A is SIGKILLed mid-load. Then:
- every message that got a 250 from either node is delivered exactly once, and all of them within
  60 s of the kill (the deliveries A had claimed move to B once A's short queue lease runs out);
- no message is delivered twice, acknowledged or not;
- an IMAP client of A reconnects to B and finds the same UIDVALIDITY, UIDs and flags;
- the POP3 maildrop lock a session on A held is freed (its lease runs out) so a login on B works;
- `posta cluster status` on B lists both nodes, the queue and who holds what, and at the end no
  delivery is held by anyone."""
import imaplib
import json
import poplib
import re
import smtplib
import ssl
import threading
import time
from pathlib import Path

from clustersite import IMAPNode, database, start_pair  # noqa: F401 (the fixture)

ALICE = "alice@example.org"
SENDERS_PER_NODE = 3
LOAD_BEFORE_KILL = 3.0  # seconds of load on both nodes before A is killed
LOAD_AFTER_KILL = 2.0  # seconds B's senders go on after it
DEADLINE = 60.0  # every acknowledged message delivered within this long after the kill


def message(sender: int, n: int) -> tuple[str, list[str], bytes]:
    mid = f"<fo-{sender}-{n}@remote.example>"
    # Every fifth goes to the alias too (alice and carol): one message, several deliveries.
    recipients = [ALICE, "team@example.org"] if n % 5 == 0 else [ALICE]
    body = (f"From: s{sender}@remote.example\r\nTo: {', '.join(recipients)}\r\nSubject: load {sender}/{n}\r\n"
            f"Message-ID: {mid}\r\n\r\n" + "x" * 2000 + "\r\n").encode()
    return mid, recipients, body


class Sender(threading.Thread):
    """Sends messages to one node over one SMTP connection until told to stop or the node dies;
    remembers every Message-ID that got its 250, and those whose DATA went unanswered."""

    def __init__(self, index: int, port: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.index, self.port, self.stop = index, port, stop
        self.acked: list[tuple[str, list[str]]] = []
        self.unknown: list[str] = []
        self.error: str | None = None

    def run(self):
        n = 0
        try:
            with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as smtp:
                while not self.stop.is_set():
                    mid, recipients, body = message(self.index, n)
                    n += 1
                    try:
                        smtp.sendmail(f"s{self.index}@remote.example", recipients, body)
                    except Exception:
                        self.unknown.append(mid)  # may or may not have been committed before the kill
                        raise
                    self.acked.append((mid, recipients))
        except Exception as error:  # the node was killed under this connection
            self.error = repr(error)


def message_ids(imap: imaplib.IMAP4) -> list[str]:
    typ, data = imap.select("INBOX", readonly=True)
    assert typ == "OK", data
    if int(data[0]) == 0:
        return []
    typ, data = imap.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    assert typ == "OK", data
    ids = []
    for item in data:
        if isinstance(item, tuple):
            found = re.search(rb"<[^>]+>", item[1])
            ids.append(found.group(0).decode() if found else "")
    return ids


def imap_login(node: IMAPNode, user: str) -> imaplib.IMAP4:
    imap = imaplib.IMAP4("127.0.0.1", node.imap_port, timeout=30)
    imap.starttls(ssl_context=ssl.create_default_context(cafile=str(node.cert)))
    imap.login(user, "password-123")
    return imap


def mailbox_state(imap: imaplib.IMAP4) -> tuple[int, dict[int, set[str]]]:
    """UIDVALIDITY and each message's UID with its flags."""
    typ, _ = imap.select("INBOX", readonly=True)
    assert typ == "OK"
    _, data = imap.status("INBOX", "(UIDVALIDITY)")
    validity = int(re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1))
    typ, data = imap.uid("FETCH", "1:*", "(FLAGS)")
    assert typ == "OK", data
    flags = {}
    for line in data:
        found = re.search(rb"UID (\d+) FLAGS \(([^)]*)\)|FLAGS \(([^)]*)\) UID (\d+)", line or b"")
        if found:
            uid = int(found.group(1) or found.group(4))
            flags[uid] = set((found.group(2) or found.group(3) or b"").decode().split())
    return validity, flags


def cluster_status(node: IMAPNode) -> dict:
    return json.loads(node.posta("cluster", "status", "--json"))


def test_node_killed_mid_load_loses_nothing(tmp_path: Path, database: str):
    a, b = start_pair(tmp_path, database, IMAPNode)
    try:
        # Before the load: mail read and flagged through node A.
        with smtplib.SMTP("127.0.0.1", a.smtp_port, timeout=30) as smtp:
            for n in range(20):
                smtp.sendmail("early@remote.example", [ALICE], f"Subject: early {n}\r\nMessage-ID: <early-{n}@x>\r\n\r\nE\r\n".encode())
        deadline = time.monotonic() + 30
        while cluster_status(b)["pendingDeliveries"] and time.monotonic() < deadline:
            time.sleep(0.2)
        on_a = imap_login(a, ALICE)
        on_a.select("INBOX")
        typ, data = on_a.uid("STORE", "1:10", "+FLAGS", r"(\Flagged)")
        assert typ == "OK", data
        before = mailbox_state(on_a)
        assert len(before[1]) == 20
        # A POP3 session on A holds carol's maildrop when A dies.
        held = poplib.POP3("127.0.0.1", a.pop3_port, timeout=10)
        held.user("carol@example.org")
        held.pass_("password-123")

        stop = threading.Event()
        senders = [Sender(i, (a if i < SENDERS_PER_NODE else b).smtp_port, stop) for i in range(2 * SENDERS_PER_NODE)]
        for sender in senders:
            sender.start()
        time.sleep(LOAD_BEFORE_KILL)
        a.kill()
        killed = time.monotonic()
        during = cluster_status(b)
        assert {n["node"]["nodeID"] for n in during["nodes"]} == {"mx1", "mx2"}, during
        time.sleep(LOAD_AFTER_KILL)
        stop.set()
        for sender in senders:
            sender.join(timeout=60)
        on_b_senders = senders[SENDERS_PER_NODE:]
        assert all(s.error is None for s in on_b_senders), [s.error for s in on_b_senders]
        acked = [m for s in senders for m in s.acked]
        acked_on_a = sum(len(s.acked) for s in senders[:SENDERS_PER_NODE])
        assert acked_on_a > 0 and len(acked) > acked_on_a, (acked_on_a, len(acked))

        # Everything acknowledged is delivered: the queue drains, A's claims included, within the deadline.
        while True:
            status = cluster_status(b)
            if status["pendingDeliveries"] == 0 and status["queuedMessages"] == 0:
                break
            assert time.monotonic() - killed < DEADLINE + 30, status
            time.sleep(0.5)
        drained = time.monotonic() - killed
        assert status["queue"] == [], status
        print(f"{len(acked)} acknowledged ({acked_on_a} by the killed node, held claims: {during['queue']}); "
              f"queue drained {drained:.1f} s after the kill")
        assert drained < DEADLINE, drained

        # Exactly once, read over IMAP from B.
        for user, expected in ((ALICE, [mid for mid, _ in acked]),
                               ("carol@example.org", [mid for mid, rcpts in acked if "team@example.org" in rcpts])):
            imap = imap_login(b, user)
            ids = message_ids(imap)
            imap.logout()
            load = [i for i in ids if i.startswith("<fo-")]
            duplicates = {i for i in load if load.count(i) > 1}
            assert not duplicates, (user, sorted(duplicates))
            missing = set(expected) - set(load)
            assert not missing, (user, sorted(missing))
            unknown = {m for s in senders for m in s.unknown}
            assert set(load) - set(expected) <= unknown, (user, sorted(set(load) - set(expected) - unknown))

        # A's IMAP client reconnects to B: same UIDVALIDITY, the same UIDs with the same flags.
        on_b = imap_login(b, ALICE)
        validity, flags = mailbox_state(on_b)
        on_b.logout()
        assert validity == before[0]
        assert {uid: flags[uid] for uid in before[1]} == before[1]
        assert all("\\Flagged" in flags[uid] for uid in sorted(before[1])[:10])

        # Carol's maildrop lock from A's session runs out; a login on B then works.
        while True:
            try:
                pop = poplib.POP3("127.0.0.1", b.pop3_port, timeout=10)
                pop.user("carol@example.org")
                pop.pass_("password-123")
                pop.quit()
                break
            except poplib.error_proto as error:
                assert b"IN-USE" in str(error).encode(), error
                assert time.monotonic() - killed < 90, "the dead node's maildrop lock was never freed"
                time.sleep(1)
        held.sock.close()
    finally:
        a.stop()
        b.stop()

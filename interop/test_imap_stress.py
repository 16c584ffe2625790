"""Several IMAP sessions hammering one mailbox at once (the kind of load imaptest generates): random
APPEND, STORE, UID STORE, EXPUNGE, UID EXPUNGE, FETCH, SEARCH, MOVE and NOOP from six clients for a
bounded time. Every command must complete with OK (or NO only where another session's expunge
makes it legitimate), the untagged responses each client sees must keep its view consistent
(EXISTS never below what it knows without EXPUNGEs first, EXPUNGE numbers in range), and at the end
every session, after NOOP, sees exactly the UIDs and flags the server holds."""
import random
import re
import threading
import time

import pytest

from imapsite import Literal, PostaIMAP, make_message, status

CLIENTS = 6
SECONDS = 12
FLAGS = ["\\Seen", "\\Flagged", "\\Answered", "\\Deleted", "$Work", "$Later"]


class View:
    """A client's model of the selected mailbox, driven only by untagged responses."""

    def __init__(self, count: int):
        self.count = count

    def apply(self, lines: list[bytes]) -> None:
        for line in lines:
            m = re.match(rb"^\* (\d+) (EXISTS|EXPUNGE)\b", line)
            if not m:
                continue
            n = int(m.group(1))
            if m.group(2) == b"EXISTS":
                assert n >= self.count, f"EXISTS {n} below known {self.count}"
                self.count = n
            else:
                assert 1 <= n <= self.count, f"EXPUNGE {n} outside 1..{self.count}"
                self.count -= 1


def worker(server: PostaIMAP, seed: int, deadline: float, errors: list[str]) -> None:
    rng = random.Random(seed)
    conn = server.raw("alice")
    lines = conn.ok("SELECT INBOX")
    view = View(int(next(re.match(rb"^\* (\d+) EXISTS", l).group(1) for l in lines if l.endswith(b" EXISTS"))))
    try:
        while time.monotonic() < deadline:
            op = rng.choice(["append", "store", "uidstore", "expunge", "uidexpunge", "fetch", "search", "move", "noop"])
            n = view.count
            if op == "append":
                cmd = ("APPEND INBOX (\\Seen) ", Literal(make_message(f"stress {seed} {rng.random()}"), mode="+"))
            elif op == "store" and n:
                a = rng.randint(1, n)
                cmd = (f"STORE {a}:{min(n, a + 3)} {rng.choice('+-')}FLAGS ({rng.choice(FLAGS)})",)
            elif op == "uidstore":
                cmd = (f"UID STORE 1:* +FLAGS.SILENT ({rng.choice(FLAGS[1:])})",) if rng.random() < 0.2 else (
                    f"UID STORE {rng.randint(1, 200)} -FLAGS (\\Deleted)",)
            elif op == "expunge":
                cmd = ("EXPUNGE",)
            elif op == "uidexpunge":
                cmd = (f"UID EXPUNGE {rng.randint(1, 200)}:*",)
            elif op == "fetch" and n:
                cmd = (f"FETCH {rng.randint(1, n)}:* (UID FLAGS RFC822.SIZE)",)
            elif op == "search":
                cmd = ("UID SEARCH NOT DELETED",) if rng.random() < 0.5 else ("SEARCH UNSEEN",)
            elif op == "move" and n:
                cmd = (f"MOVE {rng.randint(1, n)} Archive",)
            else:
                cmd = ("NOOP",)
            lines = conn.command(*cmd)
            commands.append(op)
            view.apply(lines)
            result = status(lines)
            if result == "NO" and b"EXPUNGEISSUED" in lines[-1]:
                continue
            if result != "OK":
                errors.append(f"{cmd[0][:40]!r}: {lines[-3:]!r}")
                return
        sessions.append((conn, view))
    except AssertionError as error:
        errors.append(str(error))
        conn.close()


sessions: list = []
commands: list[str] = []

@pytest.fixture
def posta(tmp_path):
    server = PostaIMAP(tmp_path / "posta").start()
    yield server
    server.stop()


def test_concurrent_sessions_stay_consistent(posta):
    for i in range(20):
        posta.append("alice", "INBOX", make_message(f"seed {i}"))
    sessions.clear()
    commands.clear()
    errors: list[str] = []
    deadline = time.monotonic() + SECONDS
    threads = [threading.Thread(target=worker, args=(posta, seed, deadline, errors)) for seed in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 60)
    assert not any(t.is_alive() for t in threads), "a client hung"
    assert not errors, errors
    assert len(commands) >= 300 and {"expunge", "move", "append"} <= set(commands), len(commands)
    print(f"{len(commands)} commands from {CLIENTS} sessions in {SECONDS} s")
    # Once everyone stopped: each session, after NOOP, counts exactly what the server holds.
    fresh = posta.raw("alice")
    fresh.ok("SELECT INBOX")
    truth = sorted(int(u) for l in fresh.ok("UID SEARCH ALL") if l.startswith(b"* SEARCH") for u in l.split()[2:])
    assert len(sessions) == CLIENTS
    for conn, view in sessions:
        view.apply(conn.ok("NOOP"))
        seen = sorted(int(u) for l in conn.ok("UID SEARCH ALL") if l.startswith(b"* SEARCH") for u in l.split()[2:])
        assert view.count == len(truth) and seen == truth, (view.count, len(truth))
        conn.close()

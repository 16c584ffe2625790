"""A day of a mail site, compressed in time, replayed against running Posta nodes over the real
protocols: normal users read mail by IMAP or POP3 from their own addresses and send through
submission from them (a few travel and send once from a new one), while one stolen account's
password is used from 30 foreign addresses that send spam in bursts. Used by
bench/abuse-replay (the figures for BENCHMARKS.md) and by the interop tests of compromised-account
detection.

Every client connects from its own loopback source address (127.0.0.0/8 is all local on Linux):
a user's home, work and phone are 127.20.U.1, 127.21.U.1, 127.22.U.1 (three networks), a
traveller's hotel 127.30.U.1, the botnet 127.100.J.7 for J in 0..29.

The schedule is drawn from a seeded generator before anything runs, then played in time order by
a pool of workers; `hour` real seconds stand for an hour of the day."""
import heapq
import imaplib
import poplib
import random
import smtplib
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

PASSWORD = "password-123"
DOMAIN = "example.org"


@dataclass(order=True)
class Event:
    at: float  # hours since the start of the day
    seq: int
    kind: str = field(compare=False)  # "read" | "send"
    user: str = field(compare=False)
    source: str = field(compare=False)
    node: int = field(compare=False)
    protocol: str = field(compare=False, default="imap")
    messages: list = field(compare=False, default_factory=list)  # one recipient list per message
    attacker: bool = field(compare=False, default=False)


@dataclass
class Outcome:
    """What the replay saw from the client side."""
    sent: dict = field(default_factory=dict)  # user -> messages accepted (250)
    refused: dict = field(default_factory=dict)  # user -> messages refused with 5xx
    deferred: dict = field(default_factory=dict)  # user -> 4xx answers
    refusal_texts: set = field(default_factory=set)
    attacker_sent: int = 0  # spam messages accepted
    attacker_refused: int = 0
    attacker_first_refusal: float | None = None  # replay hour of the first 5xx to the attacker
    reads: int = 0
    read_failures: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def user_name(n: int) -> str:
    return f"user{n:03d}@{DOMAIN}"


def stolen_account() -> str:
    return f"stolen@{DOMAIN}"


class Schedule:
    """The day's events: `users` normal users plus the stolen account; `nodes` servers the clients
    spread over (the stolen account's botnet uses all of them)."""

    def __init__(self, users: int = 200, nodes: int = 1, seed: int = 20261203, travellers: int = 6,
                 botnet: int = 30, attack_start: float = 9.0):
        rng = random.Random(seed)
        self.users = [user_name(n) for n in range(users)]
        self.stolen = stolen_account()
        self.events: list[Event] = []
        seq = 0

        def add(**kw):
            nonlocal seq
            self.events.append(Event(seq=seq, **kw))
            seq += 1

        people = list(enumerate(self.users)) + [(users, self.stolen)]
        travelling = set(rng.sample(range(users), min(travellers, users)))
        for n, user in people:
            homes = [f"127.{20 + k}.{n % 250}.{1 + n // 250}" for k in range(rng.randint(1, 3))]
            node = rng.randrange(nodes)
            protocol = rng.choice(["imap", "imap", "pop3"])
            contacts = [f"friend{k}@remote{rng.randint(1, 40)}.example" for k in range(rng.randint(3, 12))]
            # The mail client reads at the start of the day and then every one to three hours.
            t = rng.uniform(0.0, 0.5)
            while t < 24:
                add(at=t, kind="read", user=user, source=rng.choice(homes), node=node, protocol=protocol)
                t += rng.uniform(1.0, 3.0)
            # 0-40 messages a day, from the addresses it reads from, in sessions of 1-4 messages.
            remaining = rng.randint(0, 40)
            while remaining > 0:
                batch = min(remaining, rng.randint(1, 4))
                remaining -= batch
                messages = [self._recipients(rng, contacts, users) for _ in range(batch)]
                add(at=rng.uniform(0.6, 23.5), kind="send", user=user, source=rng.choice(homes), node=node,
                    messages=messages)
            if n in travelling:
                # Away for a day: sends once from the hotel before its client has read mail there.
                hotel = f"127.30.{n % 250}.{1 + n // 250}"
                when = rng.uniform(8.0, 20.0)
                add(at=when, kind="send", user=user, source=hotel, node=node,
                    messages=[self._recipients(rng, contacts, users) for _ in range(rng.randint(1, 3))])
                add(at=when + 0.5, kind="read", user=user, source=hotel, node=node, protocol=protocol)
        # The attack: from `attack_start` on, every 20 minutes a burst from 3-6 botnet addresses,
        # each sending 1-3 messages to 10-20 addresses, spread over the nodes.
        bots = [f"127.100.{j}.7" for j in range(botnet)]
        t = attack_start
        while t < 24:
            for source in rng.sample(bots, rng.randint(3, 6)):
                victims = [[f"v{rng.randint(1, 10**6)}@target{rng.randint(1, 500)}.example"
                            for _ in range(rng.randint(10, 20))] for _ in range(rng.randint(1, 3))]
                add(at=t + rng.uniform(0, 0.05), kind="send", user=self.stolen, source=source,
                    node=rng.randrange(nodes), messages=victims, attacker=True)
            t += 1 / 3
        self.events.sort()

    @staticmethod
    def _recipients(rng: random.Random, contacts: list[str], users: int) -> list[str]:
        out = rng.sample(contacts, min(len(contacts), rng.randint(1, 3)))
        if rng.random() < 0.4:
            out.append(user_name(rng.randrange(users)))
        return out

    @property
    def accounts(self) -> list[str]:
        return self.users + [self.stolen]

    def counts(self) -> dict:
        sends = [e for e in self.events if e.kind == "send"]
        return {
            "events": len(self.events),
            "reads": sum(1 for e in self.events if e.kind == "read"),
            "normal messages": sum(len(e.messages) for e in sends if not e.attacker),
            "spam messages planned": sum(len(e.messages) for e in sends if e.attacker),
        }


class Client:
    """The protocol side: one node's ports and certificate."""

    def __init__(self, imap_port: int, pop3_port: int, submission_port: int, cafile: str):
        self.imap_port, self.pop3_port, self.submission_port = imap_port, pop3_port, submission_port
        self.context = ssl.create_default_context(cafile=cafile)

    def read(self, user: str, source: str, protocol: str) -> None:
        if protocol == "pop3":
            p = _POP3From(source, self.pop3_port)
            try:
                p.user(user)
                p.pass_(PASSWORD)
                p.stat()
            finally:
                p.quit()
        else:
            m = _IMAPFrom(source, self.imap_port)
            try:
                m.login(user, PASSWORD)
                m.select("INBOX", readonly=True)
            finally:
                m.logout()

    def send(self, user: str, source: str, messages: list, spam: bool, on_reply) -> None:
        """One submission session; `on_reply(code, text)` for each message."""
        with smtplib.SMTP("localhost", self.submission_port, timeout=60, source_address=(source, 0)) as s:
            s.starttls(context=self.context)
            s.ehlo()
            s.login(user, PASSWORD)
            for n, recipients in enumerate(messages):
                subject = "Cheap watches" if spam else f"Note {n}"
                body = (f"From: <{user}>\r\nTo: <{recipients[0]}>\r\nSubject: {subject}\r\n"
                        f"Message-ID: <{random.getrandbits(64):x}@{DOMAIN}>\r\n\r\nHello.\r\n").encode()
                try:
                    s.sendmail(user, recipients, body)
                    on_reply(250, "")
                except smtplib.SMTPRecipientsRefused as e:
                    code, text = next(iter(e.recipients.values()))
                    on_reply(code, text.decode(errors="replace"))
                    s.rset()
                except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as e:
                    on_reply(e.smtp_code, e.smtp_error.decode(errors="replace"))
                    s.rset()


class _IMAPFrom(imaplib.IMAP4):
    def __init__(self, source: str, port: int):
        self.source = source
        super().__init__("127.0.0.1", port, timeout=60)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(self.source, 0))


class _POP3From(poplib.POP3):
    def __init__(self, source: str, port: int):
        self.source = source
        super().__init__("127.0.0.1", port, timeout=60)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(self.source, 0))


def play(schedule: Schedule, clients: list[Client], hour: float = 5.0, workers: int = 8,
         until: float = 24.0) -> Outcome:
    """Plays the schedule: each event starts at its time (`hour` real seconds an hour) or as soon
    as a worker is free; returns what the clients saw."""
    out = Outcome()
    lock = threading.Lock()
    start = time.monotonic()
    queue = [e for e in schedule.events if e.at < until]
    heapq.heapify(queue)

    def run(event: Event) -> None:
        client = clients[event.node % len(clients)]
        try:
            if event.kind == "read":
                client.read(event.user, event.source, event.protocol)
                with lock:
                    out.reads += 1
                return

            def on_reply(code: int, text: str) -> None:
                with lock:
                    book = out.sent if code == 250 else out.refused if code >= 500 else out.deferred
                    book[event.user] = book.get(event.user, 0) + 1
                    if code >= 500:
                        out.refusal_texts.add(f"{code} {text}")
                    if event.attacker:
                        if code == 250:
                            out.attacker_sent += 1
                        elif code >= 400:
                            out.attacker_refused += 1
                            if out.attacker_first_refusal is None:
                                out.attacker_first_refusal = event.at

            client.send(event.user, event.source, event.messages, event.attacker, on_reply)
        except (smtplib.SMTPAuthenticationError, imaplib.IMAP4.error, poplib.error_proto) as e:
            with lock:
                if event.kind == "read":
                    out.read_failures.append((event.user, event.source, str(e)))
                else:
                    out.errors.append((event.kind, event.user, event.source, repr(e)))
        except (OSError, smtplib.SMTPException) as e:
            with lock:
                out.errors.append((event.kind, event.user, event.source, repr(e)))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = []
        while queue:
            event = heapq.heappop(queue)
            delay = start + event.at * hour - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pending.append(pool.submit(run, event))
            # Keep the backlog small, so that time-ordered events are not all queued at once
            # behind a slow server (the day then stretches instead).
            while sum(1 for f in pending if not f.done()) >= workers * 2:
                time.sleep(0.005)
            pending = [f for f in pending if not f.done()]
        for f in pending:
            f.result()
    return out


def seed_script(schedule: Schedule) -> dict:
    """The site's old daily script on the same day: accounts that sent through SMTP AUTH from an
    address from which they never read mail (POP3, IMAP) that day. It contains nothing: every
    spam message planned goes out before a human reads the report the next morning."""
    read: dict[str, set] = {}
    sent: dict[str, set] = {}
    for e in schedule.events:
        (read if e.kind == "read" else sent).setdefault(e.user, set()).add(e.source)
    flagged = {u for u, sources in sent.items() if sources - read.get(u, set())}
    return {
        "flagged_normal": sorted(flagged - {schedule.stolen}),
        "stolen_flagged": schedule.stolen in flagged,
        "spam_before_containment": sum(len(e.messages) for e in schedule.events if e.attacker and e.at < 24),
    }


class ReplaySite:
    """A Posta node for the replay (interop/loginsite.py's IMAP, POP3 and submission listeners,
    cleartext behind loopback), `abuse` appended to its configuration; with `database_url`, a node
    of a PostgreSQL cluster sharing `data` with the others."""

    def __init__(self, folder, abuse: str, accounts: list[str] | None = None, database_url: str | None = None,
                 data=None, node_id: str | None = None):
        from pathlib import Path
        from loginsite import LoginSite
        database = f'[database]\nurl = "{database_url}"\n' if database_url else ""
        self.site = LoginSite(Path(folder), database=abuse + "\n" + database)
        if data is not None:
            text = self.site.config.read_text().replace(
                f'data_dir = "{self.site.data}"', f'data_dir = "{data}"\nnode_id = "{node_id}"')
            self.site.config.write_text(text)
            self.site.data = Path(data)
        if accounts is not None:
            self.add_accounts(accounts)

    def add_accounts(self, accounts: list[str]) -> None:
        self.site.posta("domain", "add", DOMAIN)
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda a: self.site.posta("user", "add", a, "--password-stdin", stdin=PASSWORD + "\n"),
                          accounts + [f"postmaster@{DOMAIN}"]))

    def start(self) -> "ReplaySite":
        self.site.start()
        return self

    def stop(self) -> None:
        self.site.stop()

    def client(self) -> Client:
        return Client(self.site.imap_port, self.site.pop3_port, self.site.submission_port, str(self.site.cert))

    def posta_json(self, *args: str):
        import json
        return json.loads(self.site.posta(*args, "--json"))

    def suspended(self) -> list[str]:
        return sorted(s["account"] for s in self.posta_json("abuse", "list")["suspensions"])

    def held_from(self, sender: str) -> tuple[int, int]:
        """(held, not held) queued messages of `sender` with a pending remote recipient."""
        held = free = 0
        for entry in self.posta_json("queue", "list"):
            if entry["sender"].lower() != sender.lower():
                continue
            if not any(r["kind"] == "remote" and r["status"] == "pending" for r in entry["recipients"]):
                continue
            if entry["held"]:
                held += 1
            else:
                free += 1
        return held, free

    def report_subjects(self, account: str, timeout: float = 30.0) -> list[str]:
        """Subjects of the postmaster's INBOX messages that name `account`, read over IMAP."""
        import email
        deadline = time.monotonic() + timeout
        while True:
            m = _IMAPFrom("127.0.0.1", self.site.imap_port)
            try:
                m.login(f"postmaster@{DOMAIN}", PASSWORD)
                m.select("INBOX", readonly=True)
                _, data = m.search(None, "ALL")
                found = []
                for num in data[0].split():
                    _, parts = m.fetch(num, "(RFC822)")
                    message = email.message_from_bytes(parts[0][1])
                    text = parts[0][1].decode(errors="replace")
                    if account in text:
                        found.append(str(message["Subject"]))
            finally:
                m.logout()
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.5)

    def verdict(self, schedule: Schedule, outcome: Outcome, settle: float = 15.0) -> dict:
        """What the site did: waits up to `settle` seconds for the evaluation to finish, then reads
        the suspensions, the held queue and the postmaster's mail."""
        deadline = time.monotonic() + settle
        while schedule.stolen not in self.suspended() and time.monotonic() < deadline:
            time.sleep(0.5)
        suspended = self.suspended()
        held, free = self.held_from(schedule.stolen)
        subjects = self.report_subjects(schedule.stolen) if schedule.stolen in suspended else []
        return {
            "stolen_suspended": schedule.stolen in suspended,
            "false_suspensions": [a for a in suspended if a != schedule.stolen],
            "spam_before_containment": outcome.attacker_sent,
            "held": held,
            "not_held": free,
            "report_read": any("Suspicious actions" in s for s in subjects),
            "report_subjects": subjects,
        }

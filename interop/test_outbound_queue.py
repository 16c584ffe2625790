"""Outbound queue behaviour against real peers: SIGKILL during delivery loses nothing and sends
each message again at most once per kill; connections are limited per destination and reused."""
import json
import smtplib
import time
from pathlib import Path

from conftest import free_port
from smtp_double import SMTPDouble
from test_outbound import remote, start_dnsmasq  # noqa: F401  (remote is a fixture)
from test_submission import PASSWORD, SubmissionSite, message


def delivery_site(folder: Path, dns_port: int, smtp_port: int, extra: str = "") -> SubmissionSite:
    site = SubmissionSite(folder)
    site.config.write_text(site.config.read_text().replace(
        'nameservers = ["127.0.0.1:9"]',
        f'nameservers = ["127.0.0.1:{dns_port}"]\nsmtp_port = {smtp_port}\nretry_first = "1s"\nretry_max = "1s"\n{extra}'))
    return site.seed()


def submit(site: SubmissionSite, recipient: str, subjects: list[str]) -> None:
    with smtplib.SMTP("localhost", site.submission_port) as s:
        s.starttls(context=site.context())
        s.login("alice@example.org", PASSWORD)
        for subject in subjects:
            s.sendmail("alice@example.org", [recipient], message("alice@example.org", recipient, subject))


def wait_until(condition, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


PER_DOMAIN = 4


def test_sigkill_mid_delivery_delivers_everything_with_bounded_duplicates(tmp_path: Path, remote):
    """300 messages for remote.example (a real Postfix); Posta is SIGKILLed three times while it
    delivers them and restarted each time. Every message arrives. The bound: after a transaction
    ends, the runner records its outcome before it starts another job in that slot, so at most
    `max_connections_per_domain` (4) messages to one destination are ever accepted by the remote
    but not yet recorded as delivered (the RFC 5321 §6.1 window). A kill sends those again, so the
    destination may get at most 4 extra copies per kill, and one message at most one per kill."""
    count, kills = 300, 3
    remote["postfix"].stop()  # the messages queue up first (deferred: connection refused)
    site = delivery_site(tmp_path / "posta", remote["dns_port"], remote["smtp_port"],
                         f"max_connections_per_domain = {PER_DOMAIN}")
    site.start()
    try:
        subjects = [f"crash-{n:03d}" for n in range(count)]
        submit(site, "carol@remote.example", subjects)
        assert site.queue_counts() == (count, count)
        remote["postfix"].start()
        maildir = remote["maildir"]

        def arrived() -> list[Path]:
            return [p for sub in ("new", "cur") for p in (maildir / sub).glob("*")] if maildir.exists() else []

        for kill, threshold in enumerate((40, 120, 200)):
            assert wait_until(lambda: len(arrived()) >= threshold, 60, 0.01), f"kill {kill}: only {len(arrived())} arrived"
            site.kill()
            # Killed mid-delivery: the queue still holds messages.
            assert site.queue_counts()[1] > 0
            site.start()
        assert wait_until(lambda: site.queue_counts() == (0, 0), 120, 0.2), site.queue_counts()
        # Postfix has taken everything; wait until its own queue has delivered it all.
        assert wait_until(lambda: len(arrived()) >= count and remote["postfix"].log().count("status=sent") == len(arrived()), 60, 0.2)
        time.sleep(1)
        copies: dict[str, int] = {}
        for path in arrived():
            subject = next(line for line in path.read_bytes().split(b"\n") if line.startswith(b"Subject: "))
            copies[subject[9:].strip().decode()] = copies.get(subject[9:].strip().decode(), 0) + 1
        assert sorted(copies) == subjects, "lost messages: " + ", ".join(sorted(set(subjects) - set(copies)))
        duplicates = sum(copies.values()) - count
        assert max(copies.values()) <= 1 + kills
        assert duplicates <= kills * PER_DOMAIN, f"{duplicates} duplicates after {kills} kills"
        print(f"duplicates after {kills} kills: {duplicates}")
    finally:
        site.stop()


def test_connections_limited_per_domain_and_reused(tmp_path: Path):
    """60 messages for one domain whose server takes 50 ms per message: at most 3 connections at
    once (max_connections_per_domain = 3), all 3 used, and each carries many messages (RSET between)."""
    smtp_port = free_port()
    dns_port, dns = start_dnsmasq(tmp_path, "local=/reuse.example/\nmx-host=reuse.example,mx.reuse.example,10\n"
                                            "host-record=mx.reuse.example,127.0.0.4\n")
    site = delivery_site(tmp_path / "posta", dns_port, smtp_port, "max_connections_per_domain = 3")
    site.start()
    double = None
    try:
        subjects = [f"reuse-{n:02d}" for n in range(60)]
        submit(site, "dave@reuse.example", subjects)
        double = SMTPDouble("127.0.0.4", smtp_port, data_delay=0.05)
        assert wait_until(lambda: len(double.messages) >= 60, 60), len(double.messages)
        assert wait_until(lambda: site.queue_counts() == (0, 0), 10)
        assert sorted(b.split(b"Subject: ")[1].split(b"\r\n")[0].decode() for _, _, b in double.messages) == subjects
        assert double.max_active == 3, double.max_active
        assert double.sessions <= 9, double.sessions
        assert double.rsets >= 60 - double.sessions
    finally:
        site.stop()
        if double:
            double.stop()
        dns.kill()

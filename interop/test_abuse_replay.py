"""Compromised-account detection on a replayed day (interop/abusereplay.py; bench/abuse-replay
prints the same figures for BENCHMARKS.md): the stolen account is contained before it has sent
50 spam messages, its queued spam is held, the postmaster reads the report over IMAP, and no
normal user is suspended — on one SQLite node, and on two nodes sharing PostgreSQL with the
botnet sending through both."""
import smtplib
import subprocess
import uuid
from pathlib import Path

import pytest

import abusereplay
from abusereplay import PASSWORD, ReplaySite, Schedule, play

ABUSE = """
[abuse]
enabled = true
window = "60s"
evaluate_interval = "1s"
read_history = "1d"
history = "1d"
"""


def refused_now(site: ReplaySite, account: str) -> str:
    """The reply to the account's next submission (from a botnet address)."""
    s = smtplib.SMTP("localhost", site.site.submission_port, timeout=30, source_address=("127.100.99.7", 0))
    try:
        s.starttls(context=site.client().context)
        s.ehlo()
        s.login(account, PASSWORD)
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            s.sendmail(account, ["v@target.example"], b"Subject: more\r\n\r\nx\r\n")
        return f"{refused.value.smtp_code} {refused.value.smtp_error.decode()}"
    finally:
        s.quit()


def check(verdict: dict, outcome) -> None:
    assert verdict["stolen_suspended"], verdict
    assert verdict["false_suspensions"] == [], verdict
    assert 0 < verdict["spam_before_containment"] < 50, verdict
    assert verdict["held"] > 0 and verdict["not_held"] == 0, verdict
    assert verdict["report_read"], verdict
    assert not outcome.errors, outcome.errors[:5]
    assert not outcome.read_failures, outcome.read_failures[:5]


# Containment within 50 messages depends on the evaluators keeping pace with the botnet: both
# tests are measured without other tests loading the machine.
@pytest.mark.serial
def test_a_day_on_one_node(tmp_path: Path):
    schedule = Schedule(users=200)
    site = ReplaySite(tmp_path, abuse=ABUSE, accounts=schedule.accounts).start()
    try:
        outcome = play(schedule, [site.client()], hour=5.0)
        verdict = site.verdict(schedule, outcome)
        print(verdict, schedule.counts(), abusereplay.seed_script(schedule))
        check(verdict, outcome)
        reply = refused_now(site, schedule.stolen)
        assert reply.startswith("550 5.7.1") and "suspended" in reply, reply
    finally:
        site.stop()


@pytest.fixture
def database(postgres_url):
    name = "posta_abuse_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", postgres_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    subprocess.run(["psql", postgres_url, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


@pytest.mark.serial
def test_two_nodes_on_postgresql(tmp_path: Path, database: str):
    schedule = Schedule(users=30, nodes=2, attack_start=4.0)
    shared = tmp_path / "shared"
    shared.mkdir()
    a = ReplaySite(tmp_path / "a", abuse=ABUSE, database_url=database, data=shared, node_id="mx1")
    b = ReplaySite(tmp_path / "b", abuse=ABUSE, database_url=database, data=shared, node_id="mx2")
    a.add_accounts(schedule.accounts)
    a.start()
    b.start()
    try:
        outcome = play(schedule, [a.client(), b.client()], hour=5.0, until=12.0)
        botnet_nodes = {e.node for e in schedule.events if e.attacker and e.at < 12.0}
        assert botnet_nodes == {0, 1}
        verdict = a.verdict(schedule, outcome)
        print(verdict)
        check(verdict, outcome)
        for node in (a, b):
            reply = refused_now(node, schedule.stolen)
            assert reply.startswith("550 5.7.1"), reply
    finally:
        a.stop()
        b.stop()

"""The same policies enforced by Posta's own SMTP listeners, and quota counters shared by two
Posta nodes on one PostgreSQL database."""
import json
import subprocess
import uuid
from pathlib import Path

import pytest

from policysite import PolicySite, check_greylist, check_helo_blacklist, check_quota, refusal, send_authenticated


def test_quota_greylist_helo_inline(tmp_path: Path):
    site = PolicySite(tmp_path).seed().configure_policies().start()
    try:
        check_quota(lambda subject: send_authenticated(
            site.submission_port, "alice@example.org", "password-123", "alice@example.org", "bob@example.org", subject, tls=True))
        counters = json.loads(site.posta("policy", "quota", "--json"))
        assert [(c["key"], c["messages"]) for c in counters] == [("alice@example.org", 3)], counters
        check_greylist(site.smtp_port)
        check_helo_blacklist(site.smtp_port)
        greylist = json.loads(site.posta("policy", "greylist", "--json"))
        assert [(g["network"], g["recipient"], g["passed"]) for g in greylist] == [("127.0.0.0/24", "grey@example.org", True)]
        listed = json.loads(site.posta("policy", "list", "--json"))
        assert [p["name"] for p in listed] == ["senders", "helo", "grey"]
        # Disabled, the quota no longer applies.
        site.posta("policy", "disable", "senders")
    finally:
        site.stop()


@pytest.fixture
def database(postgres_url):
    name = "posta_policy_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", postgres_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    subprocess.run(["psql", postgres_url, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


def test_two_nodes_share_quota_counters(tmp_path: Path, database: str):
    shared = tmp_path / "shared"
    shared.mkdir()
    nodes = []
    for name in ("a", "b"):
        node = PolicySite(tmp_path / name, extra_config=f'[database]\nurl = "{database}"\n')
        node.config.write_text(node.config.read_text().replace(f'data_dir = "{node.data}"', f'data_dir = "{shared}"\nnode_id = "{name}"'))
        nodes.append(node)
    a, b = nodes
    a.seed().configure_policies()
    a.start()
    b.start()
    try:
        send = lambda node, subject: send_authenticated(
            node.submission_port, "alice@example.org", "password-123", "alice@example.org", "bob@example.org", subject, tls=True)
        assert refusal(lambda: send(a, "one")) == (250, "")
        assert refusal(lambda: send(b, "two")) == (250, "")
        assert refusal(lambda: send(a, "three")) == (250, "")
        code, text = refusal(lambda: send(b, "four"))
        assert code == 450 and "quota" in text, (code, text)
        code, _ = refusal(lambda: send(a, "five"))
        assert code == 450
    finally:
        a.stop()
        b.stop()

"""Cluster nodes for the interop tests: several `posta serve` processes sharing one PostgreSQL
database (a fresh one per test, the `database` fixture) and one data folder, as a site's identical
blades behind mx1/mx2 do."""
import poplib
import socket
import ssl
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import free_port, wait_for_port
from imapsite import RawIMAP
from mailsite import MailSite


@pytest.fixture
def database(postgres_url):
    name = "posta_cluster_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", postgres_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    subprocess.run(["psql", postgres_url, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


class Node(MailSite):
    """One node: its own config file and listeners (`listeners`: more `[[listener]]` tables; `limits`:
    more `[limits]` keys), the shared database and data folder."""

    def __init__(self, folder: Path, data: Path, database_url: str, node_id: str, listeners: str = "", limits: str = ""):
        self.pop3_port = free_port()
        super().__init__(folder, limits=limits, extra_config=f'''
[[listener]]
protocol = "pop3"
address = "127.0.0.1:{self.pop3_port}"
tls = "none"
{listeners}
[database]
url = "{database_url}"
''')
        text = self.config.read_text().replace(f'data_dir = "{self.data}"', f'data_dir = "{data}"\nnode_id = "{node_id}"')
        self.config.write_text(text)
        self.data = data

    def start(self):
        super().start()
        wait_for_port(self.pop3_port)
        return self

    def pop3_messages(self, user: str) -> list[bytes]:
        p = poplib.POP3("127.0.0.1", self.pop3_port, timeout=10)
        try:
            p.user(user)
            p.pass_("password-123")
            count, _ = p.stat()
            return [b"\r\n".join(p.retr(i + 1)[1]) + b"\r\n" for i in range(count)]
        finally:
            p.quit()


class IMAPNode(Node):
    """A cluster node with an IMAP listener (STARTTLS)."""

    def __init__(self, folder: Path, data: Path, database_url: str, node_id: str):
        self.imap_port = free_port()
        super().__init__(folder, data, database_url, node_id, listeners=f'''
[[listener]]
protocol = "imap"
address = "127.0.0.1:{self.imap_port}"
''')

    def start(self):
        super().start()
        wait_for_port(self.imap_port)
        return self

    def imap(self, user: str) -> RawIMAP:
        conn = RawIMAP(socket.create_connection(("127.0.0.1", self.imap_port), timeout=20))
        conn.starttls(ssl.create_default_context(cafile=str(self.cert)))
        conn.login(user)
        return conn


def start_pair(tmp_path: Path, database: str, kind: type = Node) -> tuple:
    """Nodes mx1 and mx2 (of `kind`) on `database` and one shared data folder, seeded and started."""
    shared = tmp_path / "shared"
    shared.mkdir()
    a = kind(tmp_path / "a", shared, database, "mx1")
    b = kind(tmp_path / "b", shared, database, "mx2")
    a.seed()  # the directory lives in the database: node b sees the same users at once
    a.start()
    b.start()
    return a, b

"""File modes (issue #12 item 9): `posta serve --dev` from an empty folder creates the data folder, spool,
mail folder, database (with its -wal and -shm files) and TLS key owner-only (umask 0077); the admin CLI
creating the database does too; a key or data folder others can read is named in a warning at start."""
import os
import signal
import stat
from pathlib import Path

import pytest

from conftest import Site, wait_for_port, write_config

DEV_HTTP = 8080


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def loose_umask():
    """What a login shell usually has: the server must not rely on it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.serial
def test_dev_site_is_owner_only_and_loose_modes_are_reported(tmp_path: Path, servers):
    server = servers(["--dev"], cwd=tmp_path)
    wait_for_port(DEV_HTTP)
    data = tmp_path / "posta-data"
    # A user's mail folder, made by the admin CLI (under the same umask).
    site = Site(tmp_path, data / "posta.toml")
    r = site.posta("user", "add", "alice@example.test", "--password-stdin", stdin="a-good-password\n", cwd=tmp_path)
    assert r.code == 0, r
    secret = [data, data / "posta.db", data / "posta.db-wal", data / "posta.db-shm", data / "spool", data / "mail",
              data / "mail" / "example.test" / "alice", data / "mail" / "example.test" / "alice" / "new", data / "tls" / "key.pem"]
    for path in secret:
        assert path.exists(), path
        assert mode(path) & 0o077 == 0, f"{path} has mode {oct(mode(path))}"
    code, _, _, err = server.stop(signal.SIGTERM)
    assert code == 0, err
    assert "readable by others" not in err, err

    (data / "tls" / "key.pem").chmod(0o644)
    data.chmod(0o755)
    server = servers(["--dev"], cwd=tmp_path)
    wait_for_port(DEV_HTTP)
    code, _, _, err = server.stop(signal.SIGTERM)
    assert code == 0, err
    warnings = [line for line in err.splitlines() if "readable by others" in line]
    assert any(str(data / "tls" / "key.pem") in line and "0644" in line for line in warnings), err
    assert any(str(data) in line and "0755" in line for line in warnings), err


def test_the_cli_creates_an_owner_only_database(tmp_path: Path):
    site = Site(tmp_path, write_config(tmp_path))
    site.ok("domain", "add", "example.test")
    assert mode(tmp_path / "posta.db") & 0o077 == 0, oct(mode(tmp_path / "posta.db"))

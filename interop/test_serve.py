"""`posta serve`: dev mode from an empty folder, /healthz, TLS, JSON logs, clean and quick shutdown."""
import json
import signal
import socket
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import Site, free_port, wait_for_port, write_config

DEV_HTTP = 8080


def get(url: str, context=None) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30, context=context) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.mark.serial
def test_dev_mode_from_empty_folder(tmp_path: Path, servers):
    server = servers(["--dev"], cwd=tmp_path)
    wait_for_port(DEV_HTTP)
    data = tmp_path / "posta-data"
    assert (data / "posta.toml").is_file() and (data / "posta.db").is_file()
    assert (data / "tls" / "key.pem").stat().st_mode & 0o077 == 0, "the private key must not be readable by others"

    # The admin CLI run from the same folder finds the config by itself.
    site = Site(tmp_path, data / "posta.toml")
    r = site.posta("user", "add", "alice@example.test", "--password-stdin", stdin="a-good-password\n", cwd=tmp_path)
    assert r.code == 0, r
    r = site.posta("user", "list", "--json", cwd=tmp_path)
    assert [u["address"] for u in r.json()] == ["alice@example.test"], r
    assert [d["name"] for d in site.posta("domain", "list", "--json", cwd=tmp_path).json()] == ["example.test"]

    assert get(f"http://127.0.0.1:{DEV_HTTP}/healthz") == (200, {"status": "ok", "database": "ok"})

    # The self-signed certificate is for localhost and its own trust root.
    cert = subprocess.run(["openssl", "x509", "-in", str(data / "tls" / "cert.pem"), "-noout", "-text"], capture_output=True, text=True, check=True).stdout
    assert "DNS:localhost" in cert and "IP Address:127.0.0.1" in cert and "CA:TRUE" in cert

    code, elapsed, out, err = server.stop(signal.SIGINT)
    assert code == 0, err
    assert elapsed < 2.0, f"Ctrl-C took {elapsed:.2f}s"
    assert "http" in out and "127.0.0.1:8080" in out and "posta user add" in out, out

    # A second start reuses the site as it is.
    before = (data / "posta.toml").read_text(), (data / "tls" / "cert.pem").read_text()
    server = servers(["--dev"], cwd=tmp_path)
    wait_for_port(DEV_HTTP)
    assert [u["address"] for u in site.posta("user", "list", "--json", cwd=tmp_path).json()] == ["alice@example.test"]
    assert ((data / "posta.toml").read_text(), (data / "tls" / "cert.pem").read_text()) == before
    code, elapsed, _, err = server.stop(signal.SIGTERM)
    assert code == 0 and elapsed < 2.0, (code, elapsed, err)


def test_dev_mode_data_option(tmp_path: Path, servers):
    server = servers(["--dev", "--data", str(tmp_path / "elsewhere")], cwd=tmp_path)
    wait_for_port(DEV_HTTP)
    assert (tmp_path / "elsewhere" / "posta.toml").is_file()
    assert not (tmp_path / "posta-data").exists()
    code, _, out, _ = server.stop()
    assert code == 0 and f"--config {tmp_path / 'elsewhere'}/posta.toml" in out, out


@pytest.mark.serial
def test_shutdown_with_open_connection(tmp_path: Path, servers):
    port = free_port()
    config = write_config(tmp_path, http_port=port)
    server = servers(["--config", str(config)], cwd=tmp_path)
    wait_for_port(port)
    idle = socket.create_connection(("127.0.0.1", port))
    busy = socket.create_connection(("127.0.0.1", port))
    busy.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert b"200 OK" in busy.recv(4096)
    code, elapsed, _, err = server.stop(signal.SIGTERM)
    assert code == 0 and elapsed < 2.0, (code, elapsed, err)
    idle.close()
    busy.close()


def test_https_and_json_logs(tmp_path: Path, servers):
    # Borrow the dev certificate: make a dev site, stop it, then serve HTTPS with JSON logs.
    dev = servers(["--dev", "--data", str(tmp_path / "dev")], cwd=tmp_path)
    wait_for_port(DEV_HTTP)
    dev.stop()
    # A free port can be taken by a parallel test's peer before Posta binds it; then Posta exits
    # and the port answers for someone else: start again on another port.
    for _ in range(3):
        port = free_port()
        config = write_config(
            tmp_path, http_port=port,
            extra=f'[log]\nformat = "json"\nlevel = "info"\n[tls]\ncert = "{tmp_path}/dev/tls/cert.pem"\nkey = "{tmp_path}/dev/tls/key.pem"\n')
        config.write_text(config.read_text() + 'tls = "implicit"\n')
        server = servers(["--config", str(config)], cwd=tmp_path)
        wait_for_port(port)
        time.sleep(0.3)
        if server.proc.poll() is None:
            break
    context = ssl.create_default_context(cafile=str(tmp_path / "dev" / "tls" / "cert.pem"))
    # 127.0.0.1, where the listener is (the certificate names it too): `localhost` tries ::1 first,
    # where a parallel test's peer may listen on the same port number and never answer TLS.
    assert get(f"https://127.0.0.1:{port}/healthz", context) == (200, {"status": "ok", "database": "ok"})
    code, _, _, err = server.stop()
    assert code == 0, err
    records = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert records and all({"time", "level", "label", "message"} <= r.keys() for r in records), err
    assert any(r["message"] == "database migrated" for r in records)


def test_bad_config_stops_serve_with_the_error(tmp_path: Path):
    bad = tmp_path / "posta.toml"
    bad.write_text('hostname = "mx.example.test"\ndata_dir = "."\n[limits]\nmax_connections = "many"\n')
    from conftest import POSTA
    r = subprocess.run([POSTA, "serve", "--config", str(bad)], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and ":4:" in r.stderr and "limits.max_connections" in r.stderr, r.stderr


@pytest.mark.parametrize("protocol", ["http", "imap", "imap-beside-others"])
def test_a_taken_port_stops_serve_with_the_error(tmp_path: Path, protocol: str):
    """A listener whose port is taken ends `posta serve` at start with one line naming the address
    (the HTTP listener used to hang there, deaf to SIGTERM; so did every TCP listener that had
    bound before another failed, as its wait for the socket to close ignored cancellation)."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        config = write_config(tmp_path, http_port=port if protocol == "http" else free_port())
        if protocol.startswith("imap"):
            others = ["smtp", "pop3", "lmtp", "managesieve"] if protocol == "imap-beside-others" else []
            listeners = [(p, free_port()) for p in others] + [("imap", port)]
            config.write_text(config.read_text() + "".join(
                f'[[listener]]\nprotocol = "{p}"\naddress = "127.0.0.1:{n}"\ntls = "none"\n' for p, n in listeners))
        from conftest import POSTA
        r = subprocess.run([POSTA, "serve", "--config", str(config)], capture_output=True, text=True, timeout=30, cwd=tmp_path)
        assert r.returncode != 0 and f"cannot listen on 127.0.0.1:{port}" in r.stderr, r.stderr[-2000:]
    finally:
        taken.close()

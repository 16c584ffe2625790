"""The admin CLI: domains, users, aliases, passwords, errors, --json, config discovery."""
import subprocess

from conftest import Site, write_config


def test_domains_users_aliases_roundtrip(site: Site):
    site.ok("domain", "add", "Example.ORG")
    assert [d["name"] for d in site.ok("domain", "list", "--json").json()] == ["example.org"]
    site.ok("user", "add", "alice@example.org", "--name", "Alice", "--quota", "2G", "--password-stdin", stdin="correct horse\n")
    site.ok("user", "add", "bob@example.org", "--password-stdin", stdin="battery staple\n")
    users = site.ok("user", "list", "--json").json()
    assert [u["address"] for u in users] == ["alice@example.org", "bob@example.org"]
    alice = users[0]
    assert alice["display_name"] == "Alice" and alice["quota_bytes"] == 2 << 30 and alice["enabled"] is True
    assert "password" not in alice and alice["password_scheme"] == "CRYPT" and alice["weak_password"] is False

    site.ok("user", "disable", "alice@example.org")
    site.ok("user", "quota", "alice@example.org", "500M")
    shown = site.ok("user", "show", "ALICE@example.org", "--json").json()
    assert shown["enabled"] is False and shown["quota_bytes"] == 500 << 20
    site.ok("user", "enable", "alice@example.org")
    site.ok("user", "passwd", "alice@example.org", "--password-stdin", stdin="a new passphrase\n")

    site.ok("alias", "add", "team@example.org", "alice@example.org", "bob@example.org", "x@remote.example")
    site.ok("alias", "add", "@example.org", "postmaster@example.org")
    aliases = site.ok("alias", "list", "--json").json()
    assert aliases == [
        {"source": "@example.org", "targets": ["postmaster@example.org"]},
        {"source": "team@example.org", "targets": ["alice@example.org", "bob@example.org", "x@remote.example"]},
    ]
    resolved = site.ok("resolve", "team@example.org", "--json").json()
    assert [(r["kind"], r["address"]) for r in resolved] == [
        ("mailbox", "alice@example.org"), ("mailbox", "bob@example.org"), ("external", "x@remote.example")]
    assert site.ok("resolve", "bob+news@example.org", "--json").json() == [{"kind": "mailbox", "address": "bob@example.org", "detail": "news"}]

    site.ok("alias", "del", "team@example.org", "x@remote.example")
    site.ok("alias", "del", "team@example.org")
    site.ok("alias", "del", "@example.org")
    site.ok("user", "del", "bob@example.org")
    site.ok("user", "del", "alice@example.org")
    site.ok("domain", "del", "example.org")
    assert site.ok("domain", "list", "--json").json() == []
    # Text listings are for people: a header and aligned columns.
    assert site.ok("domain", "list").out.startswith("DOMAIN")


def one_line_error(r) -> str:
    assert r.code != 0, r
    lines = [l for l in r.err.strip().splitlines() if l.strip()]
    assert len(lines) == 1, r
    return lines[0]


def test_errors_are_one_clear_line(site: Site):
    assert "unknown domain 'nowhere.example'" in one_line_error(site.posta("user", "add", "a@nowhere.example", "--password-stdin", stdin="longenough\n"))
    site.ok("domain", "add", "example.org")
    assert "already exists" in one_line_error(site.posta("domain", "add", "example.org"))
    assert "invalid address" in one_line_error(site.posta("user", "add", "not-an-address", "--password-stdin", stdin="longenough\n"))
    site.ok("user", "add", "a@example.org", "--password-stdin", stdin="longenough\n")
    assert "user 'a@example.org' already exists" in one_line_error(site.posta("user", "add", "A@example.org", "--password-stdin", stdin="longenough\n")).lower()
    assert "shorter than 8" in one_line_error(site.posta("user", "add", "b@example.org", "--password-stdin", stdin="short\n"))
    assert "no such user" in one_line_error(site.posta("user", "show", "zz@example.org"))
    assert "still has 1 user" in one_line_error(site.posta("domain", "del", "example.org"))
    assert "invalid size" in one_line_error(site.posta("user", "quota", "a@example.org", "lots"))
    assert "not a terminal" in one_line_error(site.posta("user", "passwd", "a@example.org", stdin=""))
    assert "not in a local domain" in one_line_error(site.posta("alias", "add", "x@other.example", "a@example.org"))


def test_imported_hashes_log_in_through_directory(site: Site):
    """`--password-hash` keeps a hash made by Dovecot; `user show` reports its scheme."""
    site.ok("domain", "add", "example.org")
    hashed = subprocess.run(["doveadm", "pw", "-s", "SSHA512", "-p", "migrated-pw"], capture_output=True, text=True, check=True).stdout.strip()
    site.ok("user", "add", "old@example.org", "--password-hash", hashed)
    shown = site.ok("user", "show", "old@example.org", "--json").json()
    assert shown["password_scheme"] == "SSHA512" and shown["weak_password"] is False
    plain = site.posta("user", "add", "weak@example.org", "--password-hash", "{PLAIN}secret")
    assert plain.code == 0, plain
    assert site.ok("user", "show", "weak@example.org", "--json").json()["weak_password"] is True
    assert site.posta("user", "add", "bad@example.org", "--password-hash", "{NOPE}xyz").code != 0


def test_config_discovery_order(tmp_path):
    # ./posta-data/posta.toml is found from the folder above it…
    data = tmp_path / "posta-data"
    data.mkdir()
    write_config(data)
    s = Site(tmp_path, data / "posta.toml")
    r = s.posta("domain", "add", "found.example", cwd=tmp_path)
    assert r.code == 0, r
    # …$POSTA_CONFIG beats it…
    other = tmp_path / "other"
    other.mkdir()
    write_config(other)
    r = s.posta("domain", "list", "--json", cwd=tmp_path, env={"POSTA_CONFIG": str(other / "posta.toml")})
    assert r.code == 0 and r.json() == [], r
    # …and --config beats both.
    r = s.posta("domain", "list", "--json", "--config", str(data / "posta.toml"), cwd=tmp_path, env={"POSTA_CONFIG": str(other / "posta.toml")})
    assert [d["name"] for d in r.json()] == ["found.example"], r
    # With nothing to find, the error says where it looked.
    empty = tmp_path / "empty"
    empty.mkdir()
    r = s.posta("domain", "list", cwd=empty)
    assert r.code != 0 and "no configuration found" in r.err, r


def test_config_check(tmp_path):
    good = write_config(tmp_path)
    s = Site(tmp_path, good)
    r = s.posta("config", "check")
    assert r.code == 0 and "configuration OK" in r.out, r
    bad = tmp_path / "bad.toml"
    bad.write_text('hostname = "mx.example.test"\ndata_dir = "."\nhostnme = "typo"\n\n[[listener]]\nprotocol = "smtp"\naddress = "127.0.0.1:70000"\n')
    r = s.posta("config", "check", "--config", str(bad), cwd=tmp_path)
    assert r.code != 0, r
    assert ":3:" in r.err and "hostnme" in r.err, r
    assert ":7:" in r.err and "listener[0].address" in r.err or "listener[1].address" in r.err, r


def test_postgresql_site(tmp_path, postgres_url):
    """The same admin commands against PostgreSQL (the cluster database)."""
    import uuid
    name = "posta_cli_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", postgres_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        url = postgres_url.rsplit("/", 1)[0] + "/" + name
        s = Site(tmp_path, write_config(tmp_path, database_url=url))
        s.ok("domain", "add", "example.org")
        s.ok("user", "add", "alice@example.org", "--password-stdin", stdin="correct horse\n")
        assert [u["address"] for u in s.ok("user", "list", "--json").json()] == ["alice@example.org"]
        rows = subprocess.run(["psql", url, "-tAc", "SELECT address FROM account"], capture_output=True, text=True, check=True).stdout.split()
        assert rows == ["alice@example.org"]
    finally:
        subprocess.run(["psql", postgres_url, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)

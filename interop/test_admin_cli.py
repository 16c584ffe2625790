"""`posta admin` and `posta audit`: administrators, roles, TOTP, API tokens, and the audit log of CLI changes."""
import base64
import getpass
import json

from conftest import Site


def one_line_error(r) -> str:
    assert r.code != 0, r
    lines = [l for l in r.err.strip().splitlines() if l.strip()]
    assert len(lines) == 1, r
    return lines[0]


def test_administrators_roles_totp_tokens(site: Site):
    site.ok("domain", "add", "example.org")
    site.ok("admin", "add", "Root", "--role", "superadmin", "--name", "Root", "--password-stdin", stdin="root-password-1\n")
    site.ok("admin", "add", "hal", "--role", "helpdesk", "--password-stdin", stdin="hal-password-1\n")
    # A domain admin needs a domain, and the domain must exist.
    assert "at least one domain" in one_line_error(
        site.posta("admin", "add", "dora", "--role", "domain-admin", "--password-stdin", stdin="dora-password-1\n"))
    assert "not found" in one_line_error(site.posta(
        "admin", "add", "dora", "--role", "domain-admin", "--domain", "nowhere.example", "--password-stdin", stdin="dora-password-1\n"))
    site.ok("admin", "add", "dora", "--role", "domain-admin", "--domain", "example.org", "--password-stdin", stdin="dora-password-1\n")
    assert "already exists" in one_line_error(site.posta("admin", "add", "hal", "--password-stdin", stdin="hal-password-1\n"))
    assert "shorter than 8" in one_line_error(site.posta("admin", "add", "short", "--password-stdin", stdin="x\n"))

    admins = site.ok("admin", "list", "--json").json()
    assert [(a["login"], a["role"], a["domains"]) for a in admins] == [
        ("dora", "domain-admin", ["example.org"]), ("hal", "helpdesk", []), ("root", "superadmin", [])]
    assert all("password" not in a for a in admins)
    assert site.ok("admin", "list").out.startswith("LOGIN")

    site.ok("admin", "role", "hal", "domain-admin", "--domain", "example.org")
    assert [a["role"] for a in site.ok("admin", "list", "--json").json() if a["login"] == "hal"] == ["domain-admin"]
    site.ok("admin", "passwd", "hal", "--password-stdin", stdin="hal-password-2\n")

    # TOTP (RFC 6238): the secret in base32 and an otpauth:// URI naming it.
    out = site.ok("admin", "totp", "enable", "root").out
    secret = next(l.split(":", 1)[1].strip() for l in out.splitlines() if l.strip().startswith("secret:"))
    uri = next(l.split(":", 1)[1].strip() for l in out.splitlines() if l.strip().startswith("uri:"))
    assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) == 20
    assert uri.startswith("otpauth://totp/Posta:root?") and f"secret={secret}" in uri and "period=30" in uri and "digits=6" in uri
    assert [a["totpEnabled"] for a in site.ok("admin", "list", "--json").json() if a["login"] == "root"] == [True]
    site.ok("admin", "totp", "disable", "root")

    # API tokens: shown once; listings never show them.
    out = site.ok("admin", "token", "add", "hal", "nightly report").out.strip().splitlines()
    token = out[-1]
    assert token.startswith("posta_") and len(token) > 40
    listed = site.ok("admin", "token", "list", "--json")
    assert token not in listed.out
    tokens = listed.json()
    assert [(t["admin"], t["name"]) for t in tokens] == [("hal", "nightly report")]
    site.ok("admin", "token", "del", str(tokens[0]["id"]))
    assert site.ok("admin", "token", "list", "--json").json() == []
    assert "not found" in one_line_error(site.posta("admin", "token", "del", "999"))

    site.ok("admin", "del", "dora")
    assert "not found" in one_line_error(site.posta("admin", "del", "dora"))
    assert [a["login"] for a in site.ok("admin", "list", "--json").json()] == ["hal", "root"]


def test_cli_changes_are_audited(site: Site):
    site.ok("domain", "add", "example.org")
    site.ok("user", "add", "alice@example.org", "--name", "Alice", "--quota", "1G", "--password-stdin", stdin="correct horse\n")
    site.ok("user", "quota", "alice@example.org", "2G")
    site.ok("user", "passwd", "alice@example.org", "--password-stdin", stdin="battery staple\n")
    site.ok("alias", "add", "team@example.org", "alice@example.org")
    site.ok("admin", "add", "root", "--password-stdin", stdin="root-password-1\n")

    page = site.ok("audit", "list", "--json").json()
    entries = page["entries"]
    actor = f"cli:{getpass.getuser()}"
    assert all(e["actor"] == actor and e["channel"] == "cli" for e in entries)
    # Newest first.
    assert [e["action"] for e in entries] == [
        "admin.add", "alias.add", "account.password", "account.quota", "account.create", "domain.add"]
    created = next(e for e in entries if e["action"] == "account.create")
    assert created["before"] is None
    after = json.loads(created["after"])
    assert after["address"] == "alice@example.org" and after["displayName"] == "Alice" and after["quotaBytes"] == 1 << 30
    quota = next(e for e in entries if e["action"] == "account.quota")
    assert json.loads(quota["before"]) == {"quota_bytes": 1 << 30} and json.loads(quota["after"]) == {"quota_bytes": 2 << 30}
    # Never a password or a hash.
    for e in entries:
        for text in (e["before"] or "", e["after"] or ""):
            assert "password" not in text.lower() and "$y$" not in text

    # Filters and paging.
    only = site.ok("audit", "list", "--action", "account.quota", "--json").json()["entries"]
    assert [e["target"] for e in only] == ["alice@example.org"]
    first = site.ok("audit", "list", "--limit", "4", "--json").json()
    assert len(first["entries"]) == 4 and first["next"]
    rest = site.ok("audit", "list", "--limit", "4", "--cursor", first["next"], "--json").json()
    assert [e["id"] for e in rest["entries"]] == [e["id"] for e in entries[4:]] and rest["next"] is None
    assert site.ok("audit", "list").out.startswith("ID")

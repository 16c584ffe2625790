"""`posta import accounts` and `posta import postfix` (issue #21) against the real programs whose files they read.

Accounts: a Dovecot passwd-file whose hashes `doveadm pw` makes (one per scheme Posta verifies, plus one it does
not), imported with `--domain-create`: a dry run writes nothing, the import stores each hash as written, a second
run creates nothing, and every user then logs in over IMAP with the password they had.

Postfix: a virtual(5) table with addresses, several targets, a chain, a keep-a-copy entry, remote targets and a
catch-all, imported with its virtual_mailbox_domains list. For every key, Postfix's own answer (`postmap -q`
on the hashed table, expanded the way trivial-rewrite does: again for each result until it is no key, the
catch-all `@domain` when the address is none) equals what `posta resolve` says."""
import imaplib
import json
import re
import ssl
import subprocess
from pathlib import Path

from conftest import POSTA, free_port, wait_for_port
from mailsite import MailSite

# Scheme → the password its user had on the old site.
SCHEMES = {
    "SHA512-CRYPT": "old-sha512-crypt",
    "SHA256-CRYPT": "old-sha256-crypt",
    "BLF-CRYPT": "old-blowfish",
    "MD5-CRYPT": "old-md5-crypt",
    "SSHA512": "old-ssha512",
    "SSHA256": "old-ssha256",
    "SSHA": "old-ssha",
    "SHA256": "old-sha256",
    "PLAIN": "old-plain",
}
# A scheme Posta does not verify (Fixtures/passwd-file of the Swift tests holds the same hash).
ARGON2 = "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$XIFFs03Y0eWCLZwvfaCfvQ$Vj/ZxrMrifMJmaE/i/2OHTaXYbDKsgap99V3T9+YTFM"


def doveadm_pw(scheme: str, password: str) -> str:
    r = subprocess.run(["doveadm", "pw", "-s", scheme, "-p", password], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def user(scheme: str) -> str:
    return f"{scheme.lower()}@migrated.example"


def posta_json(site: MailSite, *args) -> dict | list:
    r = subprocess.run([POSTA, *args, "--json", "--config", str(site.config)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return json.loads(r.stdout)


def site_with_imaps(folder: Path) -> tuple[MailSite, int]:
    imaps = free_port()
    site = MailSite(folder, extra_config=f'''
[[listener]]
protocol = "imaps"
address = "127.0.0.1:{imaps}"
''')
    return site, imaps


def test_imported_users_log_in_over_imap_with_their_old_passwords(tmp_path: Path):
    hashes = {scheme: doveadm_pw(scheme, password) for scheme, password in SCHEMES.items()}
    lines = ["# made by doveadm pw"]
    for scheme, hashed in hashes.items():
        extra = ":5000:5000:Old User:/var/vmail/x::userdb_quota_rule=*:storage=2G" if scheme == "BLF-CRYPT" else "::::::"
        lines.append(f"{user(scheme)}:{hashed}{extra}")
    lines.append(f"argon@migrated.example:{ARGON2}::::::")
    passwd = tmp_path / "users"
    passwd.write_text("\n".join(lines) + "\n")
    argon_line = len(lines)

    site, imaps = site_with_imaps(tmp_path / "posta")

    def accounts() -> dict[str, tuple[str, int]]:
        with site.db() as db:
            return {a: (p, q) for a, p, q in db.execute("SELECT address, password, quota_bytes FROM account")}

    dry = posta_json(site, "import", "accounts", str(passwd), "--format", "passwd-file", "--domain-create", "--dry-run")
    assert dry["dryRun"] is True
    assert (dry["created"], dry["exists"], dry["skipped"]) == (len(SCHEMES) + 1, 0, 1)
    assert accounts() == {}
    assert site.posta("domain", "list").count("migrated.example") == 0

    summary = posta_json(site, "import", "accounts", str(passwd), "--format", "passwd-file", "--domain-create")
    assert (summary["created"], summary["exists"], summary["skipped"]) == (len(SCHEMES) + 1, 0, 1)
    skipped = [e for e in summary["entries"] if e["outcome"] == "skipped"]
    assert skipped == [{"file": str(passwd), "line": argon_line, "kind": "account", "name": "argon@migrated.example",
                        "outcome": "skipped", "reason": "password scheme {ARGON2ID} is not supported"}]
    stored = accounts()
    # Each hash byte for byte as doveadm wrote it; the quota rule became the quota.
    assert {a: p for a, (p, _) in stored.items()} == {user(s): h for s, h in hashes.items()}
    assert stored[user("BLF-CRYPT")][1] == 2 << 30
    # The audit log records each creation as the CLI's own (`posta user add`) would be.
    audit = posta_json(site, "audit", "list", "--action", "account.create", "--limit", "100")["entries"]
    assert sorted(e["target"] for e in audit) == sorted(user(s) for s in SCHEMES)
    assert {e["channel"] for e in audit} == {"cli"}

    again = posta_json(site, "import", "accounts", str(passwd), "--format", "passwd-file", "--domain-create")
    assert (again["created"], again["exists"], again["skipped"]) == (0, len(SCHEMES), 1)
    assert accounts() == stored

    site.start()
    try:
        wait_for_port(imaps)
        context = ssl.create_default_context(cafile=str(site.cert))
        context.check_hostname = False
        for scheme, password in SCHEMES.items():
            imap = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=context, timeout=60)
            assert imap.login(user(scheme), password)[0] == "OK", scheme
            assert imap.select("INBOX")[0] == "OK", scheme
            imap.logout()
            imap = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=context, timeout=60)
            try:
                imap.login(user(scheme), password + "x")
                raise AssertionError(f"{scheme}: a wrong password logged in")
            except imaplib.IMAP4.error:
                pass
            imap.shutdown()
    finally:
        site.stop()


VIRTUAL = """\
# virtual_alias_maps = hash:/etc/postfix/virtual
postmaster@example.org    alice@example.org
info@example.org          alice@example.org, bob@example.org
sales@example.org         team@example.org,
                          partner@remote.example
team@example.org          bob@example.org carol@example.org
alice@example.org         alice@example.org, archive@remote.example
Carol.Smith@example.org   carol@example.org
@example.net              catchall@example.org
owner@example.net         alice@example.org
"""
DOMAINS = "example.org OK\nexample.net OK\n"
MAILBOXES = ["alice", "bob", "carol", "catchall"]


def postfix_lookup(table: Path, key: str) -> list[str] | None:
    r = subprocess.run(["postmap", "-q", key, f"hash:{table}"], capture_output=True, text=True, timeout=30)
    if r.returncode == 1:
        return None
    assert r.returncode == 0, r.stderr
    return [t for t in re.split(r"[,\s]+", r.stdout.strip()) if t]


def postfix_resolve(table: Path, address: str, depth: int = 0) -> set[str]:
    """Where Postfix's virtual alias expansion sends `address`: the address, else `@domain`; each result expanded
    again, but a result equal to its key is final (virtual(5): "keep a copy")."""
    assert depth < 20
    results = postfix_lookup(table, address)
    if results is None:
        results = postfix_lookup(table, "@" + address.rsplit("@", 1)[1])
    if results is None:
        return {address.lower()}
    out: set[str] = set()
    for result in results:
        out |= {result.lower()} if result.lower() == address.lower() else postfix_resolve(table, result, depth + 1)
    return out


def test_virtual_aliases_resolve_as_postmap_answers(tmp_path: Path):
    table, domains = tmp_path / "virtual", tmp_path / "vmailbox_domains"
    table.write_text(VIRTUAL)
    domains.write_text(DOMAINS)
    subprocess.run(["postmap", str(table)], check=True, capture_output=True, timeout=30)

    site = MailSite(tmp_path / "posta")
    args = ["import", "postfix", "--virtual-mailbox-domains", str(domains), "--virtual-alias-maps", str(table)]
    dry = posta_json(site, *args, "--dry-run")
    assert (dry["created"], dry["skipped"]) == (2 + 8, 0)
    assert site.posta("alias", "list").strip() == "SOURCE  TARGETS"

    summary = posta_json(site, *args)
    assert (summary["created"], summary["exists"], summary["skipped"]) == (2 + 8, 0, 0)
    assert [e["outcome"] for e in summary["entries"]] == [e["outcome"] for e in dry["entries"]]
    for name in MAILBOXES:
        site.posta("user", "add", f"{name}@example.org", "--password-stdin", stdin="password-123\n")
    again = posta_json(site, *args)
    assert (again["created"], again["exists"]) == (0, 2 + 8)

    keys = [line.split()[0] for line in VIRTUAL.splitlines() if line and not line[0].isspace() and not line.startswith("#")]
    addresses = [("someone" + k if k.startswith("@") else k) for k in keys] + ["other@example.net", "bob@example.org"]
    for address in addresses:
        posta = {line["address"].lower() for line in posta_json(site, "resolve", address)}
        assert posta == postfix_resolve(table, address), address


ALIASES = """\
# /etc/aliases
postmaster: root
root: alice
webmaster: alice, bob@local.example
team: webmaster, carol
procmail: "|/usr/bin/procmail -m /etc/procmailrc"
mixed: carol, /var/mail/archive
lists: :include:/etc/mail/lists.txt
"""
UNSUPPORTED = ("|", "/", ":include:")


def postalias_resolve(table: Path, name: str, domain: str, depth: int = 0) -> set[str]:
    """local(8) alias expansion as `postalias -q` answers it, less what Posta leaves out (commands, files,
    :include:): each bare name expanded again, a name that is no alias a mailbox of `domain`."""
    assert depth < 20
    r = subprocess.run(["postalias", "-q", name, f"hash:{table}"], capture_output=True, text=True, timeout=30)
    if r.returncode == 1:
        return {f"{name}@{domain}"}
    assert r.returncode == 0, r.stderr
    out: set[str] = set()
    for target in (t.strip().strip('"') for t in r.stdout.strip().split(",")):
        if target.lower().startswith(UNSUPPORTED):
            continue
        out |= {target.lower()} if "@" in target else postalias_resolve(table, target, domain, depth + 1)
    return out


def test_local_aliases_resolve_as_postalias_answers(tmp_path: Path):
    aliases = tmp_path / "aliases"
    aliases.write_text(ALIASES)
    subprocess.run(["postalias", str(aliases)], check=True, capture_output=True, timeout=30)
    site = MailSite(tmp_path / "posta")
    site.posta("domain", "add", "local.example")
    for name in ("alice", "bob", "carol"):
        site.posta("user", "add", f"{name}@local.example", "--password-stdin", stdin="password-123\n")

    summary = posta_json(site, "import", "postfix", "--aliases", str(aliases), "--alias-domain", "local.example")
    assert (summary["created"], summary["exists"], summary["skipped"]) == (5, 0, 0)
    reasons = [p["reason"] for p in summary["problems"]]
    assert any("command target" in r and "procmail" in r for r in reasons), reasons
    assert any("file target \"/var/mail/archive\"" in r for r in reasons), reasons
    assert any(":include: target" in r for r in reasons), reasons

    for name in ("postmaster", "root", "webmaster", "team", "mixed"):
        posta = {line["address"].lower() for line in posta_json(site, "resolve", f"{name}@local.example")}
        assert posta == postalias_resolve(aliases, name, "local.example"), name
    for name in ("procmail", "lists"):
        r = subprocess.run([POSTA, "resolve", f"{name}@local.example", "--config", str(site.config)],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode != 0 and "no such recipient" in r.stderr, (name, r.stdout, r.stderr)

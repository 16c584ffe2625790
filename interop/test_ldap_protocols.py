"""Posta serving LDAP domains over the mail protocols (docs/ldap.md): logins by bind and by
compare over IMAP, POP3 and SMTP AUTH; RCPT for accounts, aliases, groups, catch-alls and
subaddresses; the password policy (lockout after three failures, locked, expired, grace);
StartTLS and ldaps with the test CA and a refusal with another; failover to a second server;
an outage answered with temporary errors only and nothing bounced; a password change through
self-service written to the directory; a renamed entry keeping its mail; hostile logins that
reach slapd escaped (its stats log shows the exact filter) and match nobody; `posta directory sync`.
Each test has its own slapd (interop/ldapsite.py) and Posta."""
import base64
import http.cookiejar
import imaplib
import poplib
import re
import smtplib
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

import tls_certs
from ldapsite import (ALL_PRESETS, BASE, PASSWORD, Slapd, entry_uuid, final_recipients,
                      posta_ldap_table, posta_site)


class World:
    """A slapd with every preset's data and the Posta sites a test starts against it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.slapd = Slapd(folder / "slapd").start()
        self.slapds = [self.slapd]
        self.sites = []

    def second_slapd(self) -> Slapd:
        """A second server with the same data behind the same CA (a replica, for failover)."""
        s = Slapd(self.folder / "slapd2", ca=self.slapd.ca).start()
        self.slapds.append(s)
        return s

    def site(self, auth: str = "bind", urls: list[str] | None = None, start_tls: bool = False,
             ca_file: Path | None = None, https: bool = False, presets=ALL_PRESETS, name: str = "posta",
             cache_ttl: str = "0s", anonymous: bool = False, start: bool = True):
        folder = self.folder / name
        folder.mkdir(parents=True, exist_ok=True)
        tables = "".join(posta_ldap_table(self.slapd, p, folder, urls=urls, start_tls=start_tls, ca_file=ca_file,
                                          auth=auth, cache_ttl=cache_ttl, anonymous=anonymous) for p in presets)
        site = posta_site(folder, tables, https=https)
        site.seed_sql()
        self.sites.append(site)
        return site.start() if start else site

    def close(self):
        for site in self.sites:
            try:
                site.stop()
            except Exception:
                site.kill()
        for s in self.slapds:
            s.stop()


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.close()


# --- clients ----------------------------------------------------------------------------------

def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def imap_login(site, user: str, password: str) -> str:
    """"OK", or the text of the NO/BAD (with its response code), or "BYE …"."""
    imap = site.imap()
    try:
        typ, data = imap._simple_command("LOGIN", quote(user), quote(password))
        if typ == "OK":
            return typ
        return typ + " " + b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
    except imaplib.IMAP4.abort as e:
        return f"BYE {e}"
    except imaplib.IMAP4.error as e:
        return str(e)
    finally:
        try:
            imap.shutdown()
        except OSError:
            pass


def imap_login_raw(site, user: bytes, password: bytes) -> bytes:
    """LOGIN with both arguments as synchronising literals (any bytes, NUL included); the tagged
    answer line. Bounded: 10 s for the whole exchange."""
    deadline = time.monotonic() + 10
    with socket.create_connection(("127.0.0.1", site.imap_port), timeout=10) as s:
        f = s.makefile("rb")
        f.readline()  # greeting
        s.sendall(b"a1 LOGIN {%d}\r\n" % len(user))
        while time.monotonic() < deadline:
            line = f.readline()
            if line.startswith(b"+"):
                break
            if line.startswith(b"a1 ") or not line:
                return line
        s.sendall(user + b" {%d}\r\n" % len(password))
        while time.monotonic() < deadline:
            line = f.readline()
            if line.startswith(b"+"):
                break
            if line.startswith(b"a1 ") or not line:
                return line
        s.sendall(password + b"\r\n")
        while time.monotonic() < deadline:
            line = f.readline()
            if line.startswith(b"a1 ") or not line:
                return line
    raise AssertionError("no answer to LOGIN in 10 s")


def pop3_login(site, user: str, password: str) -> str:
    pop = site.pop3()
    try:
        pop.user(user)
        return pop.pass_(password).decode()
    except poplib.error_proto as e:
        return e.args[0].decode(errors="replace") if isinstance(e.args[0], bytes) else str(e)
    finally:
        try:
            pop.quit()
        except (poplib.error_proto, OSError):
            pass


def smtp_auth(site, user: bytes | str, password: str) -> tuple[int, str]:
    """AUTH PLAIN on the submission port (after STARTTLS): (code, text)."""
    user = user.encode() if isinstance(user, str) else user
    s = site.submission()
    try:
        token = base64.b64encode(b"\0" + user + b"\0" + password.encode()).decode()
        code, text = s.docmd("AUTH", "PLAIN " + token)
        return code, text.decode(errors="replace")
    finally:
        try:
            s.quit()
        except (smtplib.SMTPException, OSError):
            pass


def rcpt(site, addresses: list[str]) -> dict[str, tuple[int, str]]:
    """RCPT TO each address on the SMTP port (one transaction each): (code, text)."""
    out = {}
    with smtplib.SMTP("127.0.0.1", site.smtp_port, timeout=30) as s:
        s.ehlo("client.remote.example")
        for address in addresses:
            s.mail("sender@remote.example")
            code, text = s.rcpt(address)
            out[address] = (code, text.decode(errors="replace"))
            s.rset()
    return out


def send(site, to: list[str], subject: str, sender: str = "sender@remote.example") -> None:
    message = (f"From: <{sender}>\r\nTo: {', '.join(to)}\r\nSubject: {subject}\r\n"
               f"Message-ID: <{time.time_ns()}@remote.example>\r\n\r\n{subject}\r\n").encode()
    with smtplib.SMTP("127.0.0.1", site.smtp_port, timeout=30) as s:
        refused = s.sendmail(sender, to, message)
    assert not refused, refused


def subjects(site, address: str, count: int) -> list[str]:
    messages = site.wait_for_messages(address, count, timeout=30)
    return [m.split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0].decode() for m in messages if b"Subject: " in m]


def reasons(site, login: str) -> list[str]:
    return [r[3] for r in site.events("lower(login) = ?", (login.lower(),))]


def queue(site) -> list[dict]:
    import json
    return json.loads(site.posta("queue", "list", "--json"))


def no_bounces(site) -> None:
    """Nothing in the queue is a bounce (null sender) or failed; the SQL user who sent has no DSN."""
    for entry in queue(site):
        assert entry["sender"] not in ("", "<>"), f"a bounce was queued: {entry}"
        for r in entry["recipients"]:
            assert r["status"] not in ("failed", "bounced"), entry
    try:
        sams = site.messages("sam@sql.example")
    except AssertionError:  # no mailbox yet: nothing was delivered to sam
        sams = []
    for m in sams:
        assert b"Delivery Status Notification" not in m and b"multipart/report" not in m, m[:500]


def wait_until(check, timeout: float = 30.0, step: float = 0.2):
    """Polls `check()` until it returns a true value (that value) or `timeout` s pass (the last)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


# --- logins -----------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["bind", "compare"])
def test_logins_over_imap_pop3_and_smtp(world, mode):
    site = world.site(auth=mode)
    good = ["alice@example.org", "bob@example.org", "ALICE@Example.org", "bea@book.example", "quentin@qmail.example",
            "pat", "pat@posix.example", "sam.case@example.org"]
    for login in good:
        assert imap_login(site, login, PASSWORD) == "OK", login
        assert pop3_login(site, login, PASSWORD).startswith("+OK"), login
        assert smtp_auth(site, login, PASSWORD)[0] == 235, login
    # Dovecot's scheme names: only compare knows them (slapd refuses the bind).
    for login in ("frank@example.org", "gina@example.org", "paul@example.org"):
        answer = imap_login(site, login, PASSWORD)
        assert (answer == "OK") == (mode == "compare"), (login, answer)
    # The SQL domain works beside the LDAP ones.
    assert imap_login(site, "sam@sql.example", PASSWORD) == "OK"
    # Wrong passwords, unknown users, disabled accounts, entries that are not accounts.
    for login, password in [("alice@example.org", "wrong-password"), ("nobody@example.org", PASSWORD),
                            ("ben@book.example", PASSWORD), ("quinn@qmail.example", PASSWORD),
                            ("staff@example.org", PASSWORD), ("b.alias@book.example", PASSWORD),
                            ("nopass@example.org", ""), ("alice@example.org", "")]:
        answer = imap_login(site, login, password)
        assert "AUTHENTICATIONFAILED" in answer, (login, answer)
        if password:
            assert pop3_login(site, login, password).startswith("-ERR [AUTH]"), login
            assert smtp_auth(site, login, password)[0] == 535, login
        else:  # an empty password may be refused as a syntax error; never a login
            assert pop3_login(site, login, password).startswith("-ERR"), login
            assert smtp_auth(site, login, password)[0] in (535, 501), login
    assert "disabled" in reasons(site, "ben@book.example"), reasons(site, "ben@book.example")
    assert "unknown-user" in reasons(site, "nobody@example.org")
    assert "wrong-password" in reasons(site, "alice@example.org")


def test_anonymous_search_bind_works_compare_cannot_read_passwords(world):
    bind = world.site(auth="bind", anonymous=True, presets=["inetorgperson"], name="anon-bind")
    assert imap_login(bind, "alice@example.org", PASSWORD) == "OK"
    compare = world.site(auth="compare", anonymous=True, presets=["inetorgperson"], name="anon-compare")
    assert "AUTHENTICATIONFAILED" in imap_login(compare, "alice@example.org", PASSWORD)


# --- recipients -------------------------------------------------------------------------------

def test_rcpt_accounts_aliases_groups_catch_all_subaddress(world):
    site = world.site()
    accepted = ["alice@example.org", "Alice@Example.ORG", "alice+tag@example.org", "staff@example.org",
                "sales@example.org", "all-hands@example.org", "dept42@example.org", "friends@example.org",
                "bea@book.example", "b.alias@book.example", "fwd@book.example", "team@book.example",
                "whatever@book.example", "quentin@qmail.example", "q@qmail.example", "random@qmail.example",
                "pat@posix.example", "lena@example.org", "ben@book.example", "sam@sql.example"]
    refused = ["nobody@example.org", "nobody+alice@example.org", "nobody@posix.example", "nobody@sql.example"]
    answers = rcpt(site, accepted + refused)
    for address in accepted:
        assert answers[address][0] == 250, (address, answers[address])
    for address in refused:
        code, text = answers[address]
        assert code == 550 and "5.1.1" in text, (address, answers[address])

    send(site, ["staff@example.org"], "to staff")
    send(site, ["all-hands@example.org"], "to all hands")
    send(site, ["alice+tag@example.org"], "subaddressed")
    send(site, ["whatever@book.example"], "caught")
    send(site, ["dept42@example.org"], "dynamic")
    assert sorted(subjects(site, "alice@example.org", 4)) == ["dynamic", "subaddressed", "to all hands", "to staff"]
    assert subjects(site, "bob@example.org", 2) == ["to staff", "to all hands"]
    assert subjects(site, "erin@example.org", 2) == ["to all hands", "dynamic"]
    assert subjects(site, "bea@book.example", 1) == ["caught"]
    # One account record per entry, keyed by entryUUID.
    with site.db() as db:
        rows = db.execute("SELECT address, external_id FROM account WHERE address_key = 'alice@example.org'").fetchall()
    assert rows == [("alice@example.org", entry_uuid(world.slapd.dn_of("alice")))], rows


def test_twin_entries_are_a_temporary_failure_not_a_choice(world):
    site = world.site()
    code, text = rcpt(site, ["twin@example.org"])["twin@example.org"]
    assert code == 451 and "4.3.0" in text, (code, text)
    assert site.address("twin@example.org")["resolution"] == "unavailable"
    answer = imap_login(site, "twin@example.org", PASSWORD)
    assert "UNAVAILABLE" in answer, answer  # the directory is inconsistent: not a wrong password


def test_directory_test_sources(world):
    site = world.site(start=False)
    sql = site.address("sam@sql.example")
    assert sql["source"] == "sql" and final_recipients(sql) == {"sam@sql.example"}, sql
    other = site.address("someone@elsewhere.net")
    assert other["resolution"] == "not-local", other
    user = site.login("bea@book.example")
    assert user["found"] and user["source"] == "ldap" and user["dn"] == world.slapd.dn_of("bea"), user
    assert user["id"] == entry_uuid(world.slapd.dn_of("bea")) and user["quota"] == 1048576, user
    assert user["address"] == "bea@book.example" and user["home"] == "/srv/mail/book.example/bea", user
    assert user["enabled"] is True
    assert site.login("ben@book.example")["enabled"] is False
    assert site.login("ben@book.example", PASSWORD)["auth"] == "disabled"
    assert site.login("nobody@example.org", PASSWORD)["auth"] == "unknown-user"
    assert site.login("alice@example.org", "wrong")["auth"] == "wrong-password"
    assert site.login("alice@example.org", PASSWORD)["auth"] == "ok"


def test_no_cache_sees_changes_at_once(world):
    site = world.site(cache_ttl="0s")
    assert rcpt(site, ["newbie@example.org"])["newbie@example.org"][0] == 550
    world.slapd.modify(f"""dn: uid=newbie,ou=people,{BASE}
changetype: add
objectClass: inetOrgPerson
uid: newbie
cn: New
sn: Bie
mail: newbie@example.org
userPassword: {PASSWORD}
""")
    assert rcpt(site, ["newbie@example.org"])["newbie@example.org"][0] == 250
    assert imap_login(site, "newbie@example.org", PASSWORD) == "OK"


def test_compare_mode_reads_the_hash_afresh_despite_the_cache(world):
    """With answers cached for a minute, a password changed in the directory (by another
    system) stops working at once in compare mode: the hash is never cached."""
    site = world.site(auth="compare", cache_ttl="60s")
    assert imap_login(site, "alice@example.org", PASSWORD) == "OK"
    world.slapd.modify(f"""dn: {world.slapd.dn_of("alice")}
changetype: modify
replace: userPassword
userPassword: another-password-456
""")
    assert "AUTHENTICATIONFAILED" in imap_login(site, "alice@example.org", PASSWORD)
    assert imap_login(site, "alice@example.org", "another-password-456") == "OK"


def test_a_record_from_before_ldap_is_linked_by_sync_only(world):
    """A record of alice@ made while example.org was a database domain: the entry with that
    address does not take it over on first sight (a user able to edit their own mail
    attribute could otherwise take any such record's mail); `posta directory sync` links it,
    and alice then has her old mail."""
    site = world.site()
    with site.db() as db:
        domain_id = db.execute("SELECT id FROM domain WHERE name = 'example.org'").fetchone()[0]
        db.execute("INSERT INTO account (domain_id, address_key, address, display_name, password, quota_bytes, enabled,"
                   " created_at) VALUES (?, 'alice@example.org', 'alice@example.org', '', '', 0, 1, 0)", (domain_id,))
        record_id = db.execute("SELECT id FROM account WHERE address_key = 'alice@example.org'").fetchone()[0]
        db.commit()
    code, text = rcpt(site, ["alice@example.org"])["alice@example.org"]
    assert code == 451 and "4.3.0" in text, (code, text)
    assert "UNAVAILABLE" in imap_login(site, "alice@example.org", PASSWORD)
    report = site.cli("directory", "sync", "--dry-run")
    assert "alice@example.org" in report["adopted"] and "alice@example.org" not in report["appeared"], report
    with site.db() as db:
        assert db.execute("SELECT external_id FROM account WHERE id = ?", (record_id,)).fetchone() == (None,)
    report = site.cli("directory", "sync")
    assert "alice@example.org" in report["adopted"], report
    with site.db() as db:
        rows = db.execute("SELECT id, external_id FROM account WHERE address_key = 'alice@example.org'").fetchall()
    assert rows == [(record_id, entry_uuid(world.slapd.dn_of("alice")))], rows
    assert rcpt(site, ["alice@example.org"])["alice@example.org"][0] == 250
    assert imap_login(site, "alice@example.org", PASSWORD) == "OK"
    assert "alice@example.org" not in site.cli("directory", "sync", "--dry-run")["adopted"]


# --- password policy --------------------------------------------------------------------------

def test_ppolicy_lockout_after_three_failures(world):
    site = world.site()
    for _ in range(3):
        assert "AUTHENTICATIONFAILED" in imap_login(site, "mike@example.org", "wrong-password")
    answer = imap_login(site, "mike@example.org", PASSWORD)
    assert "AUTHENTICATIONFAILED" in answer, answer
    assert reasons(site, "mike@example.org")[-1] == "account-locked", reasons(site, "mike@example.org")
    r = world.slapd.whoami(world.slapd.dn_of("mike"), PASSWORD, ppolicy=True)
    assert r.returncode == 49 and "Account locked" in r.stderr, r
    assert site.login("mike@example.org", PASSWORD)["auth"] == "account-locked"
    # lena was locked before: the same, on every protocol.
    assert "AUTHENTICATIONFAILED" in imap_login(site, "lena@example.org", PASSWORD)
    assert pop3_login(site, "lena@example.org", PASSWORD).startswith("-ERR [AUTH]")
    assert smtp_auth(site, "lena@example.org", PASSWORD)[0] == 535
    assert set(reasons(site, "lena@example.org")) == {"account-locked"}, reasons(site, "lena@example.org")


def test_expired_password(world):
    site = world.site()
    answer = imap_login(site, "olga@example.org", PASSWORD)
    assert "[EXPIRED]" in answer, answer
    answer = pop3_login(site, "olga@example.org", PASSWORD)
    assert answer.startswith("-ERR [AUTH]") and "expired" in answer.lower(), answer
    code, text = smtp_auth(site, "olga@example.org", PASSWORD)
    assert code == 535 and "5.7.8" in text and "expired" in text.lower(), (code, text)
    assert set(reasons(site, "olga@example.org")) == {"password-expired"}, reasons(site, "olga@example.org")
    # A wrong password for an expired account is a wrong password.
    assert "AUTHENTICATIONFAILED" in imap_login(site, "olga@example.org", "wrong-password")


def test_grace_logins_as_slapd_counts_them(world):
    """greg's password expired with two grace logins left: Posta reports them as slapd does to
    ldapwhoami on a twin server, then the expiry."""
    site = world.site(start=False)
    twin = world.second_slapd()
    reference = []
    for _ in range(3):
        r = twin.whoami(twin.dn_of("greg"), PASSWORD, ppolicy=True)
        m = re.search(r"(\d+) grace logins remain", r.stderr)
        reference.append(("ok", int(m.group(1))) if r.returncode == 0 and m else
                         ("password-expired", None) if "Password expired" in r.stderr else (r.stderr, None))
    assert reference == [("ok", 1), ("ok", 0), ("password-expired", None)], reference
    posta = []
    for _ in range(3):
        answer = site.login("greg@example.org", PASSWORD)
        posta.append((answer.get("auth"), answer.get("grace-logins")))
    assert posta == reference, posta


# --- TLS --------------------------------------------------------------------------------------

def test_starttls_with_the_test_ca_and_refusal_with_another(world):
    mark = world.slapd.log_mark()
    site = world.site(start_tls=True, ca_file=world.slapd.ca_file, presets=["inetorgperson"])
    assert imap_login(site, "alice@example.org", PASSWORD) == "OK"
    assert rcpt(site, ["staff@example.org"])["staff@example.org"][0] == 250
    log = world.slapd.log()[mark:]
    assert "EXT oid=1.3.6.1.4.1.1466.20037" in log, "Posta did not use StartTLS"
    # Every connection that carried an operation asked for StartTLS first (slapd may log the
    # fixture's port probes, which connect and close without a word, after the mark).
    conns = set(re.findall(r"(conn=\d+) op=\d+ ", log))
    tls_conns = set(re.findall(r"(conn=\d+) op=\d+ EXT oid=1\.3\.6\.1\.4\.1\.1466\.20037", log))
    assert conns and conns <= tls_conns, (conns, tls_conns)

    site.stop()  # only the next site talks to slapd from here on
    other_ca, _ = tls_certs.make_ca(world.folder)
    mark = world.slapd.log_mark()
    wrong = world.site(start_tls=True, ca_file=other_ca, presets=["inetorgperson"], name="wrong-ca")
    assert "UNAVAILABLE" in imap_login(wrong, "alice@example.org", PASSWORD)
    code, text = rcpt(wrong, ["alice@example.org"])["alice@example.org"]
    assert code == 451 and "4.3.0" in text, (code, text)
    assert wrong.address("alice@example.org")["resolution"] == "unavailable"
    log = world.slapd.log()[mark:]
    assert "BIND dn=" not in log, "a bind went over a connection whose certificate was not verified"


def test_ldaps(world):
    mark = world.slapd.log_mark()
    site = world.site(urls=[world.slapd.ldaps_url], ca_file=world.slapd.ca_file, presets=["inetorgperson"])
    assert imap_login(site, "alice@example.org", PASSWORD) == "OK"
    assert rcpt(site, ["sales@example.org"])["sales@example.org"][0] == 250
    # Every connection that bound came in on the ldaps:// port (the fixture's port probes, which
    # connect to both ports and close, bind nothing).
    log = world.slapd.log()[mark:]
    ports = dict(re.findall(r"(conn=\d+) fd=\d+ ACCEPT from IP=\S+ \(IP=127\.0\.0\.1:(\d+)\)", log))
    bound = set(re.findall(r"(conn=\d+) op=\d+ BIND dn=", log))
    assert bound and {ports.get(c) for c in bound} == {str(world.slapd.ldaps_port)}, (bound, ports)
    # Another CA: refused.
    other_ca, _ = tls_certs.make_ca(world.folder)
    wrong = world.site(urls=[world.slapd.ldaps_url], ca_file=other_ca, presets=["inetorgperson"], name="wrong-ca")
    assert "UNAVAILABLE" in imap_login(wrong, "alice@example.org", PASSWORD)


# --- failover and outage ----------------------------------------------------------------------

def test_failover_to_the_second_server(world):
    first, second = world.slapd, world.second_slapd()
    site = world.site(urls=[first.url, second.url], start_tls=True, ca_file=first.ca_file)
    send(site, ["alice@example.org"], "before")
    assert imap_login(site, "alice@example.org", PASSWORD) == "OK"
    assert "uid=alice" in first.log()
    first.stop()
    mark = second.log_mark()
    assert wait_until(lambda: imap_login(site, "alice@example.org", PASSWORD) == "OK", timeout=20)
    assert f'BIND dn="{second.dn_of("alice")}"' in second.log()[mark:]
    assert rcpt(site, ["staff@example.org"])["staff@example.org"][0] == 250
    send(site, ["alice@example.org"], "after")
    # Same entryUUID on both servers: the same account, the same mailbox.
    assert subjects(site, "alice@example.org", 2) == ["before", "after"]
    with site.db() as db:
        assert db.execute("SELECT COUNT(*) FROM account WHERE external_id = ?",
                          (entry_uuid(first.dn_of("alice")),)).fetchone()[0] == 1


def test_outage_gives_temporary_errors_and_bounces_nothing(world):
    site = world.site()
    send(site, ["alice@example.org"], "first")  # alice's record exists before the outage
    subjects(site, "alice@example.org", 1)
    world.slapd.stop()

    assert "UNAVAILABLE" in imap_login(site, "alice@example.org", PASSWORD)
    assert pop3_login(site, "alice@example.org", PASSWORD).startswith("-ERR [SYS/TEMP]")
    code, text = smtp_auth(site, "alice@example.org", PASSWORD)
    assert code == 454 and "4.7.0" in text, (code, text)
    answers = rcpt(site, ["alice@example.org", "staff@example.org", "nobody@example.org", "bea@book.example",
                          "sam@sql.example"])
    for address in ("alice@example.org", "staff@example.org", "nobody@example.org", "bea@book.example"):
        code, text = answers[address]
        assert code == 451 and "4.3.0" in text, (address, code, text)  # never 550
    assert answers["sam@sql.example"][0] == 250  # SQL domains are unaffected
    assert "unavailable" in reasons(site, "alice@example.org")
    assert site.address("alice@example.org")["resolution"] == "unavailable"
    assert site.login("alice@example.org", PASSWORD)["auth"] == "unavailable"

    # A SQL user submits to an LDAP recipient: refused with 451 at RCPT, or queued.
    s = site.submission()
    s.login("sam@sql.example", PASSWORD)
    s.mail("sam@sql.example")
    code, text = s.rcpt("alice@example.org")
    queued = code == 250
    assert code in (250, 451), (code, text)
    if queued:
        s.data(b"From: sam@sql.example\r\nTo: alice@example.org\r\nSubject: during the outage\r\n\r\nx\r\n")
    s.quit()
    time.sleep(2)
    no_bounces(site)
    assert len(site.messages("alice@example.org")) == 1

    world.slapd.start()
    assert wait_until(lambda: rcpt(site, ["alice@example.org"])["alice@example.org"][0] == 250, timeout=30)
    if queued:
        for entry in queue(site):
            site.posta("queue", "retry", entry["id"])
    else:  # the client retries, as a sending MTA would
        s = site.submission()
        s.login("sam@sql.example", PASSWORD)
        s.sendmail("sam@sql.example", ["alice@example.org"],
                   b"From: sam@sql.example\r\nTo: alice@example.org\r\nSubject: during the outage\r\n\r\nx\r\n")
        s.quit()
    assert subjects(site, "alice@example.org", 2) == ["first", "during the outage"]
    assert wait_until(lambda: imap_login(site, "alice@example.org", PASSWORD) == "OK", timeout=20)
    no_bounces(site)


# --- self-service password change -------------------------------------------------------------

class Console:
    """A console session over urllib (cookies kept, redirects not followed)."""

    def __init__(self, port: int):
        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None
        self.base = f"https://localhost:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            urllib.request.HTTPSHandler(context=ssl._create_unverified_context()), Stay)

    def get(self, path: str) -> str:
        with self.opener.open(urllib.request.Request(self.base + path), timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict) -> tuple[int, str, str]:
        """(status, Location, body) of a POST with the page's CSRF token."""
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=data), timeout=30) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.headers.get("Location", ""), answer.read().decode(errors="replace")

    @staticmethod
    def csrf(page: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_password_change_through_self_service_is_written_to_ldap(world):
    site = world.site(https=True)
    console = Console(site.https_port)
    status, location, body = console.post("/admin/login", {"csrf": Console.csrf(console.get("/admin/login")),
                                                           "login": "pete@example.org", "password": PASSWORD})
    assert status == 303, (status, body[:2000])
    me = console.get("/admin/me")
    status, location, body = console.post("/admin/me/password", {
        "csrf": Console.csrf(me), "current": PASSWORD, "password": "brand-new-pass-1", "password2": "brand-new-pass-1"})
    assert status == 303 and location.startswith("/admin/me"), (status, location, body[:2000])
    slapd = world.slapd
    assert slapd.whoami(slapd.dn_of("pete"), "brand-new-pass-1").returncode == 0
    assert slapd.whoami(slapd.dn_of("pete"), PASSWORD).returncode == 49
    [pete] = slapd.search("(uid=pete)", ["userPassword"])
    assert pete["userPassword"][0].startswith("{SSHA}"), pete  # slapd hashed it: Posta sent the exop
    assert imap_login(site, "pete@example.org", "brand-new-pass-1") == "OK"
    assert "AUTHENTICATIONFAILED" in imap_login(site, "pete@example.org", PASSWORD)
    # The CLI refuses: the directory holds the password.
    from conftest import POSTA
    r = subprocess.run([POSTA, "user", "passwd", "pete@example.org", "--password-stdin", "--config", str(site.config)],
                       input="cli-password-1\n", capture_output=True, text=True, timeout=60)
    assert r.returncode != 0, r


# --- renames ----------------------------------------------------------------------------------

def test_an_entry_that_takes_a_gone_entrys_address_does_not_get_its_mail(world):
    """rita's record keeps rita's mail after her entry is deleted; pete's entry then taking her
    address (a user who may edit their own mail) gets a temporary failure, never her mailbox."""
    site = world.site()
    send(site, ["rita@example.org"], "rita's secret")
    subjects(site, "rita@example.org", 1)
    world.slapd.modify(f"""dn: {world.slapd.dn_of("rita")}
changetype: delete

dn: {world.slapd.dn_of("pete")}
changetype: modify
replace: mail
mail: rita@example.org
""")
    answer = imap_login(site, "rita@example.org", PASSWORD)
    assert answer != "OK" and "UNAVAILABLE" in answer, answer
    assert rcpt(site, ["rita@example.org"])["rita@example.org"][0] == 451
    with site.db() as db:
        rows = db.execute("SELECT external_id FROM account WHERE address_key = 'rita@example.org'").fetchall()
    assert rows == [(entry_uuid(world.slapd.dn_of("rita")),)], rows


def test_renamed_entry_keeps_its_mail(world):
    site = world.site()
    send(site, ["rita@example.org"], "old address")
    subjects(site, "rita@example.org", 1)
    world.slapd.modify(f"""dn: {world.slapd.dn_of("rita")}
changetype: modrdn
newrdn: uid=rita2
deleteoldrdn: 1

dn: uid=rita2,ou=people,{BASE}
changetype: modify
replace: mail
mail: rita.new@example.org
""")
    assert rcpt(site, ["rita@example.org"])["rita@example.org"][0] == 550
    send(site, ["rita.new@example.org"], "new address")
    # Delivery is queued: wait for the second message before looking at the folder over IMAP.
    assert sorted(subjects(site, "rita.new@example.org", 2)) == ["new address", "old address"]
    imap = site.imap()
    try:
        imap.login("rita.new@example.org", PASSWORD)
        typ, data = imap.select("INBOX")
        assert typ == "OK" and int(data[0]) == 2, data
        typ, data = imap.fetch("1:2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        text = b"".join(part[1] for part in data if isinstance(part, tuple)).decode()
        assert "old address" in text and "new address" in text, text
    finally:
        imap.logout()
    assert "AUTHENTICATIONFAILED" in imap_login(site, "rita@example.org", PASSWORD)
    with site.db() as db:
        rows = db.execute("SELECT address FROM account WHERE external_id = ?",
                          (entry_uuid(world.slapd.dn_of("rita")),)).fetchall()
    assert rows == [("rita.new@example.org",)], rows


# --- hostile logins ---------------------------------------------------------------------------

# login → the filter slapd must receive (its stats log prints escapes as \XX, upper case). Bare
# logins go to the posix directory (the one that logs in by uid); @example.org ones to inetorgperson.
HOSTILE = {
    "*": r"(&(objectClass=posixAccount)(uid=\2A))",
    "a*": r"(&(objectClass=posixAccount)(uid=a\2A))",
    "alice)(uid=*": r"(&(objectClass=posixAccount)(uid=alice\29\28uid=\2A))",
    "\\": r"(&(objectClass=posixAccount)(uid=\5C))",
    "*@example.org": r"(&(objectClass=inetOrgPerson)(mail=\2A@example.org))",
    "a*@example.org": r"(&(objectClass=inetOrgPerson)(mail=a\2A@example.org))",
    "alice)(uid=*@example.org": r"(&(objectClass=inetOrgPerson)(mail=alice\29\28uid=\2A@example.org))",
    "*)(|(mail=*@example.org": r"(&(objectClass=inetOrgPerson)(mail=\2A\29\28|\28mail=\2A@example.org))",
    "\\@example.org": r"(&(objectClass=inetOrgPerson)(mail=\5C@example.org))",
}


def test_hostile_logins_are_escaped_and_match_nobody(world):
    site = world.site()
    slapd = world.slapd
    for login, expected in HOSTILE.items():
        mark = slapd.log_mark()
        answer = imap_login(site, login, PASSWORD)
        assert answer != "OK" and "AUTHENTICATIONFAILED" in answer, (login, answer)
        searches = slapd.searches(since=mark)
        assert expected in [f for f, _ in searches], f"{login!r}: slapd received {searches}, expected {expected}"
        assert all(n == 0 for f, n in searches if f == expected), (login, searches)
        assert all("=*)" not in f for f, _ in searches), (login, searches)  # no presence filter got through
        assert pop3_login(site, login, PASSWORD).startswith("-ERR"), login
        assert smtp_auth(site, login, PASSWORD)[0] in (535, 501), login
        assert site.login(login, PASSWORD)["auth"] == "unknown-user", login
    # Logins LDAP matching would take for alice@ (spaces and invisible characters are
    # insignificant to it) name nobody, and are never sent: one account, one throttle key.
    for login in ("alice@example.org ", " alice@example.org", "al\u00adice@example.org", "alice\u200b@example.org"):
        mark = slapd.log_mark()
        assert site.login(login, PASSWORD)["auth"] == "unknown-user", login
        answer = imap_login_raw(site, login.encode(), PASSWORD.encode())
        assert answer.startswith(b"a1 NO") and b"AUTHENTICATIONFAILED" in answer, (login, answer)
        assert [f for f, _ in slapd.searches(since=mark) if "inetOrgPerson" in f] == [], login
    # Bytes no client should send: NUL, invalid UTF-8.
    for user in (b"alice\x00@example.org", b"\x00", b"\xff\xfe", b"\xff\xfe@example.org", b"ali\x00ce"):
        mark = slapd.log_mark()
        answer = imap_login_raw(site, user, PASSWORD.encode())
        assert answer.startswith(b"a1 NO") or answer.startswith(b"a1 BAD") or answer == b"", (user, answer)
        searches = slapd.searches(since=mark)
        assert all(n == 0 for f, n in searches if "objectClass=posixAccount" in f or "objectClass=inetOrgPerson" in f), \
            (user, searches)
        assert all("=*)" not in f for f, _ in searches), (user, searches)
    for user in (b"\xff\xfe", b"\xff\xfe@example.org"):
        assert smtp_auth(site, user, PASSWORD)[0] in (535, 501), user
    # Nothing logged in, ever.
    with site.db() as db:
        assert db.execute("SELECT login FROM login_event WHERE success").fetchall() == []


# --- sync -------------------------------------------------------------------------------------

def test_sync_lists_appeared_and_disappeared_accounts(world):
    site = world.site()
    report = site.cli("directory", "sync", "--dry-run")
    appeared = set(report["appeared"])
    for address in ("alice@example.org", "bea@book.example", "ben@book.example", "quentin@qmail.example",
                    "pat@posix.example"):
        assert address in appeared, (address, report)
    for address in ("staff@example.org", "fwd@book.example", "sam@sql.example", "b.alias@book.example"):
        assert address not in appeared, (address, report)
    assert report["disappeared"] == [] and report["adopted"] == [] and report["unlinked"] == [], report
    # Two entries with one address: neither gets a record; the report says why.
    assert "twin@example.org" not in appeared, report
    assert [c["address"] for c in report["conflicts"]] == ["twin@example.org"], report
    assert report["unusable"] == [], report
    # An entry without entryUUID (stripped with the relax control) cannot keep mail across renames.
    world.slapd.modify(f"dn: {world.slapd.dn_of('bob')}\nchangetype: modify\ndelete: entryUUID\n", relax=True)
    assert site.cli("directory", "sync", "--dry-run")["unusable"] == [world.slapd.dn_of("bob")]

    send(site, ["alice@example.org"], "kept")
    subjects(site, "alice@example.org", 1)
    report = site.cli("directory", "sync", "--dry-run")
    assert "alice@example.org" not in report["appeared"] and report["unchanged"] >= 1, report

    world.slapd.modify(f"dn: {world.slapd.dn_of('alice')}\nchangetype: delete\n")
    report = site.cli("directory", "sync", "--dry-run")
    assert report["disappeared"] == ["alice@example.org"], report
    report = site.cli("directory", "sync")
    assert report["disappeared"] == ["alice@example.org"], report
    with site.db() as db:
        assert db.execute("SELECT enabled FROM account WHERE address_key = 'alice@example.org'").fetchone()[0] in (0, False)
    assert len(site.messages("alice@example.org")) == 1  # the mail is kept
    assert site.cli("directory", "sync", "--dry-run")["disappeared"] == []  # disabled once
    # The others got their records.
    assert "bea@book.example" not in site.cli("directory", "sync", "--dry-run")["appeared"]

"""ManageSieve (RFC 5804, docs/managesieve.md) as clients see it: the real `sieve-connect` uploads,
lists, activates, downloads and deletes scripts over STARTTLS; a script that does not compile is
refused with its error; the RFC's §2 exchanges over a raw socket; failed logins go through the
shared throttle; the limits."""
import base64
from pathlib import Path

import pytest

from sievesite import PASSWORD, SieveSite

VACATION = 'require ["fileinto", "vacation"];\r\nif header :contains "subject" "lunch" {\r\n  fileinto "Lunch";\r\n}\r\nvacation "Away until Monday.";\r\n'
BROKEN = '#comment\r\nInvalidSieveCommand;\r\n'


def plain(user: str, password: str) -> str:
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


def literal(text: str) -> str:
    return f"{{{len(text.encode())}+}}\r\n{text}"


@pytest.fixture
def site(tmp_path: Path):
    s = SieveSite(tmp_path).seed().start()
    yield s
    s.stop()


def test_sieve_connect_manages_scripts(site: SieveSite, tmp_path: Path):
    script = tmp_path / "vacation.sieve"
    script.write_text(VACATION.replace("\r\n", "\n"))
    r = site.sieve_connect("--upload", "--localsieve", str(script), "--remotesieve", "vacation")
    assert r.returncode == 0, r.stderr
    r = site.sieve_connect("--list")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[0] == '"vacation"', r.stdout

    assert site.sieve_connect("--activate", "--remotesieve", "vacation").returncode == 0
    listed = site.sieve_connect("--list").stdout
    assert '"vacation" ACTIVE' in listed, listed

    downloaded = tmp_path / "downloaded.sieve"
    r = site.sieve_connect("--download", "--remotesieve", "vacation", "--localsieve", str(downloaded))
    assert r.returncode == 0, r.stderr
    assert downloaded.read_text() == script.read_text()

    # The active script cannot be deleted (RFC 5804 §2.10) …
    r = site.sieve_connect("--delete", "--remotesieve", "vacation")
    assert "NO (ACTIVE)" in r.stderr, (r.returncode, r.stdout, r.stderr)
    # … until it is deactivated.
    assert site.sieve_connect("--deactivate").returncode == 0
    assert '"vacation"' in site.sieve_connect("--list").stdout
    assert "ACTIVE" not in site.sieve_connect("--list").stdout
    assert site.sieve_connect("--delete", "--remotesieve", "vacation").returncode == 0
    assert site.sieve_connect("--list").stdout.strip() == ""
    # Bob's scripts are his own.
    assert site.sieve_connect("--list", user="bob@example.org").stdout.strip() == ""


def test_sieve_connect_refuses_a_script_that_does_not_compile(site: SieveSite, tmp_path: Path):
    script = tmp_path / "broken.sieve"
    script.write_text(BROKEN.replace("\r\n", "\n"))
    r = site.sieve_connect("--upload", "--localsieve", str(script), "--remotesieve", "broken")
    assert "PUTSCRIPT(broken) failed: NO" in r.stderr, (r.returncode, r.stdout, r.stderr)
    assert "line 2" in r.stderr, r.stderr
    r = site.sieve_connect("--checkscript", "--localsieve", str(script))
    assert "CHECKSCRIPT failed: NO" in r.stderr, (r.returncode, r.stdout, r.stderr)
    assert site.sieve_connect("--list").stdout.strip() == ""


def test_sieve_connect_with_a_wrong_password_is_refused(site: SieveSite):
    r = site.sieve_connect("--list", password="not-the-password")
    assert r.returncode != 0
    assert "Authentication refused by server" in r.stderr, r.stderr
    assert site.events() == [("alice@example.org", "127.0.0.1", 0, "wrong-password")]


def test_the_rfc_5804_exchanges(site: SieveSite):
    d = site.dialogue()
    greeting = d.response()
    # §1.7: the capabilities; logins allowed on this plain-text listener (tls = "none").
    assert greeting[0] == b'"IMPLEMENTATION" "Posta"\r\n'
    assert b'"SASL" "PLAIN LOGIN"\r\n' in greeting
    assert any(line.startswith(b'"SIEVE" "') and b"fileinto" in line and b"vacation" in line for line in greeting)
    assert b'"VERSION" "1.0"\r\n' in greeting
    assert b'"STARTTLS"\r\n' not in greeting
    assert greeting[-1].startswith(b"OK")

    # §2.1: PLAIN, the initial response as a literal.
    assert d.command(f'AUTHENTICATE "PLAIN" {literal(plain("alice@example.org", PASSWORD))}\r\n')[-1].startswith(b"OK")
    assert b'"OWNER" "alice@example.org"\r\n' in d.command("CAPABILITY\r\n")

    # §2.5, §2.6.
    assert d.command('HAVESPACE "myscript" 999999999\r\n')[-1].startswith(b"NO (QUOTA/MAXSIZE)")
    assert d.command('HAVESPACE "foobar" 435\r\n')[-1].startswith(b"OK")
    refused = d.command(f'Putscript "foo" {literal(BROKEN)}\r\n')
    assert refused[-1].startswith(b"NO") and b"line 2" in refused[-1], refused
    assert d.command(f'Putscript "mysievescript" {literal(VACATION)}\r\n') == [b'OK "Putscript completed"\r\n']
    assert d.command('PUTSCRIPT "other" "keep;"\r\n')[-1].startswith(b"OK")

    # §2.7, §2.8.
    assert d.command("Listscripts\r\n") == [b'"mysievescript"\r\n', b'"other"\r\n', b'OK "Listscripts completed"\r\n']
    assert d.command('Setactive "mysievescript"\r\n')[-1].startswith(b"OK")
    assert d.command("LISTSCRIPTS\r\n")[0] == b'"mysievescript" ACTIVE\r\n'
    assert d.command('Setactive "baz"\r\n')[-1].startswith(b"NO (NONEXISTENT)")

    # §2.9: a literal, then OK.
    got = d.command('Getscript "mysievescript"\r\n')
    assert got[0] == f"{{{len(VACATION.encode())}}}\r\n{VACATION}\r\n".encode(), got
    assert got[-1].startswith(b"OK")

    # §2.10, §2.11, §2.12.
    assert d.command('Deletescript "mysievescript"\r\n')[-1].startswith(b"NO (ACTIVE)")
    assert d.command('Renamescript "other" "mysievescript"\r\n')[-1].startswith(b"NO (ALREADYEXISTS)")
    assert d.command('Renamescript "other" "third"\r\n')[-1].startswith(b"OK")
    assert d.command('Deletescript "third"\r\n')[-1].startswith(b"OK")
    assert d.command('Deletescript "third"\r\n')[-1].startswith(b"NO (NONEXISTENT)")
    assert d.command(f"CheckScript {literal(BROKEN)}\r\n")[-1].startswith(b"NO")
    assert d.command(f"CHECKSCRIPT {literal(VACATION)}\r\n")[-1].startswith(b"OK")
    assert d.command('Setactive ""\r\n')[-1].startswith(b"OK")
    assert d.command('Deletescript "mysievescript"\r\n')[-1].startswith(b"OK")

    # §2.13, §2.14, §2.3.
    assert d.command('NOOP "STARTTLS-SYNC-42"\r\n') == [b'OK (TAG "STARTTLS-SYNC-42") "Done"\r\n']
    assert d.command("UNAUTHENTICATE\r\n")[-1].startswith(b"OK")
    assert d.command("LISTSCRIPTS\r\n")[-1].startswith(b"NO")
    # LOGIN, the challenges answered with literals and quoted strings.
    d.send('AUTHENTICATE "LOGIN"\r\n')
    assert d.line() == b'"VXNlcm5hbWU6"\r\n'
    d.send(literal(base64.b64encode(b"bob@example.org").decode()) + "\r\n")
    assert d.line() == b'"UGFzc3dvcmQ6"\r\n'
    assert d.command(f'"{base64.b64encode(PASSWORD.encode()).decode()}"\r\n')[-1].startswith(b"OK")
    assert d.command("Logout\r\n")[-1].startswith(b"OK")
    assert d.closed()


def test_starttls_is_required_then_capabilities_are_sent_again(site: SieveSite):
    d = site.dialogue(tls_listener=True)
    greeting = d.response()
    assert b'"STARTTLS"\r\n' in greeting and b'"SASL" ""\r\n' in greeting, greeting
    assert d.command(f'AUTHENTICATE "PLAIN" "{plain("alice@example.org", PASSWORD)}"\r\n')[-1].startswith(
        b"NO (ENCRYPT-NEEDED)")
    assert site.events() == []
    again = d.starttls(site.cert)
    assert b'"SASL" "PLAIN LOGIN"\r\n' in again and b'"STARTTLS"\r\n' not in again, again
    assert d.command(f'AUTHENTICATE "PLAIN" "{plain("alice@example.org", PASSWORD)}"\r\n')[-1].startswith(b"OK")
    d.close()


def test_failed_logins_are_throttled_like_imap(site: SieveSite):
    # Alice logs in from her usual address first (the throttle trusts it afterwards).
    d = site.dialogue("127.0.0.1")
    d.response()
    assert d.command(f'AUTHENTICATE "PLAIN" "{plain("alice@example.org", PASSWORD)}"\r\n')[-1].startswith(b"OK")
    d.close()
    # A connection gets three failed logins: the third NO is followed by BYE.
    d = site.dialogue("127.0.0.5")
    d.response()
    wrong = f'AUTHENTICATE "PLAIN" "{plain("bob@example.org", "not-the-password")}"\r\n'
    for _ in range(2):
        assert d.command(wrong) == [b'NO "Authentication failed"\r\n']
    assert d.command(wrong) == [b'NO "Authentication failed"\r\n']
    assert d.response() == [b'BYE "Too many failed logins"\r\n']
    assert d.closed()
    # Guessing alice's password from one address: after the lockout threshold the attempts are
    # refused unchecked with NO (TRYLATER), and recorded as throttled.
    outcomes = []
    for _ in range(5):
        d = site.dialogue("127.0.0.6")
        d.response()
        for _ in range(3):
            outcomes.append(d.command(f'AUTHENTICATE "PLAIN" "{plain("alice@example.org", "guess")}"\r\n')[-1])
        d.close()
    assert any(o.startswith(b"NO (TRYLATER)") for o in outcomes), outcomes
    checked = len(site.events("ip = '127.0.0.6' AND reason = 'wrong-password'"))
    assert 8 <= checked <= 10, checked
    assert len(site.events("ip = '127.0.0.6' AND reason = 'throttled'")) == 15 - checked
    # Alice from her usual address is not locked out.
    d = site.dialogue("127.0.0.1")
    d.response()
    assert d.command(f'AUTHENTICATE "PLAIN" "{plain("alice@example.org", PASSWORD)}"\r\n')[-1].startswith(b"OK")


def test_limits(site: SieveSite):
    d = site.dialogue()
    d.response()
    assert d.command(f'AUTHENTICATE "PLAIN" "{plain("alice@example.org", PASSWORD)}"\r\n')[-1].startswith(b"OK")
    # A literal over the largest script: NO (QUOTA/MAXSIZE) at once, its octets skipped.
    size = 2 * 1024 * 1024
    d.send(f'PUTSCRIPT "big" {{{size}+}}\r\n')
    assert d.response()[-1].startswith(b"NO (QUOTA/MAXSIZE)")
    d.send(b"#" * size + b"\r\n")
    assert d.command("LISTSCRIPTS\r\n") == [b'OK "Listscripts completed"\r\n']
    # A quoted string over 1024 octets is refused; a line over 8 KiB ends the connection.
    assert d.command('NOOP "' + "a" * 2000 + '"\r\n')[-1].startswith(b"NO")
    assert d.command("NOOP " + "a" * 9000 + "\r\n") == [b'BYE "Line too long"\r\n']
    assert d.closed()
    # Before login a large literal ends the connection.
    d = site.dialogue()
    d.response()
    assert d.command('AUTHENTICATE "PLAIN" {100000+}\r\n') == [b'BYE "Literal too large"\r\n']
    assert d.closed()

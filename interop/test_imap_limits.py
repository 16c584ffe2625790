"""Literals and limits (RFC 3501 §4.3, §7.5; RFC 7888 LITERAL+/LITERAL-; RFC 7162 §4 /
RFC 9051 §4: line length), QUOTA (RFC 9208), and safety: other users' mailboxes, `../` names,
oversized literals, deep nesting, garbage."""
import re
import socket

import pytest

from imapsite import (QUOTA_KIB, Literal, code, exists_count, imap_server, listing, make_message, parse,  # noqa: F401
                      status, status_items, untagged)


def test_synchronising_literal_gets_continuation(imap_server):
    """RFC 3501 §7.5: the server answers `+` to a synchronising literal before the client sends it."""
    conn = imap_server.raw("alice")
    conn.send(b"L1 CREATE {5}\r\n")
    assert conn.read_response().startswith(b"+")
    conn.send(b"Lit01\r\n")
    assert conn.until_tagged(b"L1")[-1].startswith(b"L1 OK")


def test_literal_plus(imap_server):
    """RFC 7888 §3: with LITERAL+ (or LITERAL- up to 4096 octets) `{n+}` needs no continuation."""
    conn = imap_server.raw("alice")
    caps = conn.capabilities()
    if "LITERAL+" not in caps and "LITERAL-" not in caps:
        imap_server.require("LITERAL+", conn)
    message = make_message("plus")
    lines = conn.command("APPEND INBOX ", Literal(message, mode="+"))
    assert status(lines) == "OK" and not any(l.startswith(b"+") for l in lines)
    assert status_items(conn.ok("STATUS INBOX (MESSAGES)"))["INBOX"]["MESSAGES"] == 1


def test_refused_synchronising_literal_is_not_executed(imap_server):
    """RFC 3501 §7.5: if the server refuses a synchronising literal (tagged NO/BAD instead of `+`),
    the client must not send it; here an oversized APPEND literal is refused before its data."""
    conn = imap_server.raw("alice")
    conn.send(b"L1 APPEND INBOX {4000000000}\r\n")
    r = conn.read_response()
    assert r.startswith((b"L1 NO", b"L1 BAD", b"* BYE")), r
    if r.startswith(b"L1 "):
        assert status(conn.command("NOOP")) == "OK"


def test_oversized_non_sync_literal_closes_or_refuses(imap_server):
    """Issue (bounded literal sizes): a 4 GB `{n+}` literal is refused (BAD/NO then the connection
    resynchronises or closes with BYE); the server stays up for others."""
    conn = imap_server.raw("alice")
    try:
        conn.send(b"L1 APPEND INBOX {4000000000+}\r\n" + b"x" * 65536)
    except OSError:
        pass
    lines = conn.pending(5.0, until=b"L1 ")
    assert any(l.startswith((b"L1 NO", b"L1 BAD", b"* BYE")) for l in lines), lines
    other = imap_server.raw("alice")
    assert status(other.command("NOOP")) == "OK"


def test_long_command_line_is_bounded(imap_server):
    """RFC 7162 §4 / RFC 9051 §4: servers must accept lines of at least 8000 octets and may reject longer
    ones; a 100 kB line without literals is refused with BAD (or BYE) and not executed."""
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    ok_line = "SEARCH " + " ".join(["UNDELETED"] * 700)  # ~7 kB
    assert status(conn.command(ok_line)) == "OK"
    try:
        conn.send(b"L2 SEARCH " + b"UNDELETED " * 10000 + b"\r\n")
    except OSError:
        pass
    lines = conn.pending(5.0, until=b"L2 ")
    assert any(l.startswith((b"L2 BAD", b"* BYE", b"L2 NO")) for l in lines), lines[-3:]


def test_deep_nesting_is_refused(imap_server):
    """Issue (bounded nesting): 10 000 nested parentheses in SEARCH get an answer within 5 s: BAD/NO
    or BYE (a nesting limit), or the correct result (Dovecot evaluates it); never a silent close."""
    imap_server.deliver("alice", make_message("n"))
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    conn.send(b"N1 SEARCH " + b"(" * 10000 + b"ALL" + b")" * 10000 + b"\r\n")
    lines = conn.pending(5.0, until=b"N1 ")
    assert lines and lines[-1].startswith((b"N1 BAD", b"* BYE", b"N1 NO", b"N1 OK")), lines[-3:]
    if lines[-1].startswith(b"N1 OK"):
        assert untagged(lines, "SEARCH") == [b"* SEARCH 1"]
    assert status(imap_server.raw("alice").command("NOOP")) == "OK"


@pytest.mark.parametrize("garbage", [b"\x00\x01\x02\xff\r\n", b"* OK fake\r\n", b"A1 FETCH\r\n", b"+ \r\n",
                                     b"A2 LOGIN\r\n", b"A3 SELECT \"unterminated\r\n", b"A4 UID\r\n", b"A5 {x}\r\n"])
def test_garbage_gets_bad(imap_server, garbage):
    """RFC 3501 §7.1.3: syntax errors get BAD (tagged when a tag is recognisable, else `* BAD`), or
    the server closes with BYE (a silent close fails); the server survives."""
    conn = imap_server.raw("alice")
    conn.send(garbage)
    lines = conn.pending(2.0, until=b"A")
    assert any(re.match(rb"^(\S+ BAD|\* BYE)", l) for l in lines), lines
    assert status(imap_server.raw("alice").command("NOOP")) == "OK"


@pytest.mark.parametrize("name", ["../bob@example.org/INBOX", "../../etc", "INBOX/../../x", "/etc/passwd", "~bob/INBOX",
                                  "#users/bob/INBOX", "../.."])
def test_path_traversal_names_do_not_escape(imap_server, name):
    """Issue safety: mailbox names with `..`, a leading `/`, `~user` or `#users` never reach another
    user's mail or files outside the store: CREATE/SELECT/APPEND either fail or stay inside alice's
    own hierarchy (then LIST shows the name as alice's)."""
    imap_server.deliver("bob", make_message("bob's secret"))
    conn = imap_server.raw("alice")
    lines = conn.command("SELECT ", '"' + name + '"')
    assert status(lines) in ("NO", "BAD") or exists_count(lines) == 0, lines
    created = conn.command("CREATE ", '"' + name + '"')
    if status(created) == "OK":
        assert name.strip("/") in listing(conn.ok('LIST "" "*"')) or any(name in l.decode(errors="replace") for l in conn.ok('LIST "" "*"'))
    bob = imap_server.raw("bob")
    assert status_items(bob.ok("STATUS INBOX (MESSAGES)"))["INBOX"]["MESSAGES"] == 1
    assert set(listing(bob.ok('LIST "" "*"'))) == {"INBOX", "Sent", "Drafts", "Junk", "Trash", "Archive"}


def test_other_users_mailbox_unreachable(imap_server):
    """Issue safety / RFC 2342 §5: without ACLs, other users' namespaces are empty: alice can neither
    select, examine, status, append to, nor copy into bob's INBOX by any name."""
    imap_server.deliver("bob", make_message("bob only"))
    conn = imap_server.raw("alice")
    imap_server.deliver("alice", make_message("alice's"))
    for name in ("bob@example.org/INBOX", "user/bob/INBOX", "~bob@example.org/INBOX", "#shared/bob/INBOX", "Other Users/bob/INBOX"):
        for command in ("SELECT", "EXAMINE"):
            lines = conn.command(f'{command} "{name}"')
            assert status(lines) == "NO", (command, name, lines)
        assert status(conn.command(f'STATUS "{name}" (MESSAGES)')) == "NO"
        assert status(conn.command(f'APPEND "{name}" ', Literal(b"Subject: x\r\n\r\nx\r\n"))) == "NO"
    conn.ok("SELECT INBOX")
    assert status(conn.command('COPY 1 "bob@example.org/INBOX"')) == "NO"
    bob = imap_server.raw("bob")
    assert status_items(bob.ok("STATUS INBOX (MESSAGES)"))["INBOX"]["MESSAGES"] == 1


def test_quota_root_and_usage(imap_server):
    """RFC 9208 §4.3.2/§5.1: GETQUOTAROOT INBOX → `* QUOTAROOT INBOX root` then `* QUOTA root (STORAGE
    used limit)` in KiB; usage grows with a delivery; GETQUOTA on the root gives the same."""
    imap_server.require("QUOTA")
    conn = imap_server.raw("alice")
    lines = conn.ok("GETQUOTAROOT INBOX")
    root_values = parse(untagged(lines, "QUOTAROOT")[0])
    assert [str(v) if not isinstance(v, bytes) else v.decode() for v in root_values[2:3]] == ["INBOX"]
    root = root_values[3]
    quota = parse(untagged(lines, "QUOTA")[0])
    resources = quota[3]
    assert str(resources[0]).upper() == "STORAGE" and resources[1:3] == [0, QUOTA_KIB]
    imap_server.deliver("alice", make_message("q", "x" * 5000 + "\r\n"))
    root_arg = '"' + (root.decode() if isinstance(root, bytes) else str(root)) + '"'
    lines = conn.ok("GETQUOTA ", root_arg)
    resources = parse(untagged(lines, "QUOTA")[0])[3]
    assert resources[1] in (5, 6) and resources[2] == QUOTA_KIB


def test_quota_unlimited_user(imap_server):
    """RFC 9208 §4.3.2: a user without limits has an empty list of resources or no QUOTA response
    (both forms are permitted), never a limit."""
    imap_server.require("QUOTA")
    lines = imap_server.raw("bob").ok("GETQUOTAROOT INBOX")
    for line in untagged(lines, "QUOTA"):
        assert parse(line)[3] == [], line


def test_setquota_refused_for_user(imap_server):
    """RFC 9208 §4.1.3: SETQUOTA by an ordinary user fails with NO (administrators set quotas)."""
    imap_server.require("QUOTA")
    conn = imap_server.raw("alice")
    root = parse(untagged(conn.ok("GETQUOTAROOT INBOX"), "QUOTAROOT")[0])[3]
    root = root.decode() if isinstance(root, bytes) else str(root)
    assert status(conn.command(f'SETQUOTA "{root}" (STORAGE 999999)')) in ("NO", "BAD")


def test_over_quota_append_is_refused(imap_server):
    """RFC 9208 §7 / RFC 5530: an APPEND exceeding the storage quota fails with NO [OVERQUOTA]."""
    imap_server.require("QUOTA")
    conn = imap_server.raw("alice")
    big = make_message("big", ("y" * 998 + "\r\n") * 2100)  # ~2.1 MB: 49 fit in alice's 100 MiB
    for _ in range(60):
        lines = conn.command("APPEND INBOX ", Literal(big))
        if status(lines) != "OK":
            break
    assert status(lines) == "NO" and code(lines[-1]) in ("OVERQUOTA", "LIMIT"), lines[-1]
    assert code(lines[-1]) == "OVERQUOTA"

"""Connection state, capabilities, TLS and authentication: RFC 3501 §6.1-6.2, §7.1; RFC 9051 §6.2;
RFC 2595 (STARTTLS, LOGINDISABLED); RFC 8314 (implicit TLS); RFC 4959 (SASL-IR); RFC 4616 (PLAIN);
RFC 5530 (response codes); RFC 2971 (ID); RFC 5161 (ENABLE); RFC 3691 (UNSELECT)."""
import base64
import imaplib
import re
import socket
import ssl
import time

import pytest

from imapsite import (PASSWORD, address, capabilities_in, code, imap_server, plain_ir, quote, status,  # noqa: F401
                      untagged)


def test_greeting_is_ok_and_capability_lists_imap4rev1(imap_server):
    """RFC 3501 §7.1.1/§6.1.1: the greeting is an untagged OK; CAPABILITY lists IMAP4rev1 (or
    IMAP4rev2, RFC 9051 §6.1.1) and ends with a tagged OK."""
    conn = imap_server.raw(None)
    assert re.match(rb"^\* OK[ \[]", conn.greeting)
    lines = conn.ok("CAPABILITY")
    assert len(untagged(lines, "CAPABILITY")) == 1
    caps = capabilities_in(lines)
    assert "IMAP4REV1" in caps or "IMAP4REV2" in caps


def test_cleartext_port_offers_starttls_and_disables_login(imap_server):
    """RFC 2595 §3.2/RFC 3501 §6.2.3: before TLS the server advertises STARTTLS and LOGINDISABLED,
    and refuses LOGIN with NO (RFC 3501 §6.2.3 'NO - ... login failure'; BAD accepted too, RFC 9051
    §6.2.3 says a server MAY reply BAD when LOGIN is disabled)."""
    conn = imap_server.raw(None, tls="none")
    caps = conn.capabilities()
    assert {"STARTTLS", "LOGINDISABLED"} <= caps
    assert not any(c.startswith("AUTH=") for c in caps) or "LOGINDISABLED" in caps
    lines = conn.command("LOGIN ", quote(address("alice")), " ", quote(PASSWORD))
    assert status(lines) in ("NO", "BAD")


def test_authenticate_plain_refused_before_tls(imap_server):
    """RFC 3501 §6.2.2 / RFC 4616 §6: PLAIN must not be accepted over an unprotected channel when
    plaintext logins are disabled; the command fails (NO or BAD), it never reaches the OK state."""
    conn = imap_server.raw(None, tls="none")
    lines = conn.command("AUTHENTICATE PLAIN ", plain_ir("alice"))
    assert status(lines) in ("NO", "BAD")
    assert status(conn.command("SELECT INBOX")) in ("NO", "BAD")


def test_starttls_then_capabilities_change(imap_server):
    """RFC 3501 §6.2.1: after STARTTLS the client must re-issue CAPABILITY; STARTTLS and
    LOGINDISABLED are gone, AUTH=PLAIN is offered, and LOGIN works."""
    conn = imap_server.raw(None, tls="starttls")
    caps = conn.capabilities()
    assert "STARTTLS" not in caps and "LOGINDISABLED" not in caps
    assert "AUTH=PLAIN" in caps
    conn.login("alice")
    assert status(conn.command("SELECT INBOX")) == "OK"


def test_starttls_discards_commands_injected_before_handshake(imap_server):
    """RFC 2595 §3.1 / RFC 3501 §6.2.1 (and CVE-2011-0411 class): bytes pipelined after STARTTLS in
    the clear must not be executed inside the TLS session. Dropping the connection is the other
    safe answer (Dovecot does that), so a reset during the handshake passes too."""
    conn = imap_server.raw(None, tls="none")
    conn.send(b"S1 STARTTLS\r\nS2 CAPABILITY\r\n")
    assert conn.read_response().startswith(b"S1 OK")
    assert conn.buf == b"", "nothing may follow the STARTTLS OK in the clear"
    try:
        conn.sock = imap_server.tls_context().wrap_socket(conn.sock, server_hostname="localhost")
    except (ConnectionError, ssl.SSLError):
        return
    lines = conn.command("NOOP", tag=b"S3")
    assert not any(l.startswith(b"S2 ") for l in lines), lines
    assert lines[-1].startswith(b"S3 OK")


def test_starttls_not_offered_twice(imap_server):
    """RFC 3501 §6.2.1: STARTTLS inside TLS is an error (BAD or NO); the session stays usable."""
    conn = imap_server.raw(None, tls="starttls")
    assert status(conn.command("STARTTLS")) in ("BAD", "NO")
    assert status(conn.command("NOOP")) == "OK"


def test_implicit_tls_port(imap_server):
    """RFC 8314 §3.2: port 993 speaks TLS first; the greeting and LOGIN follow inside TLS."""
    conn = imap_server.login_ssl("bob")
    typ, data = conn.select("INBOX")
    assert typ == "OK" and data == [b"0"]
    conn.logout()


def test_imaplib_starttls_login_select(imap_server):
    """RFC 3501 §6.2.1, §6.2.3, §6.3.1 through Python's imaplib, as a client would."""
    conn = imap_server.login("alice")
    assert conn.state == "AUTH"
    assert conn.select("INBOX")[0] == "OK"
    assert conn.logout()[0] == "BYE"


def test_authenticate_plain_with_initial_response(imap_server):
    """RFC 4959 §3 (SASL-IR) and RFC 4616: `AUTHENTICATE PLAIN <base64>` in one line."""
    imap_server.require("SASL-IR")
    conn = imap_server.raw(None)
    lines = conn.command("AUTHENTICATE PLAIN ", plain_ir("alice"))
    assert status(lines) == "OK"
    assert status(conn.command("SELECT INBOX")) == "OK"


def test_authenticate_plain_with_continuation(imap_server):
    """RFC 3501 §6.2.2: the server sends `+ ` with empty challenge, the client the response."""
    conn = imap_server.raw(None)
    conn.send(b"A1 AUTHENTICATE PLAIN\r\n")
    assert conn.read_response().startswith(b"+")
    conn.send(plain_ir("bob").encode() + b"\r\n")
    assert conn.until_tagged(b"A1")[-1].startswith(b"A1 OK")


def test_authenticate_login(imap_server):
    """AUTH=LOGIN (draft-murchison-sasl-login): user name then password, each base64 after `+`."""
    conn = imap_server.raw(None)
    assert "AUTH=LOGIN" in conn.capabilities()
    conn.send(b"A1 AUTHENTICATE LOGIN\r\n")
    assert conn.read_response().startswith(b"+")
    conn.send(base64.b64encode(address("carol").encode()) + b"\r\n")
    assert conn.read_response().startswith(b"+")
    conn.send(base64.b64encode(PASSWORD.encode()) + b"\r\n")
    assert conn.until_tagged(b"A1")[-1].startswith(b"A1 OK")


def test_authenticate_cancelled_with_star(imap_server):
    """RFC 3501 §6.2.2: a client response of `*` cancels the exchange; the server answers BAD."""
    conn = imap_server.raw(None)
    conn.send(b"A1 AUTHENTICATE PLAIN\r\n")
    assert conn.read_response().startswith(b"+")
    conn.send(b"*\r\n")
    assert conn.until_tagged(b"A1")[-1].startswith(b"A1 BAD")
    assert status(conn.command("NOOP")) == "OK"


def test_authenticate_unknown_mechanism(imap_server):
    """RFC 3501 §6.2.2: an unsupported mechanism is refused with NO (BAD also seen, §7.1.3 'command
    unknown or arguments invalid'); the connection stays in the not-authenticated state."""
    conn = imap_server.raw(None)
    assert status(conn.command("AUTHENTICATE X-NO-SUCH-MECH")) in ("NO", "BAD")
    assert status(conn.command("SELECT INBOX")) in ("NO", "BAD")


def test_wrong_password_fails_with_authenticationfailed(imap_server):
    """RFC 3501 §6.2.3: failed LOGIN is NO. RFC 5530 §3: if a code is given it is AUTHENTICATIONFAILED
    (not e.g. a code that reveals whether the user exists)."""
    conn = imap_server.raw(None)
    for login in (address("alice"), "nobody@example.org"):
        lines = conn.command("LOGIN ", quote(login), " ", quote("wrong-password"))
        assert status(lines) == "NO", lines
        assert code(lines[-1]) in (None, "AUTHENTICATIONFAILED")


def test_commands_need_authentication(imap_server):
    """RFC 3501 §3.1: in the not-authenticated state only CAPABILITY, NOOP, LOGOUT, STARTTLS,
    AUTHENTICATE, LOGIN (and ID) are allowed; others fail. A fresh connection per command: a
    server may close a connection after a few bad commands."""
    for command in ("SELECT INBOX", 'LIST "" "*"', "STATUS INBOX (MESSAGES)", "FETCH 1 FLAGS", "UID SEARCH ALL"):
        conn = imap_server.raw(None)
        assert status(conn.command(command)) in ("NO", "BAD"), command
        assert status(conn.command("NOOP")) == "OK"
        conn.close()


def test_unknown_command_and_missing_tag_are_bad(imap_server):
    """RFC 3501 §7.1.3: an unknown command is a tagged BAD; a line that has no valid tag gets an
    untagged BAD (`* BAD`) and the session continues."""
    conn = imap_server.raw("alice")
    assert status(conn.command("XYZZY-NOT-A-COMMAND")) == "BAD"
    conn.send(b"\r\n")
    r = conn.read_response()
    assert r.startswith(b"* BAD") or r.split(b" ")[1:2] == [b"BAD"], r
    assert status(conn.command("NOOP")) == "OK"


def test_logout_sends_bye_before_ok(imap_server):
    """RFC 3501 §6.1.3: LOGOUT: untagged BYE first, then the tagged OK, then the server closes."""
    conn = imap_server.raw("alice")
    lines = conn.command("LOGOUT")
    assert [l.split(b" ")[1] for l in lines] == [b"BYE", b"OK"]
    conn.sock.settimeout(5)
    assert conn.sock.recv(10) == b""


def test_noop_and_capability_in_selected_state(imap_server):
    """RFC 3501 §6.1.1-§6.1.2: CAPABILITY and NOOP work in every state."""
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    assert status(conn.command("NOOP")) == "OK"
    assert "IDLE" in conn.capabilities()


def test_login_with_literal_credentials(imap_server):
    """RFC 3501 §6.2.3 and §4.3: user name and password may be literals (synchronising)."""
    from imapsite import Literal
    conn = imap_server.raw(None)
    assert status(conn.command("LOGIN ", Literal(address("alice").encode()), " ", Literal(PASSWORD.encode()))) == "OK"


def test_failed_logins_are_throttled(imap_server):
    """Issue requirement (and RFC 3501 §11.1 on brute force): repeated failures slow down; a wrong
    password after several failures takes at least a second, and the right password still works."""
    timings = []
    for _ in range(4):
        conn = imap_server.raw(None)  # Posta closes a connection after its third failed login
        start = time.monotonic()
        assert status(conn.command("LOGIN ", quote(address("carol")), " ", quote("bad"))) in ("NO", "BAD")
        timings.append(time.monotonic() - start)
        conn.close()
    assert timings[-1] >= 1.0, timings
    fresh = imap_server.raw(None)
    if imap_server.name == "dovecot":
        # The reference's auth process answers a temporary failure while its penalty runs out.
        for _ in range(5):
            if status(fresh.command("LOGIN ", quote(address("carol")), " ", quote(PASSWORD))) == "OK":
                return
            time.sleep(1)
    fresh.login("carol")


def test_every_login_is_recorded(imap_server):
    """Issue requirement: successful and failed logins are both logged with the login name."""
    imap_server.raw("alice").close()
    bad = imap_server.raw(None)
    bad.command("LOGIN ", quote(address("bob")), " ", quote("wrong"))
    bad.close()
    deadline = time.monotonic() + 5
    records = []
    while time.monotonic() < deadline:
        records = imap_server.login_records()
        if (address("alice"), True) in records and (address("bob"), False) in records:
            break
        time.sleep(0.1)
    assert (address("alice"), True) in records and (address("bob"), False) in records, records


def test_id_command(imap_server):
    """RFC 2971 §3.1: `ID NIL` or `ID ("name" "x")` gets exactly one untagged ID (a list or NIL)
    and OK; allowed before authentication."""
    imap_server.require("ID")
    conn = imap_server.raw(None)
    for args in ("NIL", '("name" "posta-suite" "version" "1")'):
        lines = conn.ok("ID ", args)
        ids = untagged(lines, "ID")
        assert len(ids) == 1 and re.match(rb"^\* ID (NIL|\(.*\))$", ids[0]), ids


def test_id_with_largest_allowed_parameters(imap_server):
    """RFC 2971 §3.3: up to 30 field-value pairs, fields up to 30 octets and values up to 1024; an ID
    that uses all of it (a line of about 32 KB) before login is answered OK, and the connection stays
    usable (LOGIN afterwards)."""
    imap_server.require("ID")
    conn = imap_server.raw(None)
    pairs = " ".join(f'"{f"x-field-{i:02d}-".ljust(30, "f")}" "{"v" * 1024}"' for i in range(30))
    lines = conn.ok(f"ID ({pairs})")
    assert len(untagged(lines, "ID")) == 1
    conn.login("alice")
    assert status(conn.command("SELECT INBOX")) == "OK"


def test_enable_condstore(imap_server):
    """RFC 5161 §3.1/§3.2: ENABLE answers `* ENABLED` listing only extensions it enabled (and not
    unknown ones); before authentication it enables nothing: BAD/NO (RFC 5161 §3.1: valid only in
    the authenticated state), or an OK with an empty ENABLED (Dovecot's choice) is accepted."""
    imap_server.require("ENABLE")
    pre = imap_server.raw(None)
    lines = pre.command("ENABLE CONDSTORE")
    assert status(lines) in ("NO", "BAD") or untagged(lines, "ENABLED") == [b"* ENABLED"], lines
    conn = imap_server.raw("alice")
    lines = conn.ok("ENABLE CONDSTORE X-UNKNOWN-EXT")
    enabled = untagged(lines, "ENABLED")
    assert len(enabled) == 1
    assert [w.upper() for w in enabled[0].split()[2:]] == [b"CONDSTORE"]
    # Enabling again lists nothing new (RFC 5161 §3.1: only newly enabled ... MAY list again; both fine).
    lines = conn.ok("ENABLE CONDSTORE")
    assert all(set(w.upper() for w in l.split()[2:]) <= {b"CONDSTORE"} for l in untagged(lines, "ENABLED"))


@pytest.mark.capability("IMAP4rev2")
def test_enable_imap4rev2(imap_server):
    """RFC 9051 §6.3.1: a client enables IMAP4rev2 with ENABLE; the server answers `* ENABLED IMAP4rev2`;
    afterwards no RECENT responses are sent (RFC 9051 §7.4.2 removed)."""
    imap_server.require("IMAP4rev2")
    conn = imap_server.raw("alice")
    lines = conn.ok("ENABLE IMAP4rev2")
    assert [w.upper() for w in untagged(lines, "ENABLED")[0].split()[2:]] == [b"IMAP4REV2"]
    from imapsite import make_message
    imap_server.deliver("alice", make_message("rev2"))
    lines = conn.ok("SELECT INBOX")
    assert not untagged(lines, "RECENT")
    assert untagged(lines, "EXISTS") == [b"* 1 EXISTS"]


def test_unselect_does_not_expunge(imap_server):
    """RFC 3691 §2: UNSELECT leaves the selected state without expunging \\Deleted messages (unlike
    CLOSE, RFC 3501 §6.4.2)."""
    imap_server.require("UNSELECT")
    from imapsite import make_message
    imap_server.deliver("alice", make_message("a"))
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    conn.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
    lines = conn.ok("UNSELECT")
    assert not untagged(lines, "EXPUNGE")
    assert status(conn.command("FETCH 1 FLAGS")) == "BAD"  # no mailbox selected (§6.4)
    assert untagged(conn.ok("SELECT INBOX"), "EXISTS") == [b"* 1 EXISTS"]
    conn.ok("CLOSE")
    assert untagged(conn.ok("SELECT INBOX"), "EXISTS") == [b"* 0 EXISTS"]


def test_unselect_without_selection_is_bad(imap_server):
    """RFC 3691 §2: UNSELECT is valid only in the selected state; otherwise BAD."""
    imap_server.require("UNSELECT")
    conn = imap_server.raw("alice")
    assert status(conn.command("UNSELECT")) == "BAD"


def test_capability_after_login_is_announced(imap_server):
    """RFC 3501 §7.1 / RFC 9051 §6.2.3: after LOGIN the capabilities may change; the server either
    sends a CAPABILITY response code in the tagged OK or the client asks again; either way the
    post-login list contains the issue's extensions the server advertises."""
    conn = imap_server.raw(None)
    lines = conn.command("LOGIN ", quote(address("alice")), " ", quote(PASSWORD))
    caps = capabilities_in(lines) or conn.capabilities()
    assert "IDLE" in caps and ("IMAP4REV1" in caps or "IMAP4REV2" in caps)
    # AUTH= mechanisms and STARTTLS only matter before login (RFC 9051 §6.1.1 lets them go).
    for cap in {c for c in imap_server.expected_capabilities if not c.startswith("AUTH=")} - {"STARTTLS", "LOGINDISABLED"}:
        assert cap in caps or any(c.startswith(cap + "=") for c in caps), cap


def test_connection_on_ipv4_loopback_only_plain_socket_gets_no_tls_greeting_on_993(imap_server):
    """RFC 8314 §3.2: the implicit-TLS port does not send a cleartext greeting."""
    sock = socket.create_connection(("127.0.0.1", imap_server.imaps_port), timeout=5)
    sock.settimeout(1.0)
    try:
        data = sock.recv(100)
    except (socket.timeout, TimeoutError):
        data = b""
    sock.close()
    assert not data.startswith(b"* OK")

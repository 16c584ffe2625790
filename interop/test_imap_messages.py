"""Changing messages: STORE (RFC 3501 §6.4.6), COPY (§6.4.7), MOVE (RFC 6851), EXPUNGE/CLOSE
(§6.4.3, §6.4.2), UID EXPUNGE and COPYUID/APPENDUID (RFC 4315), APPEND (§6.3.11), MULTIAPPEND
(RFC 3502), APPENDLIMIT (RFC 7889), APPEND of a literal8 (RFC 3516 §4.4)."""
import re

import pytest

from imapsite import (Literal, code, exists_count, fetches, flags_of, imap_server, listing, make_message,  # noqa: F401
                      response_code_value, seed, status, status_items, untagged)


def selected(server, count: int = 3):
    seed(server, count)
    conn = server.raw("alice")
    conn.ok("SELECT INBOX")
    return conn


def test_store_forms(imap_server):
    """RFC 3501 §6.4.6: FLAGS replaces, +FLAGS adds, -FLAGS removes, each answering with the new FLAGS;
    .SILENT suppresses the FETCH response; keywords are kept."""
    conn = selected(imap_server, 1)
    got = fetches(conn.ok("STORE 1 FLAGS (\\Flagged $Work)"))
    assert flags_of(got[1]) == {"\\flagged", "$work"} or flags_of(got[1]) == {"\\flagged", "$work", "\\recent"}
    got = fetches(conn.ok("STORE 1 +FLAGS (\\Seen)"))
    assert flags_of(got[1]) - {"\\recent"} == {"\\flagged", "$work", "\\seen"}
    got = fetches(conn.ok("STORE 1 -FLAGS (\\Flagged)"))
    assert flags_of(got[1]) - {"\\recent"} == {"$work", "\\seen"}
    lines = conn.ok("STORE 1 +FLAGS.SILENT (\\Answered)")
    assert not untagged(lines, "FETCH")
    assert flags_of(fetches(conn.ok("FETCH 1 FLAGS"))[1]) - {"\\recent"} == {"$work", "\\seen", "\\answered"}
    assert status(conn.command("STORE 1 +FLAGS (\\Recent)")) in ("BAD", "NO", "OK")
    assert status(conn.command("STORE 1 +FLAGS (\\NotAFlag)")) in ("BAD", "NO")


def test_uid_store_includes_uid(imap_server):
    """RFC 3501 §6.4.8: UID STORE's FETCH responses include UID."""
    conn = selected(imap_server, 3)
    got = fetches(conn.ok("UID STORE 2:3 +FLAGS (\\Draft)"))
    assert {n: (items["UID"], "\\draft" in flags_of(items)) for n, items in got.items()} == {2: (2, True), 3: (3, True)}


def test_flags_persist_across_sessions(imap_server):
    """RFC 3501 §2.3.2: flags are permanent when listed in PERMANENTFLAGS; keywords too if \\* is."""
    conn = selected(imap_server, 1)
    conn.ok("STORE 1 +FLAGS (\\Flagged $Label1)")
    conn.ok("LOGOUT")
    other = imap_server.raw("alice")
    lines = other.ok("SELECT INBOX")
    assert b"$label1" in untagged(lines, "FLAGS")[0].lower()
    assert {"\\flagged", "$label1"} <= flags_of(fetches(other.ok("FETCH 1 FLAGS"))[1])


def test_new_keyword_is_announced_before_fetch(imap_server):
    """RFC 9051 §7.3.5: a keyword a STORE creates is not yet in the session's FLAGS; the server sends
    `* FLAGS` (and `* OK [PERMANENTFLAGS]`) naming it before the `* 1 FETCH` that shows it."""
    conn = selected(imap_server, 1)
    lines = conn.ok("STORE 1 +FLAGS ($Announced1)")
    naming = lambda l: b"$announced1" in l.lower()
    flags = [i for i, l in enumerate(lines) if l.startswith(b"* FLAGS ") and naming(l)]
    permanent = [i for i, l in enumerate(lines) if b"[PERMANENTFLAGS " in l and naming(l)]
    fetch = [i for i, l in enumerate(lines) if re.match(rb"^\* 1 FETCH ", l) and naming(l)]
    assert flags and permanent and fetch, lines
    assert flags[0] < fetch[0] and permanent[0] < fetch[0], lines


def test_new_keyword_is_announced_to_other_session(imap_server):
    """RFC 9051 §7.3.5: a session that selected the mailbox before a keyword existed gets `* FLAGS`
    naming it before the FETCH FLAGS update that shows it (here at NOOP, §6.1.2)."""
    conn = selected(imap_server, 1)
    other = imap_server.raw("alice")
    other.ok("SELECT INBOX")
    conn.ok("STORE 1 +FLAGS.SILENT ($Announced2)")
    lines = other.ok("NOOP")
    fetch = [i for i, l in enumerate(lines) if re.match(rb"^\* 1 FETCH .*\$Announced2", l, re.I)]
    flags = [i for i, l in enumerate(lines) if l.startswith(b"* FLAGS ") and b"$announced2" in l.lower()]
    assert flags and fetch and flags[0] < fetch[0], lines


def test_copy_with_copyuid(imap_server):
    """RFC 4315 §3: COPY answers OK [COPYUID uidvalidity source-uids dest-uids]; the mapping is exact
    and flags are copied (RFC 3501 §6.4.7); copying to a missing mailbox is NO [TRYCREATE]."""
    conn = selected(imap_server, 3)
    conn.ok("STORE 2 +FLAGS (\\Flagged)")
    conn.ok("CREATE Dest")
    validity = status_items(conn.ok("STATUS Dest (UIDVALIDITY)"))["Dest"]["UIDVALIDITY"]
    lines = conn.ok("COPY 2:3 Dest")
    assert code(lines[-1]) == "COPYUID"
    assert response_code_value(lines, "COPYUID").split() == [str(validity).encode(), b"2:3", b"1:2"]
    assert not untagged(lines, "EXPUNGE")
    lines = conn.command("COPY 1 NoSuchBox")
    assert status(lines) == "NO" and code(lines[-1]) == "TRYCREATE"
    dest = imap_server.raw("alice")
    dest.ok("SELECT Dest")
    got = fetches(dest.ok("FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
    assert [(items["UID"], "\\flagged" in flags_of(items)) for _, items in sorted(got.items())] == [(1, True), (2, False)]


def test_uid_copy_reversed_set(imap_server):
    """RFC 4315 §3: COPYUID lists source UIDs in the order the destination UIDs were assigned."""
    conn = selected(imap_server, 3)
    conn.ok("CREATE Dest")
    lines = conn.ok("UID COPY 3,1 Dest")
    source, dest = response_code_value(lines, "COPYUID").split()[1:]
    pairs = dict(zip(expand(source), expand(dest)))
    assert sorted(pairs) == [1, 3] and sorted(pairs.values()) == [1, 2]


def expand(uid_set: bytes) -> list[int]:
    out = []
    for part in uid_set.decode().split(","):
        a, _, b = part.partition(":")
        lo, hi = int(a), int(b or a)
        out += list(range(lo, hi + 1)) if lo <= hi else list(range(lo, hi - 1, -1))
    return out


def test_move(imap_server):
    """RFC 6851 §3.3-§4.3: MOVE sends OK [COPYUID ...] as an untagged OK before the EXPUNGEs (or in the
    tagged OK), expunges the sources with EXPUNGE responses, and the tagged OK ends it."""
    imap_server.require("MOVE")
    conn = selected(imap_server, 4)
    conn.ok("CREATE Dest")
    lines = conn.ok("MOVE 2:3 Dest")
    copyuid = [i for i, l in enumerate(lines) if b"[COPYUID " in l]
    expunges = [i for i, l in enumerate(lines) if re.match(rb"^\* \d+ EXPUNGE$", l)]
    assert copyuid and len(expunges) == 2
    assert copyuid[0] < expunges[0] or copyuid[0] == len(lines) - 1
    assert [lines[i] for i in expunges] in ([b"* 2 EXPUNGE", b"* 2 EXPUNGE"], [b"* 3 EXPUNGE", b"* 2 EXPUNGE"])
    assert response_code_value(lines, "COPYUID").split()[1:] == [b"2:3", b"1:2"]
    got = fetches(conn.ok("FETCH 1:* UID"))
    assert [items["UID"] for _, items in sorted(got.items())] == [1, 4]


def test_uid_move_missing_target(imap_server):
    """RFC 6851 §3.3: a failed MOVE (no such mailbox) is NO [TRYCREATE] and moves nothing."""
    imap_server.require("MOVE")
    conn = selected(imap_server, 2)
    lines = conn.command("UID MOVE 1 Nowhere")
    assert status(lines) == "NO" and code(lines[-1]) == "TRYCREATE" and not untagged(lines, "EXPUNGE")


def test_expunge_responses_and_close(imap_server):
    """RFC 3501 §6.4.3 example: deleting messages 3, 4, 7 and 11 of 11 yields `* 3 EXPUNGE`,
    `* 3 EXPUNGE`, `* 5 EXPUNGE`, `* 8 EXPUNGE` (numbers shift as each is removed; any order that
    is consistent is allowed, we accept the RFC's and the descending one)."""
    conn = selected(imap_server, 11)
    conn.ok("STORE 3,4,7,11 +FLAGS.SILENT (\\Deleted)")
    lines = conn.ok("EXPUNGE")
    got = [int(l.split()[1]) for l in untagged(lines, "EXPUNGE")]
    assert got in ([3, 3, 5, 8], [11, 7, 4, 3]), got
    assert exists_count(conn.ok("NOOP")) in (None, 7)
    assert sorted(fetches(conn.ok("FETCH 1:* UID"))) == list(range(1, 8))


def test_uid_expunge_only_named(imap_server):
    """RFC 4315 §2.1: UID EXPUNGE removes only \\Deleted messages in the UID set."""
    imap_server.require("UIDPLUS")
    conn = selected(imap_server, 3)
    conn.ok("STORE 1:3 +FLAGS.SILENT (\\Deleted)")
    lines = conn.ok("UID EXPUNGE 2")
    assert untagged(lines, "EXPUNGE") == [b"* 2 EXPUNGE"]
    assert [i["UID"] for _, i in sorted(fetches(conn.ok("FETCH 1:* UID")).items())] == [1, 3]


def test_close_expunges_silently(imap_server):
    """RFC 3501 §6.4.2: CLOSE expunges \\Deleted messages without sending EXPUNGE responses."""
    conn = selected(imap_server, 2)
    conn.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
    lines = conn.ok("CLOSE")
    assert not untagged(lines, "EXPUNGE")
    assert status_items(conn.ok("STATUS INBOX (MESSAGES)"))["INBOX"]["MESSAGES"] == 1


def test_append_flags_date_appenduid(imap_server):
    """RFC 3501 §6.3.11 + RFC 4315 §3: APPEND with flags and date-time; OK [APPENDUID validity uid];
    the message is stored byte for byte; append to a missing mailbox is NO [TRYCREATE]."""
    conn = imap_server.raw("alice")
    conn.ok("CREATE Box")
    validity = status_items(conn.ok("STATUS Box (UIDVALIDITY)"))["Box"]["UIDVALIDITY"]
    message = make_message("appended", "line\r\n\r\n.dot\r\n")
    lines = conn.ok('APPEND Box (\\Seen $Tag) " 5-Nov-2020 10:00:00 +0100" ', Literal(message))
    assert response_code_value(lines, "APPENDUID").split() == [str(validity).encode(), b"1"]
    lines = conn.command("APPEND Missing ", Literal(b"x"))
    assert status(lines) == "NO" and code(lines[-1]) == "TRYCREATE"
    conn.ok("SELECT Box")
    items = fetches(conn.ok("FETCH 1 (FLAGS INTERNALDATE BODY.PEEK[])"))[1]
    assert items["BODY[]"] == message
    assert {"\\seen", "$tag"} <= flags_of(items)


def test_append_literal8_with_nul(imap_server):
    """RFC 3516 §4.4 (literal8 in APPEND) and §4.2: a binary part holding NUL octets is stored so that
    BODY[1] is an ordinary literal without NUL (RFC 3501 §4.3: CHAR8 excludes NUL), while BINARY[1]
    and BINARY.SIZE[1] give back exactly the octets appended."""
    conn = imap_server.raw("alice")
    imap_server.require("BINARY", conn)
    body = bytes(range(256)) + b"\r\n\r\n"
    message = (b"From: sender@example.net\r\nTo: alice@example.org\r\nSubject: binary\r\nMIME-Version: 1.0\r\n"
               b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n" + body)
    conn.ok("APPEND INBOX ", Literal(message, binary=True))
    conn.ok("SELECT INBOX")
    fetched = b"".join(untagged(conn.ok("FETCH 1 (BODY.PEEK[1])"), "FETCH"))
    assert b"\x00" not in fetched and b"~{" not in fetched, fetched[:200]
    items = fetches(conn.ok("FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])"))[1]
    assert items["BINARY[1]"] == body
    assert items["BINARY.SIZE[1]"] == len(body)


def test_append_to_selected_mailbox_sends_exists(imap_server):
    """RFC 3501 §6.3.11: appending to the selected mailbox: the server SHOULD notify with EXISTS
    (at the latest by the next NOOP, §7.3.1)."""
    conn = selected(imap_server, 1)
    lines = conn.ok("APPEND INBOX ", Literal(make_message("x")))
    if exists_count(lines) is None:
        lines = conn.ok("NOOP")
    assert exists_count(lines) == 2


def test_multiappend(imap_server):
    """RFC 3502 §6.3.11: several messages in one APPEND; APPENDUID carries a UID set (RFC 4315 §3)."""
    imap_server.require("MULTIAPPEND")
    conn = imap_server.raw("alice")
    lines = conn.ok("APPEND INBOX (\\Flagged) ", Literal(make_message("m1")), " ", Literal(make_message("m2")), " ",
                    Literal(make_message("m3")))
    value = response_code_value(lines, "APPENDUID")
    assert value is None or value.split()[1] == b"1:3"
    assert status_items(conn.ok("STATUS INBOX (MESSAGES)"))["INBOX"]["MESSAGES"] == 3


def test_multiappend_is_atomic(imap_server):
    """RFC 3502 §6.3.11: if any message fails, none is appended (here: an invalid date on the second)."""
    imap_server.require("MULTIAPPEND")
    conn = imap_server.raw("alice")
    lines = conn.command("APPEND INBOX ", Literal(make_message("m1")), ' "99-Foo-2020 99:00:00 +0000" ', Literal(make_message("m2")))
    assert status(lines) in ("NO", "BAD")
    assert status_items(conn.ok("STATUS INBOX (MESSAGES)"))["INBOX"]["MESSAGES"] == 0


@pytest.mark.capability("APPENDLIMIT")
def test_appendlimit(imap_server):
    """RFC 7889 §3-§4: APPENDLIMIT=n in CAPABILITY; a larger APPEND is refused with NO [TOOBIG] before
    the literal (non-synchronising) or as a refused synchronising literal."""
    conn = imap_server.raw("alice")
    imap_server.require("APPENDLIMIT", conn)
    caps = conn.capabilities()
    limit = next(int(c.split("=")[1]) for c in caps if c.startswith("APPENDLIMIT="))
    lines = conn.command("APPEND INBOX ", Literal(b"x" * (limit + 1)))
    assert status(lines) == "NO" and code(lines[-1]) == "TOOBIG"
    assert status_items(conn.ok("STATUS INBOX (MESSAGES)"))["INBOX"]["MESSAGES"] == 0

"""SEARCH: every RFC 3501 §6.4.4 key, CHARSET UTF-8 and decoded-content matching (RFC 3501 §6.4.4,
RFC 9051 §6.4.4), ESEARCH (RFC 4731), and CONDSTORE/QRESYNC (RFC 7162)."""
import re

import pytest

from imapsite import (Literal, fetches, imap_server, make_message, parse, response_code_value, search_numbers,  # noqa: F401
                      status, status_items, untagged)

# (subject, sender, to, cc, internal date, sent date, flags, body, extra headers)
MESSAGES = [
    ("alpha report", "ann@example.net", "alice@example.org", "", "01-Jan-2020 12:00:00 +0000", "Wed, 1 Jan 2020 12:00:00 +0000",
     "\\Seen", "quarterly numbers\r\n", ""),
    ("beta", "bob@example.com", "team@example.org", "carl@example.com", "15-Jun-2021 08:00:00 +0000",
     "Tue, 15 Jun 2021 08:00:00 +0000", "\\Flagged \\Answered", "see attachment\r\n", "X-Priority: 1\r\n"),
    ("=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=", "cid@example.net", "alice@example.org", "", "20-Jun-2021 08:00:00 +0000",
     "Sun, 20 Jun 2021 08:00:00 +0000", "\\Deleted $Work", "", "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
     "Content-Transfer-Encoding: base64\r\n"),
    ("gamma", "dan@example.net", "alice@example.org", "", "01-Mar-2023 00:30:00 +0000", "Wed, 1 Mar 2023 00:30:00 +0000",
     "\\Draft", "big " + "x" * 3000 + "\r\n", ""),
]
BASE64_BODY = "U8OhbmNoZXogRMOtYXogc2NobMOkZnQgaW0gQ2Fmw6k=\r\n"  # "Sánchez Díaz schläft im Café"


def build(i: int) -> bytes:
    subject, sender, to, cc, _, sent, _, body, extra = MESSAGES[i]
    if i == 2:
        body = BASE64_BODY
    if cc:
        extra = f"Cc: {cc}\r\n" + extra
    return make_message(subject, body, sender=sender, to=to, extra=extra, date=sent)


@pytest.fixture
def box(imap_server):
    """alice's INBOX with MESSAGES (UIDs 1-4), selected."""
    for i, m in enumerate(MESSAGES):
        imap_server.append("alice", "INBOX", build(i), flags=m[6], date=m[4])
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    return conn


def search(conn, criteria, uid: bool = False) -> list[int]:
    parts = criteria if isinstance(criteria, tuple) else (criteria,)
    return sorted(search_numbers(conn.ok("UID SEARCH " if uid else "SEARCH ", *parts)))


@pytest.mark.parametrize("criteria,expected", [
    ("ALL", [1, 2, 3, 4]), ("ANSWERED", [2]), ("UNANSWERED", [1, 3, 4]), ("DELETED", [3]), ("UNDELETED", [1, 2, 4]),
    ("DRAFT", [4]), ("UNDRAFT", [1, 2, 3]), ("FLAGGED", [2]), ("UNFLAGGED", [1, 3, 4]), ("SEEN", [1]),
    ("UNSEEN", [2, 3, 4]), ("KEYWORD $Work", [3]), ("UNKEYWORD $Work", [1, 2, 4]),
    ("BEFORE 15-Jun-2021", [1]), ("ON 15-Jun-2021", [2]), ("SINCE 15-Jun-2021", [2, 3, 4]),
    ("SENTBEFORE 15-Jun-2021", [1]), ("SENTON 20-Jun-2021", [3]), ("SENTSINCE 1-Mar-2023", [4]),
    ("FROM bob", [2]), ("FROM EXAMPLE.NET", [1, 3, 4]), ("TO team@", [2]), ("CC carl", [2]), ("BCC anyone", []),
    ("SUBJECT ALPHA", [1]), ('SUBJECT "report"', [1]), ("HEADER X-Priority 1", [2]), ('HEADER X-Priority ""', [2]),
    ("BODY quarterly", [1]), ("TEXT attachment", [2]), ("TEXT bob@example", [2]), ("LARGER 3000", [4]),
    ("SMALLER 3000", [1, 2, 3]), ("NOT SEEN", [2, 3, 4]), ("OR SEEN FLAGGED", [1, 2]), ("(SEEN) (UNDELETED)", [1]),
    ("2:3", [2, 3]), ("2:*", [2, 3, 4]), ("UID 1,4", [1, 4]), ("OR (FROM bob) (NOT UID 1:3)", [2, 4]),
    ("NOT (OR DRAFT DELETED)", [1, 2]), ("1:4 UNSEEN NOT FROM dan", [2, 3]),
])
def test_search_keys(box, criteria, expected):
    """RFC 3501 §6.4.4: each search key, case-insensitive substring matching for string keys,
    date keys on the day (internal date vs. Date: header), sets, NOT/OR/parentheses, AND by juxtaposition."""
    assert search(box, criteria) == expected


def test_search_from_address_with_comments(imap_server):
    """RFC 3501 §6.4.4 FROM: the string is matched against the From address; comments inside the
    address (RFC 5322 §3.4.1 allows CFWS around the local part, `@` and domain) do not hide it."""
    imap_server.deliver("alice", make_message("commented", sender="<user-from (comment)@ (comment) domain.org>"))
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    assert search(conn, "FROM user-from@domain.org") == [1]


def test_search_new_old_recent(box):
    """RFC 3501 §6.4.4: NEW = RECENT UNSEEN, OLD = NOT RECENT. With IMAP4rev1 the first session to
    select sees appended messages as \\Recent (servers may differ on who gets \\Recent, §2.3.2)."""
    recent = search(box, "RECENT")
    assert search(box, "NEW") == sorted(set(recent) & {2, 3, 4})
    assert search(box, "OLD") == sorted({1, 2, 3, 4} - set(recent))


def test_uid_search_returns_uids(box):
    """RFC 3501 §6.4.8: UID SEARCH returns UIDs; after expunging UIDs 1 and 3 (already \\Deleted),
    sequence 1 is UID 2."""
    box.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
    box.ok("EXPUNGE")
    assert search(box, "FLAGGED", uid=True) == [2]
    assert search(box, "FLAGGED") == [1]
    assert search(box, "UID 2:4", uid=True) == [2, 4]
    assert search(box, "2", uid=True) == [4]


def test_search_decoded_header_and_body_utf8(box):
    """RFC 3501 §6.4.4 / RFC 9051 §6.4.4: with CHARSET UTF-8 the search string (a literal) matches
    RFC 2047-decoded headers and base64/QP-decoded bodies, case-insensitively."""
    assert search(box, ("CHARSET UTF-8 SUBJECT ", Literal("grüße".encode()))) == [3]
    assert search(box, ("CHARSET UTF-8 BODY ", Literal("CAFÉ".encode()))) == [3]
    assert search(box, ("CHARSET UTF-8 TEXT ", Literal("schläft".encode()))) == [3]
    assert search(box, ('CHARSET UTF-8 BODY "Cafe"')) in ([], [3])  # accent-insensitive matching is optional


def test_search_unknown_charset(box):
    """RFC 3501 §6.4.4: an unsupported charset → NO [BADCHARSET (supported ...)]."""
    lines = box.command("SEARCH CHARSET X-NO-SUCH-CHARSET SUBJECT a")
    assert status(lines) == "NO" and b"[BADCHARSET" in lines[-1].upper()


def test_search_syntax_errors(box):
    """RFC 3501 §6.4.4: an unknown key or missing argument is BAD."""
    for criteria in ("NOSUCHKEY", "SUBJECT", "BEFORE notadate", "OR SEEN", "(SEEN"):
        assert status(box.command("SEARCH " + criteria)) == "BAD", criteria


def test_search_empty_result_has_bare_search(box):
    """RFC 3501 §7.2.5: no match still sends `* SEARCH` (with no numbers)."""
    lines = box.ok("SEARCH SUBJECT nothing-matches-this")
    assert untagged(lines, "SEARCH") == [b"* SEARCH"]


def test_esearch_return_options(imap_server, box):
    """RFC 4731 §3.1-§3.2: `SEARCH RETURN (MIN MAX COUNT ALL)` answers one
    `* ESEARCH (TAG "t") MIN 2 MAX 4 COUNT 3 ALL 2:4`; UID SEARCH adds `UID`; no match gives no MIN/MAX/ALL."""
    imap_server.require("ESEARCH")
    conn = box
    lines = conn.command("SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN", tag=b"E1")
    assert status(lines) == "OK"
    found = untagged(lines, "ESEARCH")
    assert len(found) == 1 and not untagged(lines, "SEARCH")
    values = parse(found[0])
    assert [str(values[2][0]).upper(), values[2][1]] == ["TAG", b"E1"]
    result = {str(values[i]).upper(): values[i + 1] for i in range(3, len(values), 2)}
    assert result == {"MIN": 2, "MAX": 4, "COUNT": 3, "ALL": "2:4"}
    lines = conn.ok("UID SEARCH RETURN (COUNT) FLAGGED")
    assert re.match(rb'^\* ESEARCH \(TAG "[^"]+"\) UID COUNT 1$', untagged(lines, "ESEARCH")[0], re.I)
    lines = conn.ok("SEARCH RETURN (MIN MAX) SUBJECT nothing-matches")
    assert re.match(rb'^\* ESEARCH \(TAG "[^"]+"\)$', untagged(lines, "ESEARCH")[0])


def test_esearch_default_is_all(imap_server, box):
    """RFC 4731 §3.1: `RETURN ()` is the same as RETURN (ALL)."""
    imap_server.require("ESEARCH")
    lines = box.ok("SEARCH RETURN () 1:4")
    assert re.match(rb'^\* ESEARCH \(TAG "[^"]+"\) ALL 1:4$', untagged(lines, "ESEARCH")[0])


def test_condstore_fetch_and_search_modseq(imap_server, box):
    """RFC 7162 §3.1: SELECT (CONDSTORE) gives OK [HIGHESTMODSEQ n]; FETCH MODSEQ; STORE raises the
    message's MODSEQ above the old HIGHESTMODSEQ; SEARCH MODSEQ n returns changed messages and ends
    with (MODSEQ highest)."""
    imap_server.require("CONDSTORE")
    lines = box.ok("SELECT INBOX (CONDSTORE)")
    highest = int(response_code_value(lines, "HIGHESTMODSEQ"))
    got = fetches(box.ok("FETCH 1:* (MODSEQ)"))
    assert all(items["MODSEQ"][0] <= highest for items in got.values())
    lines = box.ok("STORE 2 +FLAGS (\\Seen)")
    new = fetches(lines)[2]["MODSEQ"][0]
    assert new > highest
    lines = box.ok(f"SEARCH MODSEQ {highest + 1}")
    assert re.fullmatch(rb"\* SEARCH 2 \(MODSEQ %d\)" % new, untagged(lines, "SEARCH")[0])


def test_condstore_unchangedsince(imap_server, box):
    """RFC 7162 §3.1.3: STORE (UNCHANGEDSINCE m): messages changed after m are not stored and reported
    in OK [MODIFIED set]; the others are stored."""
    imap_server.require("CONDSTORE")
    box.ok("SELECT INBOX (CONDSTORE)")
    got = fetches(box.ok("FETCH 1:2 (MODSEQ)"))
    m1 = got[1]["MODSEQ"][0]
    box.ok("STORE 2 +FLAGS (\\Seen)")  # 2 changes after m1... unless it was already newer
    lines = box.ok(f"STORE 1:2 (UNCHANGEDSINCE {max(m1, got[2]['MODSEQ'][0])}) +FLAGS ($Checked)")
    assert response_code_value(lines, "MODIFIED") == b"2"
    flags = {n: "$checked" in {str(f).lower() for f in items["FLAGS"]} for n, items in fetches(box.ok("FETCH 1:2 FLAGS")).items()}
    assert flags == {1: True, 2: False}


def test_condstore_changedsince_and_status(imap_server, box):
    """RFC 7162 §3.1.4 FETCH (CHANGEDSINCE m) returns only messages with a greater MODSEQ (and MODSEQ);
    §3.1.6 STATUS (HIGHESTMODSEQ)."""
    imap_server.require("CONDSTORE")
    lines = box.ok("SELECT INBOX (CONDSTORE)")
    highest = int(response_code_value(lines, "HIGHESTMODSEQ"))
    box.ok("STORE 3 +FLAGS.SILENT ($New)")
    got = fetches(box.ok(f"FETCH 1:* (FLAGS) (CHANGEDSINCE {highest})"))
    assert list(got) == [3] and "MODSEQ" in got[3]
    other = imap_server.raw("alice")
    assert status_items(other.ok("STATUS INBOX (HIGHESTMODSEQ)"))["INBOX"]["HIGHESTMODSEQ"] == got[3]["MODSEQ"][0]


def test_qresync_vanished(imap_server, box):
    """RFC 7162 §3.2.5: after ENABLE QRESYNC, SELECT (QRESYNC (uidvalidity modseq)) reports expunged
    UIDs as `* VANISHED (EARLIER) uids` and changed flags as FETCH; in the session EXPUNGE becomes
    VANISHED (§3.2.10)."""
    imap_server.require("QRESYNC")
    box.ok("ENABLE QRESYNC")
    lines = box.ok("SELECT INBOX (CONDSTORE)")
    validity = int(response_code_value(lines, "UIDVALIDITY"))
    highest = int(response_code_value(lines, "HIGHESTMODSEQ"))
    box.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
    box.ok("STORE 4 +FLAGS.SILENT ($Changed)")
    lines = box.ok("EXPUNGE")  # removes UIDs 2 and 3 (3 was \Deleted from the start)
    assert untagged(lines, "VANISHED") == [b"* VANISHED 2:3"] and not untagged(lines, "EXPUNGE")
    box.ok("UNSELECT") if "UNSELECT" in box.capabilities() else box.ok("CLOSE")
    lines = box.ok(f"SELECT INBOX (QRESYNC ({validity} {highest} 1:4))")
    assert untagged(lines, "VANISHED") == [b"* VANISHED (EARLIER) 2:3"]
    changed = fetches(lines)
    assert [items["UID"] for items in changed.values()] == [4]

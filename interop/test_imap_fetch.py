"""FETCH: RFC 3501 §6.4.5, §7.4.2 (FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODY, BODYSTRUCTURE,
BODY[section]<partial>, BODY.PEEK, HEADER.FIELDS(.NOT), MIME, TEXT), RFC 3516 (BINARY), on a crafted
MIME message with nested multiparts, message/rfc822, RFC 2047 and RFC 2231 parameters; FETCH MODSEQ
enabling CONDSTORE (RFC 7162 §3.1)."""
import datetime
import re

import pytest

from imapsite import (fetch_items, fetches, flags_of, imap_server, lower, make_message, response_code_value, status,  # noqa: F401
                      untagged)

HEADER = (b'From: "Joe Q. Public" <john.q.public@example.com>\r\n'
          b"To: Mary Smith <mary@x.test>, jdoe@example.org\r\n"
          b'Cc: <boss@nil.test>, "Giant; \\"Big\\" Box" <sysservices@example.net>\r\n'
          b"Subject: =?UTF-8?B?SGVsbG8gV8O2cmxk?=\r\n"
          b"Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n"
          b"Message-ID: <5678.21-Nov-1997@example.com>\r\n"
          b"In-Reply-To: <1234@local.machine.example>\r\n"
          b"MIME-Version: 1.0\r\n"
          b'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n')
P1_HDR = b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
P1 = b"Gr=C3=BC=C3=9Fe aus K=C3=B6ln\r\nzweite Zeile\r\n"
P21_HDR = b"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
P21 = b"plain text\r\n"
P22_HDR = b"Content-Type: text/html; charset=us-ascii\r\n\r\n"
P22 = b"<p>html</p>\r\n"
P2_HDR = b'Content-Type: multipart/alternative; boundary="inner"\r\n\r\n'
P2 = b"--inner\r\n" + P21_HDR + P21 + b"\r\n--inner\r\n" + P22_HDR + P22 + b"\r\n--inner--\r\n"
P3_HDR = b"Content-Type: message/rfc822\r\n\r\n"
INNER_HDR = (b"From: inner@example.net\r\nTo: alice@example.org\r\nSubject: inner message\r\n"
             b"Date: Wed, 2 Jul 2003 11:00:00 +0000\r\nMessage-ID: <inner@example.net>\r\n\r\n")
INNER_BODY = b"inner body\r\nline two\r\n"
P3 = INNER_HDR + INNER_BODY
P4_HDR = (b'Content-Type: application/octet-stream; name="data.bin"\r\n'
          b"Content-Disposition: attachment; filename*=utf-8''%C3%A4rger.bin\r\n"
          b"Content-Transfer-Encoding: base64\r\n\r\n")
P4 = b"AAECAwQFBgcICQ==\r\n"
TEXT = (b"This is the preamble.\r\n--outer\r\n" + P1_HDR + P1 + b"\r\n--outer\r\n" + P2_HDR + P2 + b"\r\n--outer\r\n"
        + P3_HDR + P3 + b"\r\n--outer\r\n" + P4_HDR + P4 + b"\r\n--outer--\r\n")
MIME_MESSAGE = HEADER + TEXT


def instant(date_time: bytes) -> datetime.datetime:
    """An RFC 3501 date-time as an aware datetime."""
    return datetime.datetime.strptime(date_time.decode().strip(), "%d-%b-%Y %H:%M:%S %z")


def lines_in(body: bytes) -> int:
    return body.count(b"\r\n")


@pytest.fixture
def mime(imap_server):
    """alice's INBOX holds the crafted message (as stored) and a selected raw connection."""
    stored = imap_server.deliver("alice", MIME_MESSAGE)
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    return conn, stored


def fetch_one(conn, items: str) -> dict:
    got = fetches(conn.ok("FETCH 1 ", items))
    assert list(got) == [1]
    return got[1]


def nil_or_empty(value):
    return None if value in (None, []) else value


def basic(part: list) -> list:
    """The basic fields of a non-multipart body structure (RFC 3501 §9 body-type-1part),
    case-folded where the RFC says case-insensitive, without extension data."""
    media = lower(part[:2])
    params = lower(nil_or_empty(part[2]))
    fields = media + [params, part[3], part[4], lower(part[5]), part[6]]
    if media[0] == b"text":
        fields.append(part[7])
    elif media == [b"message", b"rfc822"]:
        fields += [part[7], part[8], part[9]]
    return fields


def test_envelope(mime):
    """RFC 3501 §7.4.2 ENVELOPE: date, subject (raw, RFC 2047 not decoded), from, sender and reply-to
    defaulting to from, to, cc, bcc, in-reply-to, message-id; addresses as (name adl mailbox host)."""
    conn, _ = mime
    env = fetch_one(conn, "ENVELOPE")["ENVELOPE"]
    joe = [[b"Joe Q. Public", None, b"john.q.public", b"example.com"]]
    assert env == [b"Tue, 1 Jul 2003 10:52:37 +0200", b"=?UTF-8?B?SGVsbG8gV8O2cmxk?=", joe, joe, joe,
                   [[b"Mary Smith", None, b"mary", b"x.test"], [None, None, b"jdoe", b"example.org"]],
                   [[None, None, b"boss", b"nil.test"], [b'Giant; "Big" Box', None, b"sysservices", b"example.net"]],
                   None, b"<1234@local.machine.example>", b"<5678.21-Nov-1997@example.com>"]


def test_envelope_group_syntax(imap_server):
    """RFC 3501 §7.4.2: a group is (NIL NIL "name" NIL) ... (NIL NIL NIL NIL)."""
    imap_server.deliver("alice", make_message("grp", to="undisclosed-recipients:;", extra="Cc: Team: a@x.test, b@y.test;\r\n"))
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    env = fetch_one(conn, "ENVELOPE")["ENVELOPE"]
    assert env[5] == [[None, None, b"undisclosed-recipients", None], [None, None, None, None]]
    assert env[6] == [[None, None, b"Team", None], [None, None, b"a", b"x.test"], [None, None, b"b", b"y.test"],
                      [None, None, None, None]]


def test_bodystructure_nested(mime):
    """RFC 3501 §7.4.2 BODYSTRUCTURE: multipart/mixed of text/plain (QP), multipart/alternative,
    message/rfc822 (with its envelope, structure and lines) and an application part; sizes and line
    counts exact."""
    conn, _ = mime
    bs = fetch_one(conn, "BODYSTRUCTURE")["BODYSTRUCTURE"]
    assert lower(bs[4]) == b"mixed"
    assert basic(bs[0]) == [b"text", b"plain", [b"charset", b"utf-8"], None, None, b"quoted-printable", len(P1), lines_in(P1)]
    alt = bs[1]
    assert lower(alt[2]) == b"alternative"
    assert basic(alt[0]) == [b"text", b"plain", [b"charset", b"us-ascii"], None, None, b"7bit", len(P21), lines_in(P21)]
    assert basic(alt[1]) == [b"text", b"html", [b"charset", b"us-ascii"], None, None, b"7bit", len(P22), lines_in(P22)]
    msg = basic(bs[2])
    assert msg[:7] == [b"message", b"rfc822", None, None, None, b"7bit", len(P3)]
    assert msg[7][1] == b"inner message" and msg[7][9] == b"<inner@example.net>"
    assert basic(msg[8]) == [b"text", b"plain", [b"charset", b"us-ascii"], None, None, b"7bit", len(INNER_BODY), lines_in(INNER_BODY)]
    assert msg[9] == lines_in(P3)
    app = bs[3]
    assert basic(app) == [b"application", b"octet-stream", [b"name", b"data.bin"], None, None, b"base64", len(P4)]
    if len(app) > 8:  # extension data is optional, but if present it is in order (md5, disposition, ...)
        assert lower(app[8][0]) == b"attachment"
    if len(bs) > 5:
        assert lower(bs[5]) == [b"boundary", b"outer"]


def test_body_is_bodystructure_without_extensions(mime):
    """RFC 3501 §7.4.2 BODY: the same structure with no extension data."""
    conn, _ = mime
    body = fetch_one(conn, "BODY")["BODY"]
    assert len(body) == 5 and lower(body[4]) == b"mixed"
    assert len(body[3]) == 7  # application part: exactly the basic fields


def test_rfc822_size_and_full_body_byte_exact(mime):
    """RFC 3501 §6.4.5: RFC822.SIZE equals the octets of BODY[]; BODY[] is the message byte for byte."""
    conn, stored = mime
    items = fetch_one(conn, "(RFC822.SIZE BODY.PEEK[])")
    assert items["RFC822.SIZE"] == len(stored)
    assert items["BODY[]"] == stored


@pytest.mark.parametrize("section,expected", [
    ("1", P1), ("1.MIME", P1_HDR), ("2", P2), ("2.MIME", P2_HDR), ("2.1", P21), ("2.2", P22), ("2.2.MIME", P22_HDR),
    ("3", P3), ("3.HEADER", INNER_HDR), ("3.TEXT", INNER_BODY), ("3.1", INNER_BODY), ("3.MIME", P3_HDR),
    ("3.HEADER.FIELDS (SUBJECT)", b"Subject: inner message\r\n\r\n"), ("4", P4), ("4.MIME", P4_HDR), ("TEXT", TEXT),
])
def test_body_sections_byte_exact(mime, section, expected):
    """RFC 3501 §6.4.5 section numbering (parts, MIME, HEADER and TEXT of message/rfc822, nested)."""
    conn, _ = mime
    items = fetch_one(conn, f"BODY.PEEK[{section}]")
    assert items[f"BODY[{section}]"] == expected


def test_header_sections(mime):
    """RFC 3501 §6.4.5: HEADER is the header with its blank line; HEADER.FIELDS returns the named
    lines in message order plus the blank line; HEADER.FIELDS.NOT the others; names case-insensitive."""
    conn, stored = mime
    header = stored.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    items = fetch_one(conn, "(BODY.PEEK[HEADER] BODY.PEEK[HEADER.FIELDS (subject FROM X-None)])")
    assert items["BODY[HEADER]"] == header
    key = next(k for k in items if k.startswith("BODY[HEADER.FIELDS"))
    assert items[key] == b'From: "Joe Q. Public" <john.q.public@example.com>\r\nSubject: =?UTF-8?B?SGVsbG8gV8O2cmxk?=\r\n\r\n'
    items = fetch_one(conn, "BODY.PEEK[HEADER.FIELDS.NOT (Content-Type MIME-Version)]")
    value = next(iter(items.values()))
    expected = b"".join(l + b"\r\n" for l in header[:-4].split(b"\r\n") if not l.lower().startswith((b"content-type:", b"mime-version:")))
    assert value == expected + b"\r\n"


def test_partial_fetch(mime):
    """RFC 3501 §6.4.5 <partial>: the response names the origin only (`BODY[]<0>`); a range past the
    end is truncated; an origin past the end gives an empty string."""
    conn, stored = mime
    items = fetch_one(conn, "(BODY.PEEK[]<0.10> BODY.PEEK[TEXT]<5.7> BODY.PEEK[1]<1000.5>)")
    assert items["BODY[]<0>"] == stored[:10]
    assert items["BODY[TEXT]<5>"] == TEXT[5:12]
    assert items["BODY[1]<1000>"] == b""
    items = fetch_one(conn, f"BODY.PEEK[]<{len(stored) - 3}.100>")
    assert items[f"BODY[]<{len(stored) - 3}>"] == stored[-3:]


def test_body_sets_seen_peek_does_not(mime):
    """RFC 3501 §6.4.5: BODY[...] implicitly sets \\Seen (and the new FLAGS are returned); BODY.PEEK
    and RFC822.HEADER do not."""
    conn, _ = mime
    items = fetch_one(conn, "(BODY.PEEK[1] RFC822.HEADER)")
    assert "FLAGS" not in items
    assert "\\seen" not in flags_of(fetch_one(conn, "FLAGS"))
    items = fetch_one(conn, "BODY[1]")
    assert "\\seen" in flags_of(items)


def test_rfc822_items(mime):
    """RFC 3501 §6.4.5: RFC822 = BODY[], RFC822.HEADER = BODY.PEEK[HEADER], RFC822.TEXT = BODY[TEXT]."""
    conn, stored = mime
    items = fetch_one(conn, "(RFC822.HEADER RFC822.TEXT)")
    assert items["RFC822.HEADER"] == stored.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    assert items["RFC822.TEXT"] == TEXT
    assert fetch_one(conn, "RFC822")["RFC822"] == stored


def test_macros_and_internaldate(imap_server):
    """RFC 3501 §6.4.5: FAST = (FLAGS INTERNALDATE RFC822.SIZE), ALL adds ENVELOPE, FULL adds BODY;
    INTERNALDATE given at APPEND is returned as set (§6.3.11) in date-time syntax."""
    message = make_message("dated")
    imap_server.append("alice", "INBOX", message, flags="\\Flagged", date="17-Jul-1996 02:44:25 -0700")
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    items = fetch_one(conn, "FAST")
    assert set(items) == {"FLAGS", "INTERNALDATE", "RFC822.SIZE"}
    assert instant(items["INTERNALDATE"]) == instant(b"17-Jul-1996 02:44:25 -0700")  # the zone may be normalised
    assert re.fullmatch(rb"[ \d]\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d [+-]\d{4}", items["INTERNALDATE"])
    assert items["RFC822.SIZE"] == len(message) and "\\flagged" in flags_of(items)
    assert set(fetch_one(conn, "ALL")) == {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"}
    assert set(fetch_one(conn, "FULL")) == {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"}


def test_uid_fetch_always_returns_uid(imap_server):
    """RFC 3501 §6.4.8: UID FETCH responses include UID even if not asked; `*` in a UID range means
    the highest UID, and a range with no messages is not an error."""
    for i in range(3):
        imap_server.deliver("alice", make_message(f"m{i}"))
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    got = fetches(conn.ok("UID FETCH 2:* FLAGS"))
    assert {n: items["UID"] for n, items in got.items()} == {2: 2, 3: 3}
    assert fetches(conn.ok("UID FETCH 10:20 FLAGS")) == {}
    got = fetches(conn.ok("UID FETCH 10:* FLAGS"))  # 10:* includes the highest UID (§6.4.8, 9051 §6.4.9)
    assert {n: items["UID"] for n, items in got.items()} == {3: 3}


def test_fetch_bad_sequence_numbers(imap_server):
    """RFC 3501 §6.4.5/§9: sequence number 0 is invalid (BAD); a number above EXISTS is BAD or NO
    (RFC 9051 §6.4.5 BAD)."""
    imap_server.deliver("alice", make_message("one"))
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    assert status(conn.command("FETCH 0 FLAGS")) == "BAD"
    assert status(conn.command("FETCH 5 FLAGS")) in ("BAD", "NO")
    assert status(conn.command("FETCH 1 (FLAGS")) == "BAD"
    assert status(conn.command("FETCH 1 NOTANITEM")) == "BAD"


def test_binary_fetch_decodes(mime):
    """RFC 3516 §4.2: BINARY[section] returns decoded content (QP and base64), BINARY.SIZE its size;
    BINARY.PEEK does not set \\Seen; 8-bit/binary data may come as literal8 (~{n})."""
    conn, _ = mime
    from imapsite import IMAPServer  # noqa: F401
    items = fetch_one(conn, "(BINARY.PEEK[1] BINARY.PEEK[4] BINARY.SIZE[4] BINARY.SIZE[1])")
    assert items["BINARY[1]"] == "Grüße aus Köln\r\nzweite Zeile\r\n".encode()
    assert items["BINARY[4]"] == bytes(range(10))
    assert items["BINARY.SIZE[4]"] == 10
    assert items["BINARY.SIZE[1]"] == len("Grüße aus Köln\r\nzweite Zeile\r\n".encode())
    assert "\\seen" not in flags_of(fetch_one(conn, "FLAGS"))


def test_binary_partial(mime):
    """RFC 3516 §4.2: BINARY[4]<2.3> is a partial of the decoded data (the response names the origin)."""
    conn, _ = mime
    items = fetch_one(conn, "BINARY.PEEK[4]<2.3>")
    assert items["BINARY[4]<2>"] == bytes([2, 3, 4])


def test_binary_unknown_cte(imap_server):
    """RFC 3516 §4.3: a part with an unknown transfer encoding: NO [UNKNOWN-CTE]."""
    conn = imap_server.raw("alice")
    imap_server.require("BINARY", conn)
    imap_server.deliver("alice", make_message("x", "data\r\n", extra="MIME-Version: 1.0\r\nContent-Transfer-Encoding: x-weird\r\n"))
    conn.ok("SELECT INBOX")
    lines = conn.command("FETCH 1 BINARY.PEEK[1]")
    assert status(lines) == "NO" and b"[UNKNOWN-CTE]" in lines[-1].upper()


def test_fetch_modseq_enables_condstore_with_highestmodseq(imap_server):
    """RFC 7162 §3.1: FETCH of MODSEQ is a CONDSTORE-enabling command; the first one issued with a
    mailbox selected (CONDSTORE not enabled before) gets `* OK [HIGHESTMODSEQ n]` before the tagged OK."""
    imap_server.deliver("alice", make_message("modseq"))
    conn = imap_server.raw("alice")
    imap_server.require("CONDSTORE", conn)
    conn.ok("SELECT INBOX")
    lines = conn.ok("FETCH 1 (MODSEQ)")
    highest = [l for l in lines[:-1] if l.startswith(b"* OK [HIGHESTMODSEQ ")]
    assert len(highest) == 1, lines
    assert int(response_code_value(highest, "HIGHESTMODSEQ")) >= fetches(lines)[1]["MODSEQ"][0]


def test_rfc3501_fetch_example(imap_server):
    """RFC 3501 §6.4.5 example: `FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])` gives one response
    per message with both items."""
    for i in range(4):
        imap_server.deliver("alice", make_message(f"ex{i}", sender=f"s{i}@example.net"))
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    got = fetches(conn.ok("FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])"))
    assert sorted(got) == [2, 3, 4]
    for n in (2, 3, 4):
        value = next(v for k, v in got[n].items() if k.startswith("BODY[HEADER.FIELDS"))
        assert value == f"From: s{n - 1}@example.net\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\n\r\n".encode()

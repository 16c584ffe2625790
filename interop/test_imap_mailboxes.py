"""Mailbox commands: RFC 3501 §6.3 (SELECT, EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE, LIST, LSUB,
STATUS), RFC 2342 (NAMESPACE), RFC 6154 (SPECIAL-USE), RFC 5258 (LIST-EXTENDED), RFC 5819
(LIST-STATUS), RFC 3348 (CHILDREN), RFC 8438 (STATUS=SIZE), RFC 3501 §5.1.3 (modified UTF-7)."""
import re

import pytest

from imapsite import (SPECIAL_USE, Literal, code, exists_count, imap_server, listing, make_message, quote,  # noqa: F401
                      response_code_value, seed, status, status_items, untagged)


def test_list_delimiter_and_root(imap_server):
    """RFC 3501 §6.3.8: `LIST "" ""` returns the hierarchy delimiter and root with \\Noselect."""
    conn = imap_server.raw("alice")
    lines = conn.ok('LIST "" ""')
    found = untagged(lines, "LIST")
    assert len(found) == 1
    assert re.match(rb'^\* LIST \((\\Noselect)\) "/" ""$', found[0], re.I), found


def test_list_all_shows_inbox_and_special_use(imap_server):
    """RFC 3501 §6.3.8 + RFC 6154 §2: LIST "" * shows INBOX and the special-use mailboxes, each with
    its attribute (the issue's default set: Sent, Drafts, Junk, Trash, Archive)."""
    imap_server.require("SPECIAL-USE")
    boxes = listing(imap_server.raw("alice").ok('LIST "" "*"'))
    assert set(boxes) == {"INBOX", *SPECIAL_USE}
    for name, attr in SPECIAL_USE.items():
        assert attr.lower() in boxes[name][0], (name, boxes[name])
        assert boxes[name][1] == "/"
    assert not (boxes["INBOX"][0] & {a.lower() for a in SPECIAL_USE.values()})


def test_list_special_use_selection(imap_server):
    """RFC 6154 §3 (with RFC 5258): `LIST (SPECIAL-USE) "" *` returns only special-use mailboxes;
    the return option `RETURN (SPECIAL-USE)` adds the attributes."""
    imap_server.require("SPECIAL-USE")
    imap_server.require("LIST-EXTENDED")
    conn = imap_server.raw("alice")
    conn.ok("CREATE Plain")
    boxes = listing(conn.ok('LIST (SPECIAL-USE) "" "*"'))
    assert set(boxes) == set(SPECIAL_USE)
    boxes = listing(conn.ok('LIST "" "*" RETURN (SPECIAL-USE)'))
    assert "\\sent" in boxes["Sent"][0] and "Plain" in boxes


@pytest.mark.capability("CREATE-SPECIAL-USE")
def test_create_with_special_use(imap_server):
    """RFC 6154 §3: CREATE-SPECIAL-USE (`CREATE name (USE (\\Archive))`)."""
    conn = imap_server.raw("alice")
    imap_server.require("CREATE-SPECIAL-USE", conn)
    conn.ok("CREATE MyArchive (USE (\\Archive))")
    boxes = listing(conn.ok('LIST "" MyArchive RETURN (SPECIAL-USE)'))
    assert "\\archive" in boxes["MyArchive"][0]


def test_list_wildcards_percent_and_star(imap_server):
    """RFC 3501 §6.3.8: `*` matches the delimiter, `%` does not."""
    conn = imap_server.raw("alice")
    for name in ("Work", "Work/2024", "Work/2024/Q1"):
        conn.ok("CREATE ", quote(name))
    assert set(listing(conn.ok('LIST "" "Work/%"'))) == {"Work/2024"}
    assert set(listing(conn.ok('LIST "" "Work/*"'))) == {"Work/2024", "Work/2024/Q1"}
    assert set(listing(conn.ok('LIST "Work/" "%"'))) == {"Work/2024"}  # reference + pattern
    assert set(listing(conn.ok('LIST "" "W%"'))) == {"Work"}


def test_inbox_is_case_insensitive(imap_server):
    """RFC 3501 §5.1: INBOX is case-insensitive: SELECT inbox, STATUS iNbOx, LIST "" inbox → INBOX."""
    seed(imap_server, 1)
    conn = imap_server.raw("alice")
    assert exists_count(conn.ok("SELECT inbox")) == 1
    assert status_items(conn.ok("STATUS iNbOx (MESSAGES)")) in ({"INBOX": {"MESSAGES": 1}}, {"iNbOx": {"MESSAGES": 1}})
    assert set(listing(conn.ok('LIST "" inbox'))) == {"INBOX"}


def test_select_responses(imap_server):
    """RFC 3501 §6.3.1: SELECT returns FLAGS, EXISTS, RECENT (rev1 only), OK [UIDVALIDITY], OK [UIDNEXT],
    OK [PERMANENTFLAGS], and the tagged OK carries [READ-WRITE]."""
    seed(imap_server, 2)
    conn = imap_server.raw("alice")
    lines = conn.ok("SELECT INBOX")
    assert len(untagged(lines, "FLAGS")) == 1
    flags = untagged(lines, "FLAGS")[0].lower()
    for flag in (b"\\answered", b"\\flagged", b"\\deleted", b"\\seen", b"\\draft"):
        assert flag in flags
    assert exists_count(lines) == 2
    assert int(response_code_value(lines, "UIDVALIDITY")) > 0
    assert int(response_code_value(lines, "UIDNEXT")) == 3
    assert response_code_value(lines, "PERMANENTFLAGS") is not None
    assert code(lines[-1]) == "READ-WRITE"


def test_examine_is_read_only(imap_server):
    """RFC 3501 §6.3.2 / RFC 9051 §6.3.3: EXAMINE answers [READ-ONLY]; no change to the mailbox is
    permitted: STORE fails (NO) or is ignored (OK, Dovecot), but the flag never appears; FETCH
    BODY[] does not set \\Seen."""
    seed(imap_server, 1)
    conn = imap_server.raw("alice")
    assert code(conn.ok("EXAMINE INBOX")[-1]) == "READ-ONLY"
    assert status(conn.command("STORE 1 +FLAGS (\\Flagged)")) in ("NO", "OK")
    conn.ok("FETCH 1 BODY[]")
    fetched = b"".join(untagged(conn.ok("FETCH 1 FLAGS"), "FETCH"))
    assert b"\\Seen" not in fetched and b"\\Flagged" not in fetched, fetched


def test_select_missing_mailbox_is_no_and_deselects(imap_server):
    """RFC 3501 §6.3.1: a failed SELECT leaves the connection with no mailbox selected."""
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    assert status(conn.command("SELECT NoSuchBox")) == "NO"
    assert status(conn.command("FETCH 1:* FLAGS")) == "BAD"


def test_uidvalidity_stable_across_sessions(imap_server):
    """RFC 3501 §2.3.1.1: UIDVALIDITY must not change between sessions while UIDs stay valid."""
    seed(imap_server, 1)
    first = response_code_value(imap_server.raw("alice").ok("SELECT INBOX"), "UIDVALIDITY")
    second = response_code_value(imap_server.raw("alice").ok("EXAMINE INBOX"), "UIDVALIDITY")
    assert first == second
    assert status_items(imap_server.raw("alice").ok("STATUS INBOX (UIDVALIDITY)"))["INBOX"]["UIDVALIDITY"] == int(first)


def test_create_delete(imap_server):
    """RFC 3501 §6.3.3-§6.3.4: CREATE then LIST shows it; creating it again is NO; DELETE removes it;
    deleting INBOX or a missing mailbox is NO."""
    conn = imap_server.raw("alice")
    conn.ok("CREATE Projects")
    assert "Projects" in listing(conn.ok('LIST "" "*"'))
    assert status(conn.command("CREATE Projects")) == "NO"
    assert status(conn.command("CREATE INBOX")) == "NO"
    conn.ok("DELETE Projects")
    assert "Projects" not in listing(conn.ok('LIST "" "*"'))
    assert status(conn.command("DELETE Projects")) == "NO"
    assert status(conn.command("DELETE INBOX")) == "NO"


def test_create_with_trailing_delimiter_and_intermediate_levels(imap_server):
    """RFC 3501 §6.3.3: `CREATE a/b/` creates a/b (trailing delimiter is a hint); creating a/b/c
    creates missing superiors as needed (they are then listed)."""
    conn = imap_server.raw("alice")
    conn.ok('CREATE "Deep/er/"')
    boxes = listing(conn.ok('LIST "" "Deep*"'))
    assert "Deep/er" in boxes and "Deep" in boxes
    assert "Deep/er/" not in boxes


def test_children_attributes(imap_server):
    """RFC 3348 §4 / RFC 5258 §3.4 (CHILDREN): \\HasChildren on a parent, \\HasNoChildren on a leaf."""
    imap_server.require("CHILDREN")
    conn = imap_server.raw("alice")
    conn.ok("CREATE Parent/Child")
    boxes = listing(conn.ok('LIST "" "Parent*"'))
    assert "\\haschildren" in boxes["Parent"][0] and "\\hasnochildren" not in boxes["Parent"][0]
    assert "\\hasnochildren" in boxes["Parent/Child"][0]


def test_delete_parent_with_children(imap_server):
    """RFC 3501 §6.3.4: deleting a mailbox with inferiors removes only it (children stay) or, if it
    has \\Noselect inferiors semantics, NO; both choices of §6.3.4 are accepted, children must survive."""
    conn = imap_server.raw("alice")
    conn.ok("CREATE Top/Sub")
    lines = conn.command("DELETE Top")
    assert status(lines) in ("OK", "NO")
    boxes = listing(conn.ok('LIST "" "*"'))
    assert "Top/Sub" in boxes
    if status(lines) == "OK" and "Top" in boxes:
        assert "\\noselect" in boxes["Top"][0]


def test_rename_moves_children_and_keeps_uidvalidity_rules(imap_server):
    """RFC 3501 §6.3.5: RENAME renames inferiors too; renaming onto an existing name is NO;
    renaming a missing mailbox is NO. The renamed mailbox keeps its messages."""
    conn = imap_server.raw("alice")
    conn.ok("CREATE Old")
    conn.ok("CREATE Old/Kid")
    imap_server.append("alice", "Old", make_message("in old"))
    conn.ok("CREATE Taken")
    assert status(conn.command("RENAME Old Taken")) == "NO"
    assert status(conn.command("RENAME Missing Other")) == "NO"
    conn.ok("RENAME Old New")
    boxes = listing(conn.ok('LIST "" "*"'))
    assert {"New", "New/Kid"} <= set(boxes) and "Old" not in boxes and "Old/Kid" not in boxes
    assert status_items(conn.ok("STATUS New (MESSAGES)"))["New"]["MESSAGES"] == 1


def test_rename_inbox_moves_messages(imap_server):
    """RFC 3501 §6.3.5: renaming INBOX moves all its messages to the new mailbox and leaves INBOX empty.
    Dovecot refuses it (NO [CANNOT], RFC 5530 §3); a refusal is accepted if it changes nothing."""
    seed(imap_server, 2)
    conn = imap_server.raw("alice")
    lines = conn.command("RENAME INBOX Saved")
    if status(lines) == "NO":
        assert status_items(conn.ok("STATUS INBOX (MESSAGES)")) == {"INBOX": {"MESSAGES": 2}}
        assert "Saved" not in listing(conn.ok('LIST "" "*"'))
        return
    assert status(lines) == "OK"
    got = status_items(conn.ok("STATUS Saved (MESSAGES)")) | status_items(conn.ok("STATUS INBOX (MESSAGES)"))
    assert got == {"Saved": {"MESSAGES": 2}, "INBOX": {"MESSAGES": 0}}


def test_subscribe_lsub_unsubscribe(imap_server):
    """RFC 3501 §6.3.6-§6.3.7, §6.3.9: SUBSCRIBE adds to LSUB, UNSUBSCRIBE removes; a subscription
    may outlive its mailbox (§6.3.6)."""
    conn = imap_server.raw("alice")
    conn.ok("CREATE Lists")
    conn.ok("SUBSCRIBE Lists")
    assert "Lists" in listing(conn.ok('LSUB "" "*"'), "LSUB")
    conn.ok("UNSUBSCRIBE Lists")
    assert "Lists" not in listing(conn.ok('LSUB "" "*"'), "LSUB")
    conn.ok("SUBSCRIBE Lists")
    conn.ok("DELETE Lists")
    # Either still listed (RFC 3501 allows it) or gone; if listed via LIST-EXTENDED it is \NonExistent.
    lsub = listing(conn.ok('LSUB "" "*"'), "LSUB")
    assert "Lists" not in lsub or "\\noselect" in lsub["Lists"][0] or lsub["Lists"][0] == set()


def test_list_subscribed_extended(imap_server):
    """RFC 5258 §3.1, §5 example 3: `LIST (SUBSCRIBED) "" "*"` marks \\Subscribed and includes
    subscribed-but-deleted names as \\NonExistent."""
    imap_server.require("LIST-EXTENDED")
    conn = imap_server.raw("alice")
    conn.ok("CREATE Kept")
    conn.ok("SUBSCRIBE Kept")
    conn.ok("CREATE Gone")
    conn.ok("SUBSCRIBE Gone")
    conn.ok("DELETE Gone")
    boxes = listing(conn.ok('LIST (SUBSCRIBED) "" "*"'))
    assert "\\subscribed" in boxes["Kept"][0]
    assert {"\\subscribed", "\\nonexistent"} <= boxes["Gone"][0]
    assert "INBOX" not in boxes or "\\subscribed" in boxes["INBOX"][0]


def test_list_extended_multiple_patterns_and_children_return(imap_server):
    """RFC 5258 §3 (multiple patterns in parentheses) and §4 RETURN (CHILDREN)."""
    imap_server.require("LIST-EXTENDED")
    conn = imap_server.raw("alice")
    conn.ok("CREATE A1/B1")
    conn.ok("CREATE C1")
    boxes = listing(conn.ok('LIST "" ("A1" "C1") RETURN (CHILDREN)'))
    assert set(boxes) == {"A1", "C1"}
    assert "\\haschildren" in boxes["A1"][0] and "\\hasnochildren" in boxes["C1"][0]


def test_list_extended_recursivematch(imap_server):
    """RFC 5258 §3.5 / §5 example 5: `LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"` returns a parent whose
    child is subscribed with the CHILDINFO extended item ("SUBSCRIBED")."""
    imap_server.require("LIST-EXTENDED")
    conn = imap_server.raw("alice")
    conn.ok("CREATE Foo/Bar")
    conn.ok("SUBSCRIBE Foo/Bar")
    boxes = listing(conn.ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"'))
    ext = boxes["Foo"][2]
    text = lambda v: (v.decode() if isinstance(v, bytes) else str(v)).upper()  # atom or quoted (RFC 5258 astring)
    assert [text(ext[0]), [text(v) for v in ext[1]]] == ["CHILDINFO", ["SUBSCRIBED"]]
    assert "\\subscribed" not in boxes["Foo"][0]


def test_list_unknown_options_are_bad(imap_server):
    """RFC 5258 §3: the server responds BAD to a selection or return option it does not recognise;
    a known option such as REMOTE (§3.1) is accepted."""
    imap_server.require("LIST-EXTENDED")
    conn = imap_server.raw("alice")
    assert status(conn.command('LIST (X-UNKNOWN) "" ""')) == "BAD"
    assert status(conn.command('LIST "" "" RETURN (X-UNKNOWN)')) == "BAD"
    assert "INBOX" in listing(conn.ok('LIST (REMOTE) "" %'))


def test_list_recursivematch_childinfo_only_for_unmatched_children(imap_server):
    """RFC 5258 §3.1, §3.5: with (SUBSCRIBED RECURSIVEMATCH) an unsubscribed parent is returned with
    CHILDINFO ("SUBSCRIBED") when its subscribed child is not among the names the patterns match;
    when a pattern matches the child itself, the child is returned (\\Subscribed) and the parent
    is not (it meets no selection criterion and there is no unreturned child to tell of)."""
    imap_server.require("LIST-EXTENDED")
    conn = imap_server.raw("alice")
    conn.ok("CREATE RmParent")
    conn.ok("CREATE RmParent/Kid")
    conn.ok("SUBSCRIBE RmParent/Kid")
    boxes = listing(conn.ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" (RmParent)'))
    text = lambda v: (v.decode() if isinstance(v, bytes) else str(v)).upper()  # atom or quoted (RFC 5258 astring)
    ext = boxes["RmParent"][2]
    assert [text(ext[0]), [text(v) for v in ext[1]]] == ["CHILDINFO", ["SUBSCRIBED"]]
    boxes = listing(conn.ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" (RmParent RmParent/Kid)'))
    assert set(boxes) == {"RmParent/Kid"}, boxes
    assert "\\subscribed" in boxes["RmParent/Kid"][0]


def test_lsub_percent_lists_unsubscribed_parent_as_noselect(imap_server):
    """RFC 3501 §6.3.9: when `%` stops at a parent of a subscribed name and that parent is not itself
    subscribed, LSUB returns the parent with \\Noselect; the subscribed child is beyond `%`."""
    conn = imap_server.raw("alice")
    conn.ok("CREATE LsubParent/Kid")
    conn.ok("SUBSCRIBE LsubParent/Kid")
    boxes = listing(conn.ok('LSUB "" %'), "LSUB")
    assert "\\noselect" in boxes["LsubParent"][0], boxes
    assert "LsubParent/Kid" not in boxes


def test_list_status(imap_server):
    """RFC 5819 §2: `LIST ... RETURN (STATUS (MESSAGES UIDNEXT))` sends a STATUS response per listed
    selectable mailbox, after its LIST response."""
    imap_server.require("LIST-STATUS")
    seed(imap_server, 3)
    conn = imap_server.raw("alice")
    lines = conn.ok('LIST "" "*" RETURN (STATUS (MESSAGES UIDNEXT))')
    statuses = status_items(lines)
    assert statuses["INBOX"] == {"MESSAGES": 3, "UIDNEXT": 4}
    assert statuses["Sent"] == {"MESSAGES": 0, "UIDNEXT": 1}
    order = [l.split(b" ")[1] + b" " + l.rsplit(b" ", 1)[-1] for l in untagged(lines, "LIST")]
    inbox_list = next(i for i, l in enumerate(lines) if l.startswith(b"* LIST") and l.rstrip(b'"').endswith(b"INBOX"))
    inbox_status = next(i for i, l in enumerate(lines) if l.startswith(b"* STATUS INBOX") or l.startswith(b'* STATUS "INBOX"'))
    assert inbox_list < inbox_status, order


def test_status_items(imap_server):
    """RFC 3501 §6.3.10: STATUS MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN; values are exact."""
    seed(imap_server, 3)
    imap_server.append("alice", "INBOX", make_message("seen"), flags="\\Seen")
    conn = imap_server.raw("alice")
    got = status_items(conn.ok("STATUS INBOX (MESSAGES UIDNEXT UNSEEN UIDVALIDITY)"))["INBOX"]
    assert got["MESSAGES"] == 4 and got["UIDNEXT"] == 5 and got["UNSEEN"] == 3 and got["UIDVALIDITY"] > 0
    assert status(conn.command("STATUS NoSuch (MESSAGES)")) == "NO"


def test_status_size(imap_server):
    """RFC 8438 §2 (STATUS=SIZE): SIZE is the sum of RFC822.SIZE of all messages."""
    imap_server.require("STATUS=SIZE")
    stored = seed(imap_server, 2)
    got = status_items(imap_server.raw("alice").ok("STATUS INBOX (SIZE MESSAGES)"))["INBOX"]
    assert got == {"SIZE": sum(len(m) for m in stored), "MESSAGES": 2}


def test_status_on_selected_mailbox(imap_server):
    """RFC 3501 §6.3.10 allows STATUS on the selected mailbox (SHOULD NOT, but must answer correctly)."""
    seed(imap_server, 1)
    conn = imap_server.raw("alice")
    conn.ok("SELECT INBOX")
    assert status_items(conn.ok("STATUS INBOX (MESSAGES)"))["INBOX"]["MESSAGES"] == 1


def test_namespace(imap_server):
    """RFC 2342 §5: `* NAMESPACE (("" "/")) NIL NIL` for a server with one personal namespace
    (other users and shared may be NIL or lists; personal must be prefix "" with delimiter "/")."""
    imap_server.require("NAMESPACE")
    from imapsite import parse
    lines = imap_server.raw("alice").ok("NAMESPACE")
    found = untagged(lines, "NAMESPACE")
    assert len(found) == 1
    values = parse(found[0])
    personal = values[2]
    assert personal[0][:2] == [b"", b"/"]


def test_modified_utf7_names(imap_server):
    """RFC 3501 §5.1.3: mailbox names are modified UTF-7; `&-` is "&"; the RFC example
    `~peter/mail/&U,BTFw-/&ZeVnLIqe-` round-trips (CREATE, LIST, SELECT)."""
    conn = imap_server.raw("alice")
    for name in ("Caf&AOk-", "A&-B", "&U,BTFw-/&ZeVnLIqe-"):
        conn.ok("CREATE ", quote(name))
    boxes = listing(conn.ok('LIST "" "*"'))
    assert {"Caf&AOk-", "A&-B", "&U,BTFw-/&ZeVnLIqe-"} <= set(boxes)
    conn.ok('SELECT "&U,BTFw-/&ZeVnLIqe-"')


def test_invalid_modified_utf7_is_refused(imap_server):
    """RFC 3501 §5.1.3: `&` must start a valid base64 run ended by `-`; an 8-bit name without
    UTF8=ACCEPT is not valid. CREATE of such names fails (NO or BAD), nothing is created."""
    conn = imap_server.raw("alice")
    for name in (b'"Bad&Name"', b'"Caf\xc3\xa9"'):
        assert status(conn.command(b"CREATE " + name)) in ("NO", "BAD"), name
    boxes = listing(conn.ok('LIST "" "*"'))
    assert not any(n.startswith("Bad") or n.startswith("Caf") for n in boxes)


@pytest.mark.capability("UTF8=ACCEPT")
def test_utf8_accept_mailbox_names(imap_server):
    """RFC 6855 §3-§4: after ENABLE UTF8=ACCEPT, names are UTF-8 quoted strings; a mailbox created in
    modified UTF-7 is listed in UTF-8."""
    conn = imap_server.raw("alice")
    imap_server.require("UTF8=ACCEPT", conn)
    conn.ok("CREATE ", quote("Caf&AOk-"))
    conn.ok("ENABLE UTF8=ACCEPT")
    assert "Café" in listing(conn.ok('LIST "" "*"'))
    conn.ok(b'CREATE "\xe6\x97\xa5\xe6\x9c\xac"')
    other = imap_server.raw("alice")
    assert "&ZeVnLA-" in listing(other.ok('LIST "" "*"'))


def test_list_literal_mailbox_argument(imap_server):
    """RFC 3501 §4.3 / §9 (astring): a mailbox name may be sent as a literal."""
    conn = imap_server.raw("alice")
    conn.ok("CREATE ", Literal(b"With Space"))
    assert "With Space" in listing(conn.ok('LIST "" "With*"'))
    conn.ok("SELECT ", Literal(b"With Space"))


def test_rfc3501_list_examples(imap_server):
    """RFC 3501 §6.3.8 examples: `LIST "" ""` gives the delimiter; `LIST "#news.comp.mail.misc" ""`-style
    reference with empty pattern returns the root of that reference's hierarchy (here ""
    with \\Noselect, or nothing for an unknown namespace); a pattern with no match gives no LIST."""
    conn = imap_server.raw("alice")
    assert untagged(conn.ok('LIST "" "NoSuchThing*"'), "LIST") == []
    lines = conn.ok('LIST "Work/" ""')
    for line in untagged(lines, "LIST"):
        assert b"\\noselect" in line.lower()

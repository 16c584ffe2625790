"""Mailing lists on the real server (issue #18), the posting pipeline's steps 2 and 3 and the held
posts' life: a banned sender's post reaches nobody and its web subscription sends nothing, a header
match rule holds or discards by SMTP, a moderator forwards a held post (read over IMAP by the
expert, still held), and a bulk list hands one copy to many members (same bytes, -bounces sender,
mailto: List-Unsubscribe only)."""
import json
import ssl
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from conftest import POSTA
from consolesite import ConsoleSite
from test_lists import imap_messages, message, post, held, wait_for


@pytest.fixture
def site(tmp_path):
    site = ConsoleSite(tmp_path).seed()
    site.posta("list", "add", "dept@example.org", "--name", "Dept", "--owner", "postmaster@example.org")
    site.posta("list", "member", "add", "dept@example.org", "alice@example.org", "bob@example.org")
    site.start()
    try:
        yield site
    finally:
        site.stop()


def refused(site, *args) -> str:
    """A CLI call that must fail; what it said."""
    r = subprocess.run([POSTA, *args, "--config", str(site.config)], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0, (args, r.stdout)
    return r.stdout + r.stderr


def test_a_banned_sender_reaches_nobody_and_cannot_subscribe(site):
    site.posta("list", "ban", "add", "dept@example.org", "alice@example.org")
    site.posta("list", "ban", "add", "dept@example.org", "*@junk.example")
    bans = json.loads(site.posta("list", "ban", "list", "dept@example.org", "--json"))
    assert [b["pattern"] for b in bans] == ["alice@example.org", "*@junk.example"]
    # Alice is a member, but banned: her post is dropped (not held, nobody told).
    post(site, "alice@example.org", message("alice@example.org", "Banned words"))
    # Carol's post shows the list is working; it is held (carol is not a member), alice's is not.
    post(site, "carol@example.org", message("carol@example.org", "Carol asks"))
    wait_for(lambda: [h["subject"] for h in held(site)] == ["Carol asks"])
    time.sleep(1)
    assert [h["subject"] for h in held(site)] == ["Carol asks"]
    assert imap_messages(site, "bob@example.org", 0, timeout=1) == []
    # A banned address cannot be added; the web form answers as for anyone and sends nothing.
    said = site.posta("list", "member", "add", "dept@example.org", "x@junk.example")
    assert "banned" in said
    ctx = ssl._create_unverified_context()
    data = urllib.parse.urlencode({"address": "y@junk.example"}).encode()
    with urllib.request.urlopen(f"https://127.0.0.1:{site.https_port}/lists/subscribe/dept@example.org", data=data, context=ctx) as r:
        assert r.status == 200
    pending = json.loads(site.posta("list", "pending", "dept@example.org", "--json"))
    assert [p for p in pending if p["address"] == "y@junk.example"] == []
    # Lifted: alice posts again and bob gets it.
    site.posta("list", "ban", "del", "dept@example.org", "alice@example.org")
    post(site, "alice@example.org", message("alice@example.org", "Back again"))
    [copy] = imap_messages(site, "bob@example.org", 1)
    assert copy["Subject"] == "[dept] Back again"


def test_header_rules_hold_and_discard_in_order(site):
    site.posta("list", "rule", "add", "dept@example.org", "--field", "X-Spam-Flag", "--pattern", "yes", "--action", "discard")
    site.posta("list", "rule", "add", "dept@example.org", "--field", "Subject", "--pattern", "casino", "--action", "hold")
    rules = json.loads(site.posta("list", "rule", "list", "dept@example.org", "--json"))
    assert [(r["field"], r["action"]) for r in rules] == [("X-Spam-Flag", "discard"), ("Subject", "hold")]
    bad = refused(site, "list", "rule", "add", "dept@example.org", "--field", "Subject:", "--pattern", "x", "--action", "hold")
    assert "not a header field name" in bad
    post(site, "alice@example.org", message("alice@example.org", "Casino night", extra="X-Spam-Flag: YES\r\n"))
    post(site, "alice@example.org", message("alice@example.org", "CASINO trip"))
    post(site, "alice@example.org", message("alice@example.org", "Lunch"))
    [copy] = imap_messages(site, "bob@example.org", 1)
    assert copy["Subject"] == "[dept] Lunch"
    wait_for(lambda: [h["subject"] for h in held(site)] == ["CASINO trip"])
    [h] = held(site)
    assert h["reason"] == f"the Subject field matches the list's header rule {rules[1]['id']}"
    site.posta("list", "rule", "del", "dept@example.org", str(rules[1]["id"]))
    assert len(json.loads(site.posta("list", "rule", "list", "dept@example.org", "--json"))) == 1


def test_forward_a_held_post_and_it_stays_held(site):
    post(site, "carol@example.org", message("carol@example.org", "May I sell things here"))
    wait_for(lambda: len(held(site)) == 1)
    [h] = held(site)
    site.posta("list", "held", "forward", str(h["id"]), "--to", "carol@example.org", "--note", "Your post, for the record")
    copies = imap_messages(site, "carol@example.org", 1)
    forwarded = [c for c in copies if c["Subject"] == "Held post to dept@example.org: May I sell things here"]
    assert len(forwarded) == 1
    parts = list(forwarded[0].iter_attachments())
    assert parts[0].get_content_type() == "message/rfc822"
    assert parts[0].get_content()["Subject"] == "May I sell things here"
    assert "Your post, for the record" in forwarded[0].get_body(("plain",)).get_content()
    assert [x["id"] for x in held(site)] == [h["id"]]
    site.posta("list", "held", "decide", "approve", str(h["id"]))
    [copy] = imap_messages(site, "bob@example.org", 1)
    assert copy["Subject"] == "[dept] May I sell things here"


def test_a_bulk_list_sends_one_copy_for_many(site):
    site.posta("list", "set", "dept@example.org", "--delivery-style", "bulk")
    site.posta("list", "member", "add", "dept@example.org", "carol@example.org")
    show = json.loads(site.posta("list", "show", "dept@example.org", "--json"))
    assert show["deliveryStyle"] == "bulk"
    post(site, "alice@example.org", message("alice@example.org", "One for all"))
    copies = {user: imap_messages(site, f"{user}@example.org", 1)[0] for user in ("alice", "bob", "carol")}
    for copy in copies.values():
        assert copy["Subject"] == "[dept] One for all"
        assert copy["Return-Path"] == "<dept-bounces@example.org>"
        assert copy["List-Unsubscribe"] == "<mailto:dept-leave@example.org>"
        assert copy["List-Unsubscribe-Post"] is None
    bodies = {copy.as_bytes().split(b"List-Unsubscribe:", 1)[1] for copy in copies.values()}
    assert len(bodies) == 1

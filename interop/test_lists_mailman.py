"""Differential test against Mailman 3 (issue #18): the same lists, with the same members, on
Posta and on Mailman 3 core from Debian's `mailman3` package (interop/mailman3site.py), each
sending everything it delivers to its own SMTP sink on loopback (interop/smtpsink.py). The same
post goes to both; the recipient sets must be equal, and each compared header field (the RFC 2369,
2919 and 8058 list fields, the subject prefix, Precedence, X-BeenThere, From/Reply-To/Cc, the
envelope sender) must be the same on both sides or be one of the expected differences below,
which docs/lists-mailman3.md explains. `pytest -s` prints the fields side by side."""
import contextlib
import email
import email.policy
import re
import smtplib
import time

import pytest

import mailman3site
from mailman3site import Mailman3Site
from mailsite import MailSite
from smtpsink import SMTPSink

OWNER = "postmaster@example.org"
POSTER = ("Ann", "ann@a.example")
MEMBERS = [POSTER, ("Ben Bee", "ben@b.example"), ("", "bob@b.example"), ("Cat", "cat@c.example.net"), ("Dan", "dan@d.example")]
NOMAIL = "dan@d.example"  # delivery disabled (Mailman: by_user, Posta: --delivery off)

# The same list on both sides: Posta's `list add` options and Mailman's REST list configuration.
# Mailman's List-Id and Reply-To phrase is the list's description, Posta's its display name;
# Mailman's default subject prefix is "[Display Name] ", Posta's "[local-part]". Posta's site here resolves
# nothing, and an unknown DMARC policy counts as strict, so `dept` turns mitigation off as
# Mailman's default does; `staff` mitigates every post on both sides (no DNS involved).
LISTS = {
    "dept": (["--name", "Dept", "--dmarc-mitigation", "none"],
             {"display_name": "Dept", "description": "Dept", "subject_prefix": "[dept] "}),
    "staff": (["--name", "Staff", "--reply-to", "list", "--dmarc-mitigation", "munge", "--dmarc-always", "true"],
              {"display_name": "Staff", "description": "Staff", "subject_prefix": "[staff] ",
               "reply_goes_to_list": "point_to_list", "dmarc_mitigate_action": "munge_from",
               "dmarc_mitigate_unconditionally": True, "personalize": "individual"}),
}

ENVELOPE = "Envelope sender"
FIELDS = [ENVELOPE, "From", "To", "Cc", "Reply-To", "Subject", "List-Id", "List-Help", "List-Post", "List-Subscribe",
          "List-Unsubscribe", "List-Unsubscribe-Post", "List-Owner", "List-Archive", "Archived-At", "Precedence", "X-BeenThere"]

# The differences expected between Mailman's copy and Posta's, per field and list (None: every
# list): (Mailman's value, Posta's value, why) where the values are regular expressions over the
# whole field (None: no such field) with {list}, {local} and {domain} (the recipient's) filled in.
# A field that differs otherwise, or no longer differs, fails the test.
TOKEN = r"[a-z0-9_-]{24}"
EXPECTED = {
    (ENVELOPE, "dept"): (r"dept-bounces@example\.org", rf"dept-bounces\+{TOKEN}@example\.org",
                         "Posta always uses VERP, with a secret per-member token; Mailman sends one bulk copy from -bounces"),
    (ENVELOPE, "staff"): (r"staff-bounces\+{local}={domain}@example\.org", rf"staff-bounces\+{TOKEN}@example\.org",
                          "Mailman's VERP names the member (forgeable); Posta's token is a secret"),
    ("List-Unsubscribe", None): (r"<mailto:{list}-leave@example\.org>",
                                 r"<https://mx\.example\.org/lists/unsubscribe/[A-Za-z0-9_-]{24}>, <mailto:{list}-leave@example\.org>",
                                 "RFC 8058 one-click HTTPS link per member first, then the same mailto: as Mailman"),
    ("List-Unsubscribe-Post", None): (None, r"List-Unsubscribe=One-Click", "RFC 8058 §3.1; Mailman 3.3.8 has no one-click"),
    ("List-Archive", None): (None, r"<https://mx\.example\.org/lists/archive/{list}@example\.org>",
                             "Posta archives by default (private); Mailman adds List-Archive only with an archiver enabled"),
    ("Archived-At", None): (None, r"<https://mx\.example\.org/lists/archive/{list}@example\.org/m/[a-z2-7]{24}>",
                            "RFC 5064: the post's place in Posta's archive"),
    ("X-BeenThere", None): (None, r"{list}@example\.org", "Posta's loop marker (Mailman 2.1's); Mailman 3 has none"),
    ("Reply-To", "staff"): (r"Staff <staff@example\.org>", r"staff@example\.org",
                            "same address; Mailman adds the description as a phrase"),
}


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    """Mailman 3 and Posta, each with both lists and its own sink; stopped at the end whatever happens."""
    assert mailman3site.available(), "Debian's mailman3 is not installed: run .ci/install-packages"
    with contextlib.ExitStack() as cleanup:  # every step undone in reverse, even when one fails
        mailman_sink, posta_sink = SMTPSink(), SMTPSink()
        cleanup.enter_context(mailman_sink)
        cleanup.enter_context(posta_sink)
        mailman = Mailman3Site(tmp_path_factory.mktemp("mailman3"), mailman_sink.port)
        cleanup.callback(mailman.stop)
        mailman.start()
        mailman.add_domain("example.org")
        posta = MailSite(tmp_path_factory.mktemp("posta"))
        posta.config.write_text(posta.config.read_text().replace(
            'nameservers = ["127.0.0.1:9"]', f'nameservers = ["127.0.0.1:9"]\nrelay_host = "127.0.0.1:{posta_sink.port}"'))
        posta.seed()
        # The list domain signs: Posta adds List-Unsubscribe-Post only under its signature (RFC 8058 §4).
        posta.posta("dkim", "keygen", "example.org")
        for name, (posta_options, mailman_config) in LISTS.items():
            address = f"{name}@example.org"
            posta.posta("list", "add", address, "--owner", OWNER, *posta_options)
            posta.posta("list", "member", "add", address, *(f"{n} <{a}>" if n else a for n, a in MEMBERS))
            posta.posta("list", "member", "set", address, NOMAIL, "--delivery", "off")
            list_id = mailman.add_list(address, send_welcome_message=False, **mailman_config)
            mailman.subscribe(list_id, OWNER, role="owner")
            for display, member in MEMBERS:
                path = mailman.subscribe(list_id, member, display)
                if member == NOMAIL:
                    mailman.set_preferences(path, delivery_status="by_user")
        cleanup.callback(posta.stop)
        posta.start()
        yield mailman, mailman_sink, posta, posta_sink


def post_for(name: str) -> bytes:
    return (f"From: {POSTER[0]} <{POSTER[1]}>\r\nTo: {name}@example.org\r\nSubject: Plans for Monday\r\n"
            f"Message-ID: <{name}-post@a.example>\r\nDate: Sat, 05 Dec 2026 10:00:00 +0000\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHello list\r\n").encode()


def copies(sink: SMTPSink, message_id: str, want: set[str], timeout: float = 60) -> dict[str, tuple[str, email.message.EmailMessage]]:
    """recipient -> (envelope sender, message) for the copies of the post, once every address in
    `want` has one, and a moment later (so that extra copies show); two copies for one recipient fail."""
    def rcpts(envelopes):
        return {r.lower() for e in envelopes if message_id.encode() in e.data for r in e.rcpt_to}
    try:
        sink.wait_for(lambda got: want <= rcpts(got), timeout)
    except TimeoutError:
        pass  # compared below, with what came
    time.sleep(2)
    out = {}
    for e in sink.messages:
        message = email.message_from_bytes(e.data, policy=email.policy.default)
        if message.get("Message-ID") != message_id:
            continue
        for r in e.rcpt_to:
            assert r.lower() not in out, f"two copies for {r}"
            out[r.lower()] = (e.mail_from, message)
    return out


def field(copy: tuple[str, email.message.EmailMessage], name: str) -> str | None:
    sender, message = copy
    if name == ENVELOPE:
        return sender
    values = message.get_all(name)
    if not values:
        return None
    return " | ".join(re.sub(r"\s+", " ", str(v)).strip() for v in values)


def verdict(name: str, list_name: str, rcpt: str, mailman: str | None, posta: str | None) -> tuple[str, str]:
    """("same" | "expected" | "UNEXPECTED", why) for one field of one recipient's two copies."""
    expected = EXPECTED.get((name, list_name)) or EXPECTED.get((name, None))
    if expected is None:
        return ("same", "") if mailman == posta else ("UNEXPECTED", "not in the table of expected differences")
    local, _, domain = rcpt.partition("@")
    fill = {"list": re.escape(list_name), "local": re.escape(local), "domain": re.escape(domain)}

    def fits(pattern, value):
        if pattern is None or value is None:
            return pattern is None and value is None
        for key, text in fill.items():
            pattern = pattern.replace("{" + key + "}", text)
        return re.fullmatch(pattern, value) is not None
    if fits(expected[0], mailman) and fits(expected[1], posta):
        return "expected", expected[2]
    return "UNEXPECTED", f"expected Mailman {expected[0]!r}, Posta {expected[1]!r}"


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def transactions(sink: SMTPSink, message_id: str) -> list[int]:
    """The number of recipients of each transaction that carried the post."""
    return sorted(len(e.rcpt_to) for e in sink.messages if message_id.encode() in e.data)


def extra_fields(copy, post: bytes) -> list[str]:
    """Header field names of a copy that the post did not have."""
    original = {k.lower() for k in email.message_from_bytes(post).keys()}
    return sorted({k for k in copy[1].keys() if k.lower() not in original and k not in FIELDS}, key=str.lower)


@pytest.mark.parametrize("list_name", list(LISTS))
def test_the_same_post_reaches_the_same_members_with_the_same_list_fields(sides, list_name):
    mailman, mailman_sink, posta, posta_sink = sides
    address, post = f"{list_name}@example.org", post_for(list_name)
    message_id = f"<{list_name}-post@a.example>"
    mailman.post(POSTER[1], address, post)
    with smtplib.SMTP("127.0.0.1", posta.smtp_port, timeout=30) as smtp:
        smtp.sendmail(POSTER[1], [address], post)
    want = {a for _, a in MEMBERS if a != NOMAIL}
    from_mailman = copies(mailman_sink, message_id, want)
    from_posta = copies(posta_sink, message_id, want)
    if not from_mailman:
        print(f"Mailman held: {mailman.held(address.replace('@', '.'))}\n{mailman.log_tail()}")

    # (1) The recipient set: every member whose delivery is on, the poster included (both default
    # to sending members their own posts), nobody else.
    assert set(from_mailman) == set(from_posta) == want, (sorted(from_mailman), sorted(from_posta))

    # (2) The fields, recipient by recipient.
    failures, shown = [], "ben@b.example"
    for rcpt in sorted(want):
        rows = [["field", "Mailman 3.3.8 (Debian)", "Posta", "verdict"]]
        for name in FIELDS:
            m, p = field(from_mailman[rcpt], name), field(from_posta[rcpt], name)
            status, why = verdict(name, list_name, rcpt, m, p)
            rows.append([name, m or "-", p or "-", status + (f": {why}" if why else "")])
            if status == "UNEXPECTED":
                failures.append(f"{rcpt} {name}: Mailman {m!r}, Posta {p!r}: {why}")
        if rcpt == shown:
            print(f"\n=== list {address}, the copy for {rcpt}")
            print(table(rows))
    print(f"SMTP transactions (recipients each): Mailman {transactions(mailman_sink, message_id)}, "
          f"Posta {transactions(posta_sink, message_id)}")
    print(f"fields only on Mailman's copy: {', '.join(extra_fields(from_mailman[shown], post))}")
    print(f"fields only on Posta's copy:   {', '.join(extra_fields(from_posta[shown], post))}")
    for side, got in (("Mailman", from_mailman), ("Posta", from_posta)):
        body = got[shown][1].get_body(("plain",)).get_content()
        assert "Hello list" in body, (side, body)
        added = [line for line in body.splitlines() if line.strip() and line.strip() != "Hello list"]
        print(f"body lines {side} added: {added}")
    assert not failures, "\n".join(failures)

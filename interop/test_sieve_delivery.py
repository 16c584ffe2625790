"""Sieve at local delivery (docs/sieve.md), end to end: scripts stored with `posta sieve`, mail
sent over SMTP, the result read from the store and from an SMTP sink that stands for the rest
of the Internet (`relay_host`): fileinto with :create and flags, vacation answered once per
period and never to list mail, bulk mail or the null sender, redirect with loop protection,
reject as a DSN to the sender, a runtime error keeping the message in INBOX, global scripts."""
import smtplib
import time
from pathlib import Path

import pytest

from mailsite import MailSite
from smtpsink import SMTPSink


@pytest.fixture
def world(tmp_path):
    sink = SMTPSink().start()
    site = MailSite(tmp_path / "posta")
    site.config.write_text(site.config.read_text().replace(
        'nameservers = ["127.0.0.1:9"]', f'nameservers = ["127.0.0.1:9"]\nretry_first = "1s"\nrelay_host = "127.0.0.1:{sink.port}"'))
    site.seed()
    site.start()
    yield site, sink, tmp_path
    site.stop()
    sink.stop()


def put_script(site, tmp_path, account: str, text: str, name: str = "main"):
    path = tmp_path / f"{name}.sieve"
    path.write_text(text)
    site.posta("sieve", "put", account, name, str(path), "--activate")


def send(site, sender: str, recipient: str, subject: str, headers: str = "", body: str = "Hello.\r\n"):
    message = (f"From: {sender or 'mailer-daemon@remote.example'}\r\nTo: {recipient}\r\nSubject: {subject}\r\n"
               f"Message-ID: <{subject.replace(' ', '-')}-{time.monotonic_ns()}@remote.example>\r\n{headers}\r\n{body}")
    with smtplib.SMTP("127.0.0.1", site.smtp_port, timeout=30) as smtp:
        smtp.sendmail(sender, [recipient], message.encode())


def wait_delivered(site, timeout: float = 20.0):
    """Until the queue holds nothing for local mailboxes (deliveries done or failed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with site.db() as db:
            n = db.execute("SELECT COUNT(*) FROM queue_recipient WHERE kind = 'local' AND status = 'pending'").fetchone()[0]
        if n == 0:
            return
        time.sleep(0.1)
    raise TimeoutError("local deliveries still pending")


def subjects(site, address: str, mailbox: str = "INBOX") -> list[str]:
    out = []
    for data in site.messages(address, mailbox):
        for line in data.split(b"\r\n"):
            if line.lower().startswith(b"subject:"):
                out.append(line[8:].strip().decode())
                break
    return out


def flags_of(site, address: str, mailbox: str) -> list[str]:
    with site.db() as db:
        return [r[0] for r in db.execute(
            """SELECT m.flags FROM message m JOIN mailbox b ON b.id = m.mailbox_id JOIN account a ON a.id = b.account_id
               WHERE a.address_key = ? AND b.name = ? ORDER BY m.uid""", (address, mailbox))]


def test_fileinto_create_and_flags(world):
    site, _, tmp = world
    put_script(site, tmp, "alice@example.org", """require ["fileinto", "mailbox", "imap4flags"];
if header :contains "subject" "report" {
  fileinto :create :flags ["\\\\Flagged", "$Report"] "Reports/Daily";
} elsif header :is "subject" "missing" {
  fileinto "Nowhere";
}
""")
    send(site, "someone@remote.example", "alice@example.org", "daily report")
    send(site, "someone@remote.example", "alice@example.org", "plain")
    send(site, "someone@remote.example", "alice@example.org", "missing")
    wait_delivered(site)
    assert subjects(site, "alice@example.org", "Reports/Daily") == ["daily report"]
    assert set(flags_of(site, "alice@example.org", "Reports/Daily")[0].split()) >= {"\\Flagged", "$Report"}
    # A fileinto without :create to a mailbox that does not exist files into INBOX.
    assert sorted(subjects(site, "alice@example.org")) == ["missing", "plain"]


def test_vacation_once_per_period_never_to_lists_bulk_or_null_sender(world):
    site, sink, tmp = world
    put_script(site, tmp, "alice@example.org", """require ["vacation"];
vacation :days 1 :subject "Away" "I am away until Monday.";
""")
    send(site, "friend@remote.example", "alice@example.org", "first")
    replies = sink.wait_for(lambda m: len(m) >= 1)
    reply = replies[0]
    assert reply.mail_from == "" and reply.rcpt_to == ["friend@remote.example"], reply
    text = reply.data.decode()
    assert "Auto-Submitted: auto-replied" in text and "Subject: Away" in text and "In-Reply-To: <first-" in text, text
    assert "I am away until Monday." in text
    # Once per sender per period; never to a list, bulk mail, an automatic message or the null sender.
    send(site, "friend@remote.example", "alice@example.org", "second")
    send(site, "list-owner@remote.example", "alice@example.org", "list post", headers="List-Id: <talk.remote.example>\r\n")
    send(site, "news@remote.example", "alice@example.org", "bulk", headers="Precedence: bulk\r\n")
    send(site, "robot@remote.example", "alice@example.org", "auto", headers="Auto-Submitted: auto-generated\r\n")
    send(site, "", "alice@example.org", "bounce")
    send(site, "cc@remote.example", "alice@example.org", "another sender")
    wait_delivered(site)
    time.sleep(2)
    recipients = [m.rcpt_to[0] for m in sink.messages]
    assert recipients == ["friend@remote.example", "cc@remote.example"], recipients
    # Every message was delivered all the same.
    assert len(site.messages("alice@example.org")) == 7


def test_redirect_with_loop_protection(world):
    site, sink, tmp = world
    put_script(site, tmp, "alice@example.org", 'require ["copy"];\nredirect :copy "outside@remote.example";\nredirect "bob@example.org";\n')
    put_script(site, tmp, "bob@example.org", 'redirect "alice@example.org";\n')
    send(site, "sender@remote.example", "alice@example.org", "loop me")
    sent = sink.wait_for(lambda m: len(m) >= 1)
    assert sent[0].rcpt_to == ["outside@remote.example"] and sent[0].mail_from == "sender@remote.example", sent[0]
    assert b"Subject: loop me" in sent[0].data
    wait_delivered(site)
    time.sleep(1)
    wait_delivered(site)
    # alice's plain redirect cancels her implicit keep (the :copy one does not keep either);
    # bob redirects back to alice, and that copy already carries Delivered-To: alice: the loop
    # is cut there and the message kept, once, with alice.
    assert len(sink.messages) == 1
    kept = site.messages("alice@example.org")
    assert len(kept) == 1 and b"Delivered-To: bob@example.org" in kept[0], kept
    assert subjects(site, "bob@example.org") == []


def test_reject_sends_a_dsn_to_the_sender(world):
    site, sink, tmp = world
    put_script(site, tmp, "alice@example.org", 'require ["reject"];\nif header :contains "subject" "spam" { reject "No thanks."; }\n')
    send(site, "pusher@remote.example", "alice@example.org", "cheap spam")
    dsn = sink.wait_for(lambda m: len(m) >= 1)[0]
    assert dsn.rcpt_to == ["pusher@remote.example"] and dsn.mail_from == "", dsn
    text = dsn.data.decode(errors="replace")
    assert "multipart/report" in text and "5.7.1" in text and "No thanks." in text, text
    wait_delivered(site)
    assert subjects(site, "alice@example.org") == []


def test_a_runtime_error_keeps_the_message_and_is_recorded(world):
    site, _, tmp = world
    put_script(site, tmp, "alice@example.org", 'require ["variables"];\nset "to" "not an address";\nredirect "${to}";\n')
    send(site, "sender@remote.example", "alice@example.org", "still here")
    wait_delivered(site)
    assert subjects(site, "alice@example.org") == ["still here"]
    import json
    listing = json.loads(site.posta("sieve", "list", "alice@example.org", "--json"))
    assert listing[0]["name"] == "main" and listing[0]["active"] and listing[0]["last_error"], listing


def test_a_script_that_does_not_compile_is_refused(world):
    site, _, tmp = world
    bad = tmp / "bad.sieve"
    bad.write_text('fileinto "x";\n')  # no require
    from conftest import POSTA
    import subprocess
    r = subprocess.run([POSTA, "sieve", "put", "alice@example.org", "bad", str(bad), "--config", str(site.config)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "fileinto" in (r.stderr + r.stdout), r


def test_global_before_and_after_scripts(world):
    """The site's `before` runs first for everyone; the domain's `after` runs last; each user's
    active script in between."""
    site, _, tmp = world
    before = tmp / "before.sieve"
    before.write_text('require ["fileinto", "mailbox"];\nif header :contains "subject" "[spam]" { fileinto :create "Junk"; stop; }\n')
    after = tmp / "after.sieve"
    after.write_text('require ["imap4flags"];\naddflag "$Checked";\n')
    site.posta("sieve", "global", "put", "site", "before", str(before))
    site.posta("sieve", "global", "put", "example.org", "after", str(after))
    put_script(site, tmp, "alice@example.org", 'require ["fileinto", "mailbox"];\nif header :contains "subject" "work" { fileinto :create "Work"; }\n')
    send(site, "x@remote.example", "alice@example.org", "[spam] offer")
    send(site, "x@remote.example", "alice@example.org", "work item")
    send(site, "x@remote.example", "bob@example.org", "[spam] for bob")
    send(site, "x@remote.example", "bob@example.org", "hello bob")
    wait_delivered(site)
    assert subjects(site, "alice@example.org", "Junk") == ["[spam] offer"]
    assert subjects(site, "alice@example.org", "Work") == ["work item"]
    assert subjects(site, "alice@example.org") == []
    assert subjects(site, "bob@example.org", "Junk") == ["[spam] for bob"]
    assert subjects(site, "bob@example.org") == ["hello bob"]
    assert "$Checked" in flags_of(site, "bob@example.org", "INBOX")[0].split()


def test_spamtest_follows_spamds_verdict(tmp_path):
    """spamtest (RFC 3685) is fed by the content filter: a real spamd scores GTUBE far above the
    threshold (spamtest 10, :percent 100) and a plain note below it; the user's script files by
    the value, overriding the filter's own Junk filing for ham and spam alike."""
    from scanners import GTUBE, Spamd, message
    (tmp_path / "spamd").mkdir()
    spamd = Spamd(tmp_path / "spamd").start()
    site = MailSite(tmp_path / "posta", extra_config=f"""
[filter.spamassassin]
address = "127.0.0.1:{spamd.port}"
timeout = "60s"
""").seed().start()
    try:
        put_script(site, tmp_path, "alice@example.org", """require ["spamtestplus", "fileinto", "mailbox", "relational", "comparator-i;ascii-numeric"];
if spamtest :percent :value "ge" :comparator "i;ascii-numeric" "50" {
  fileinto :create "Spam by Sieve";
} elsif spamtest :value "eq" :comparator "i;ascii-numeric" "0" {
  fileinto :create "Untested";
} else {
  fileinto :create "Clean";
}
""")
        for subject, body, mid in (("lunch", b"Shall we have lunch on Thursday at noon?\r\nRegards, Sam", "ham1"),
                                   ("offer", GTUBE, "spam1")):
            with smtplib.SMTP("127.0.0.1", site.smtp_port, timeout=60) as s:
                s.sendmail("sender@remote.example", ["alice@example.org"], message(subject, body, mid))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(site.messages("alice@example.org", "Spam by Sieve")) + len(
                site.messages("alice@example.org", "Clean")) < 2:
            time.sleep(0.2)
        assert subjects(site, "alice@example.org", "Spam by Sieve") == ["offer"]
        assert subjects(site, "alice@example.org", "Clean") == ["lunch"]
        assert subjects(site, "alice@example.org", "Untested") == []
        assert subjects(site, "alice@example.org", "Junk") == []
    finally:
        site.stop()
        spamd.stop()

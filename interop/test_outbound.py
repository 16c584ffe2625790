"""Outbound delivery: a real DNS server (dnsmasq) on loopback serves a zone whose MX points to a
real Postfix on another loopback address; a message submitted to Posta arrives in that Postfix's
Maildir. A domain that does not exist fails permanently and stays in the queue with the reason."""
import email
import json
import os
import smtplib
import subprocess
import time
from pathlib import Path

import pytest

from conftest import free_port, make_reachable, vmail_ids, wait_for_port
from postfix import Postfix
from test_submission import PASSWORD, SubmissionSite, message
from tls_certs import self_signed


def start_dnsmasq(folder: Path, zone: str) -> tuple[int, subprocess.Popen]:
    """dnsmasq (Debian dnsmasq-base) answering `zone` on a free loopback port, nothing else; started
    again on another port if it could not bind (another test may have taken the port meanwhile)."""
    for _ in range(5):
        port = free_port(udp_too=True)
        conf = folder / "dnsmasq.conf"
        conf.write_text(f"port={port}\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\nkeep-in-foreground\n{zone}")
        proc = subprocess.Popen(["/usr/sbin/dnsmasq", "-C", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, timeout=10)  # dnsmasq answers on TCP too
            return port, proc
        except TimeoutError:
            proc.kill()
            proc.wait()
    raise RuntimeError("dnsmasq did not start")


def remote_mx(tmp_path: Path, cert_name: str) -> dict:
    """Postfix on 127.0.0.2 taking mail for carol@remote.example into a Maildir, offering STARTTLS
    with a self-signed certificate for `cert_name` (its own trust anchor)."""
    port = free_port()
    vmail = tmp_path / "remote-vmail"
    vmail.mkdir()
    uid, gid = vmail_ids()
    os.chown(vmail, uid, gid)
    (tmp_path / "remote").mkdir()
    (tmp_path / "remote" / "vmailbox").write_text("carol@remote.example remote.example/carol/\n")
    cert, key = self_signed(tmp_path / "remote", cert_name)
    pf = Postfix(tmp_path / "remote", f"""virtual_mailbox_domains = remote.example
virtual_mailbox_base = {vmail}
virtual_mailbox_maps = texthash:{tmp_path}/remote/vmailbox
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
virtual_minimum_uid = 1000
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
""", port=port, address="127.0.0.2").start()
    return {"smtp_port": port, "maildir": vmail / "remote.example" / "carol", "postfix": pf, "cert": cert}


@pytest.fixture
def remote(tmp_path: Path):
    """dnsmasq for remote.example (MX → mx.remote.example → 127.0.0.2) and Postfix on 127.0.0.2."""
    mx = remote_mx(tmp_path, "mx.remote.example")
    pf = mx["postfix"]
    dns_port, dns = start_dnsmasq(tmp_path, """local=/remote.example/
local=/nowhere.example/
mx-host=remote.example,mx.remote.example,10
host-record=mx.remote.example,127.0.0.2
""")
    yield {"dns_port": dns_port, **mx}
    dns.kill()
    dns.wait()
    pf.stop()


def test_submitted_mail_reaches_the_remote_mx_and_failures_bounce(tmp_path: Path, remote):
    site = SubmissionSite(tmp_path / "posta")
    site.config.write_text(site.config.read_text().replace(
        'nameservers = ["127.0.0.1:9"]', f'nameservers = ["127.0.0.1:{remote["dns_port"]}"]\nsmtp_port = {remote["smtp_port"]}'))
    site.seed().start()
    try:
        with smtplib.SMTP("localhost", site.submission_port) as s:
            s.starttls(context=site.context())
            s.login("alice@example.org", PASSWORD)
            s.sendmail("alice@example.org", ["carol@remote.example", "nobody@remote.example", "ghost@nowhere.example"],
                       message("alice@example.org", "carol@remote.example", "outbound"))
        remote["postfix"].wait_log("status=sent")
        files = [p for sub in ("new", "cur") for p in (remote["maildir"] / sub).glob("*")]
        assert len(files) == 1
        data = files[0].read_bytes()
        assert b"Subject: outbound" in data and b"by mx.example.org (Posta) with ESMTPSA" in data
        assert b"Return-Path: <alice@example.org>" in data
        # Posta used STARTTLS towards Postfix (opportunistic).
        assert "TLS connection established from" in remote["postfix"].log()

        # The two failures come back to alice as RFC 3464 reports: Postfix refused nobody@ (5xx),
        # and nowhere.example does not exist.
        reports = {}
        deadline = time.monotonic() + 30
        while len(reports) < 2 and time.monotonic() < deadline:
            for raw in site.messages("alice@example.org"):
                msg = email.message_from_bytes(raw.split(b"\r\n", 2)[2])  # after Return-Path and Delivered-To
                assert msg.get_content_type() == "multipart/report"
                assert msg.get_param("report-type") == "delivery-status"
                parts = msg.get_payload()
                assert parts[1].get_content_type() == "message/delivery-status"
                assert parts[2].get_content_type() == "message/rfc822"
                assert parts[2].get_payload()[0]["Subject"] == "outbound"
                per_message, *per_recipient = parts[1].get_payload()
                assert per_message["Reporting-MTA"] == "dns; mx.example.org"
                for fields in per_recipient:
                    assert fields["Action"] == "failed"
                    reports[fields["Final-Recipient"]] = (fields["Status"], fields["Diagnostic-Code"])
            time.sleep(0.2)
        assert reports["rfc822; nobody@remote.example"][0].startswith("5.1."), reports
        assert "mx.remote.example" in reports["rfc822; nobody@remote.example"][1], reports
        assert reports["rfc822; ghost@nowhere.example"][0] == "5.1.2", reports
        # Bounced deliveries leave the queue once their DSN is sent; the DSNs were delivered.
        deadline = time.monotonic() + 10
        while json.loads(site.posta("queue", "list", "--json")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert json.loads(site.posta("queue", "list", "--json")) == []
    finally:
        site.stop()


def later_example(tmp_path: Path) -> tuple[int, subprocess.Popen, Path]:
    """dnsmasq for later.example (MX → mx.later.example → 127.0.0.3), and a folder smtp-sink may
    dump into: (DNS port, dnsmasq, folder)."""
    dns_port, dns = start_dnsmasq(tmp_path, """local=/later.example/
mx-host=later.example,mx.later.example,10
host-record=mx.later.example,127.0.0.3
""")
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    os.chmod(dumps, 0o777)  # smtp-sink writes as nobody
    make_reachable(dumps)
    return dns_port, dns, dumps


def start_sink(port: int, *options: str) -> subprocess.Popen:
    """smtp-sink on 127.0.0.3:`port` with `options` (e.g. `-d template`)."""
    return subprocess.Popen(["smtp-sink", "-u", "nobody", *options, f"127.0.0.3:{port}", "10"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def site_sending_to(tmp_path: Path, dns_port: int, sink_port: int, extra: str = "") -> SubmissionSite:
    """A started submission site whose outbound mail goes to port `sink_port` of MX hosts found in
    the DNS server on `dns_port`; `extra` adds delivery keys."""
    site = SubmissionSite(tmp_path / "posta")
    site.config.write_text(site.config.read_text().replace(
        'nameservers = ["127.0.0.1:9"]', f'nameservers = ["127.0.0.1:{dns_port}"]\nsmtp_port = {sink_port}{extra}'))
    return site.seed().start()


def wait_until_queue_empty(site: SubmissionSite, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while json.loads(site.posta("queue", "list", "--json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert json.loads(site.posta("queue", "list", "--json")) == []


def test_deferred_delivery_arrives_after_retry(tmp_path: Path):
    """A destination answering 4xx gets the message later, after a retry."""
    sink_port = free_port()
    dns_port, dns, dumps = later_example(tmp_path)
    # First the destination soft-rejects every recipient (450).
    sink = start_sink(sink_port, "-r", "RCPT")
    site = site_sending_to(tmp_path, dns_port, sink_port, '\nretry_first = "1s"')
    try:
        time.sleep(0.3)
        with smtplib.SMTP("localhost", site.submission_port) as s:
            s.starttls(context=site.context())
            s.login("alice@example.org", PASSWORD)
            s.sendmail("alice@example.org", ["dave@later.example"], message("alice@example.org", "dave@later.example", "later"))
        deadline = time.monotonic() + 20
        row = None
        while time.monotonic() < deadline:
            [entry] = json.loads(site.posta("queue", "list", "--json"))
            row = entry["recipients"][0]
            if row["attempts"] >= 1 and row.get("last_error"):
                break
            time.sleep(0.2)
        assert row["status"] == "pending" and row["last_error"].startswith("450"), row
        # Now the destination accepts: the retry delivers it, and no bounce is sent.
        sink.kill()
        sink.wait()
        sink = start_sink(sink_port, "-d", f"{dumps}/%Y%m%d%H%M%S.")
        # smtp-sink creates the dump file when the transaction starts and fills it as data arrives,
        # so the file is read only once Posta has the 250 (the queue is empty).
        wait_until_queue_empty(site)
        [dump] = list(dumps.iterdir())
        assert b"Subject: later" in dump.read_bytes()
        assert site.messages("alice@example.org") == []
    finally:
        site.stop()
        sink.kill()
        dns.kill()

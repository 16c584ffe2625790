"""DSN parameters (RFC 3461) given by a submission client reach the next hop as sent: Posta keeps
RET, ENVID, NOTIFY and ORCPT typed through its queue and its SMTP client writes them again. The
next hop is smtp-sink, whose dump records the MAIL and RCPT arguments it received."""
import json
import os
import smtplib
import subprocess
import time
from pathlib import Path

from conftest import free_port, make_reachable
from test_outbound import start_dnsmasq
from test_submission import PASSWORD, SubmissionSite, message


def test_dsn_parameters_are_relayed(tmp_path: Path):
    sink_port = free_port()
    dns_port, dns = start_dnsmasq(tmp_path, """local=/later.example/
mx-host=later.example,mx.later.example,10
host-record=mx.later.example,127.0.0.3
""")
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    os.chmod(dumps, 0o777)  # smtp-sink writes as nobody
    make_reachable(dumps)
    sink = subprocess.Popen(["smtp-sink", "-u", "nobody", "-d", f"{dumps}/%Y%m%d%H%M%S.", f"127.0.0.3:{sink_port}", "10"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    site = SubmissionSite(tmp_path / "posta")
    site.config.write_text(site.config.read_text().replace(
        'nameservers = ["127.0.0.1:9"]', f'nameservers = ["127.0.0.1:{dns_port}"]\nsmtp_port = {sink_port}'))
    site.seed().start()
    try:
        with smtplib.SMTP("localhost", site.submission_port) as s:
            s.starttls(context=site.context())
            s.login("alice@example.org", PASSWORD)
            s.sendmail("alice@example.org", ["dave@later.example", "erin@later.example"],
                       message("alice@example.org", "dave@later.example", "dsn"),
                       mail_options=["RET=HDRS", "ENVID=env+2B1"])
        # NOTIFY in any case and order goes out in RFC order; NEVER stays NEVER.
        with smtplib.SMTP("localhost", site.submission_port) as s:
            s.starttls(context=site.context())
            s.login("alice@example.org", PASSWORD)
            s.ehlo()
            s.mail("alice@example.org", ["RET=FULL"])
            assert s.rcpt("dave@later.example", ["NOTIFY=delay,Success", "ORCPT=rfc822;dave+2Bx@later.example"])[0] == 250
            assert s.rcpt("erin@later.example", ["NOTIFY=NEVER"])[0] == 250
            assert s.data(message("alice@example.org", "dave@later.example", "dsn2"))[0] == 250
        # smtp-sink fills a dump as data arrives: read them once Posta has the 250s (queue empty).
        deadline = time.monotonic() + 40
        while json.loads(site.posta("queue", "list", "--json")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert json.loads(site.posta("queue", "list", "--json")) == []
        dumps_text = [path.read_text(errors="replace") for path in sorted(dumps.iterdir())]
        first = next(text for text in dumps_text if "Subject: dsn\n" in text)
        second = next(text for text in dumps_text if "Subject: dsn2\n" in text)
        mail = [line for line in first.splitlines() if line.startswith("X-Mail-Args:")]
        assert len(mail) == 1 and " RET=HDRS" in mail[0] and " ENVID=env+2B1" in mail[0], mail
        rcpts = [line for line in first.splitlines() if line.startswith("X-Rcpt-Args:")]
        assert rcpts == ["X-Rcpt-Args: <dave@later.example>", "X-Rcpt-Args: <erin@later.example>"], rcpts
        mail = [line for line in second.splitlines() if line.startswith("X-Mail-Args:")]
        assert len(mail) == 1 and " RET=FULL" in mail[0] and "ENVID" not in mail[0], mail
        rcpts = [line for line in second.splitlines() if line.startswith("X-Rcpt-Args:")]
        assert rcpts == [
            "X-Rcpt-Args: <dave@later.example> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;dave+2Bx@later.example",
            "X-Rcpt-Args: <erin@later.example> NOTIFY=NEVER",
        ], rcpts
    finally:
        site.stop()
        sink.kill()
        dns.kill()

"""A real Postfix asks Posta's policy delegation server (check_policy_service): a SASL user's
quota, greylisting and a HELO blacklist, decided by Posta and enforced by Postfix."""
import json
from pathlib import Path

import pytest

from policysite import DovecotAuth, PolicySite, check_greylist, check_helo_blacklist, check_quota, send_authenticated
from postfix import Postfix


@pytest.fixture
def postfix(tmp_path: Path):
    site = PolicySite(tmp_path / "posta").seed().configure_policies().start()
    auth = DovecotAuth(tmp_path, {"sasluser@remote.example": "secret"}).start()
    policy = f"check_policy_service inet:127.0.0.1:{site.policy_port}"
    pf = Postfix(tmp_path, f"""smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:{auth.port}
smtpd_recipient_restrictions = {policy}, permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_end_of_data_restrictions = {policy}
default_transport = discard
""").start()
    yield site, pf
    pf.stop()
    auth.stop()
    site.stop()


def test_quota_greylist_helo_through_postfix(postfix):
    site, pf = postfix
    check_quota(lambda subject: send_authenticated(
        pf.port, "sasluser@remote.example", "secret", "sasluser@remote.example", "someone@far.example", subject, tls=False))
    counters = json.loads(site.posta("policy", "quota", "--json"))
    assert [(c["key"], c["messages"]) for c in counters] == [("sasluser@remote.example", 3)], counters
    check_greylist(pf.port)
    check_helo_blacklist(pf.port)
    log = pf.log()
    assert "Hourly sending quota reached" in log and "Greylisted" in log

"""The reference side of the LDAP directory tests, on its own: the test slapd (every preset's
data, TLS, ppolicy, dynamic groups, password changes, renames), Postfix's `postmap -q … ldap:`
tables and a Dovecot with an LDAP passdb/userdb answer what interop/ldapsite.py's tables say.
The differential tests (test_ldap_differential.py) then hold Posta to the same answers."""
import os
import subprocess
from pathlib import Path

import pytest

import tls_certs
from ldapsite import (ADDRESSES, ADMIN_DN, ADMIN_PASSWORD, ALL_PRESETS, BASE, LOGINS, PASSWORD, SERVICE_DN,
                      SERVICE_PASSWORD, DovecotLDAP, PostfixMaps, Slapd, domain_of, entry_uuid, login_expectation,
                      quota_from_dovecot)


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    s = Slapd(tmp_path_factory.mktemp("slapd")).start()
    yield s
    s.stop()


@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_each_preset_loads_alone(tmp_path, preset):
    s = Slapd(tmp_path, preset_ldifs=[preset]).start()
    try:
        domain = domain_of(preset)
        if preset == "posix":
            users = s.search("(objectClass=posixAccount)", ["uid"])
        else:
            users = s.search(f"(mail=*@{domain})", ["mail"])
        assert users, f"no entries of {domain}"
        # Nothing of another preset's domain.
        others = [d for p, d in ((p, domain_of(p)) for p in ALL_PRESETS) if p != preset and p != "posix"]
        for other in others:
            assert s.search(f"(mail=*@{other})", ["mail"]) == [], other
        assert s.whoami(SERVICE_DN, SERVICE_PASSWORD).returncode == 0
    finally:
        s.stop()


def test_tree_service_account_and_acls(slapd: Slapd):
    for ou in ("people", "groups", "aliases", "services", "policies"):
        assert slapd.search("(objectClass=organizationalUnit)", ["ou"], base=f"ou={ou},{BASE}", scope="base")
    # The service account reads passwords; anonymous does not; a user reads her own.
    [alice] = slapd.search("(uid=alice)", ["userPassword", "entryUUID"])
    assert alice["userPassword"][0].startswith("{SSHA}")
    assert alice["entryUUID"] == [entry_uuid(slapd.dn_of("alice"))]
    r = subprocess.run(["ldapsearch", "-x", "-LLL", "-H", slapd.url, "-b", BASE, "(uid=alice)", "userPassword", "mail"],
                       capture_output=True, text=True, env=slapd.env(), timeout=30)
    assert r.returncode == 0 and "mail: alice@example.org" in r.stdout and "userPassword" not in r.stdout, r
    own = slapd.search("(uid=alice)", ["userPassword"], bind=(slapd.dn_of("alice"), PASSWORD))
    assert own[0].get("userPassword"), own
    other = slapd.search("(uid=bob)", ["userPassword"], bind=(slapd.dn_of("alice"), PASSWORD))
    assert "userPassword" not in other[0], other
    assert slapd.whoami(ADMIN_DN, ADMIN_PASSWORD).returncode == 0
    assert slapd.whoami(SERVICE_DN, "wrong").returncode == 49


@pytest.mark.parametrize("uid,ok", [("alice", True), ("bob", True), ("carol", True), ("dave", True), ("erin", True),
                                    ("hank", True), ("ivy", True), ("judy", True), ("ken", True),
                                    ("frank", False), ("gina", False), ("paul", False), ("nopass", False)])
def test_password_schemes_slapd_verifies(slapd: Slapd, uid, ok):
    r = slapd.whoami(slapd.dn_of(uid), PASSWORD)
    assert (r.returncode == 0) == ok, (uid, r.returncode, r.stderr)
    if not ok:
        assert r.returncode == 49, r.stderr


def test_starttls_and_ldaps_with_the_test_ca(slapd: Slapd, tmp_path):
    assert slapd.whoami(slapd.dn_of("alice"), PASSWORD, start_tls=True).returncode == 0
    assert slapd.whoami(slapd.dn_of("alice"), PASSWORD, url=slapd.ldaps_url).returncode == 0
    # Another CA: the certificate is refused, on both.
    other_ca, _ = tls_certs.make_ca(tmp_path)
    env = dict(slapd.env(), LDAPTLS_CACERT=str(other_ca))
    for args in (["-H", slapd.url, "-ZZ"], ["-H", slapd.ldaps_url]):
        r = subprocess.run(["ldapwhoami", "-x", *args, "-D", slapd.dn_of("alice"), "-w", PASSWORD],
                           capture_output=True, text=True, env=env, timeout=30)
        assert r.returncode != 0, r
    # The certificate names 127.0.0.1 and localhost.
    r = subprocess.run(["openssl", "x509", "-in", str(slapd.cert), "-noout", "-ext", "subjectAltName"],
                       capture_output=True, text=True, check=True)
    assert "IP Address:127.0.0.1" in r.stdout and "DNS:localhost" in r.stdout


def test_ppolicy_locked_expired_grace_and_lockout(tmp_path):
    s = Slapd(tmp_path, preset_ldifs=["inetorgperson"]).start()
    try:
        r = s.whoami(s.dn_of("lena"), PASSWORD, ppolicy=True)
        assert r.returncode == 49 and "Account locked" in r.stderr, r
        r = s.whoami(s.dn_of("olga"), PASSWORD, ppolicy=True)
        assert r.returncode == 49 and "Password expired" in r.stderr, r
        # greg: two grace logins, then expired.
        for remaining in (1, 0):
            r = s.whoami(s.dn_of("greg"), PASSWORD, ppolicy=True)
            assert r.returncode == 0 and f"{remaining} grace logins remain" in r.stderr, r
        r = s.whoami(s.dn_of("greg"), PASSWORD, ppolicy=True)
        assert r.returncode == 49 and "Password expired" in r.stderr, r
        # mike: three wrong passwords lock him, and then the right one fails too.
        for _ in range(3):
            assert s.whoami(s.dn_of("mike"), "wrong", ppolicy=True).returncode == 49
        r = s.whoami(s.dn_of("mike"), PASSWORD, ppolicy=True)
        assert r.returncode == 49 and "Account locked" in r.stderr, r
        [mike] = s.search("(uid=mike)", ["pwdAccountLockedTime", "pwdFailureTime"])
        assert mike.get("pwdAccountLockedTime") and len(mike["pwdFailureTime"]) == 3, mike
        # A success in between clears the failures: two wrong, one right, two wrong: not locked.
        for password in ("wrong", "wrong", PASSWORD, "wrong", "wrong", PASSWORD):
            s.whoami(s.dn_of("alice"), password)
        assert s.whoami(s.dn_of("alice"), PASSWORD).returncode == 0
    finally:
        s.stop()


def test_dynamic_group_and_member_of(slapd: Slapd):
    [group] = slapd.search("(mail=dept42@example.org)", ["member"])
    assert sorted(group["member"]) == [slapd.dn_of("alice"), slapd.dn_of("erin")]
    [alice] = slapd.search("(uid=alice)", ["memberOf"])
    assert set(alice["memberOf"]) >= {f"cn=staff,ou=groups,{BASE}", f"cn=dept42,ou=groups,{BASE}"}, alice


def test_password_modify_self_and_by_service_account(tmp_path):
    s = Slapd(tmp_path, preset_ldifs=["inetorgperson"]).start()
    try:
        env = s.env()
        # pete changes his own (RFC 3062, bound as himself).
        r = subprocess.run(["ldappasswd", "-x", "-H", s.url, "-ZZ", "-D", s.dn_of("pete"), "-w", PASSWORD,
                            "-a", PASSWORD, "-s", "new-password-1"], capture_output=True, text=True, env=env, timeout=30)
        assert r.returncode == 0, r
        assert s.whoami(s.dn_of("pete"), "new-password-1").returncode == 0
        assert s.whoami(s.dn_of("pete"), PASSWORD).returncode == 49
        [pete] = s.search("(uid=pete)", ["userPassword"])
        assert pete["userPassword"][0].startswith("{SSHA}"), pete  # hashed by slapd
        # The service account sets bob's on his behalf.
        r = subprocess.run(["ldappasswd", "-x", "-H", s.url, "-D", SERVICE_DN, "-w", SERVICE_PASSWORD,
                            "-s", "new-password-2", s.dn_of("bob")], capture_output=True, text=True, env=env, timeout=30)
        assert r.returncode == 0, r
        assert s.whoami(s.dn_of("bob"), "new-password-2").returncode == 0
        # alice may not set bob's.
        r = subprocess.run(["ldappasswd", "-x", "-H", s.url, "-D", s.dn_of("alice"), "-w", PASSWORD,
                            "-s", "stolen-1", s.dn_of("bob")], capture_output=True, text=True, env=env, timeout=30)
        assert r.returncode != 0, r
    finally:
        s.stop()


def test_rename_keeps_entry_uuid_and_restart_keeps_data(tmp_path):
    s = Slapd(tmp_path, preset_ldifs=["inetorgperson"]).start()
    try:
        before = entry_uuid(s.dn_of("rita"))
        s.modify(f"""dn: {s.dn_of("rita")}
changetype: modrdn
newrdn: uid=rita2
deleteoldrdn: 1

dn: uid=rita2,ou=people,{BASE}
changetype: modify
replace: mail
mail: rita.new@example.org
""")
        s.restart()
        [rita] = s.search("(mail=rita.new@example.org)", ["entryUUID"])
        assert rita["dn"] == [f"uid=rita2,ou=people,{BASE}"] and rita["entryUUID"] == [before]
        assert s.search("(mail=rita@example.org)") == []
    finally:
        s.stop()


def test_two_servers_with_the_same_data_for_failover(tmp_path):
    a = Slapd(tmp_path / "a", preset_ldifs=["inetorgperson"]).start()
    b = Slapd(tmp_path / "b", preset_ldifs=["inetorgperson"], ca=a.ca).start()
    try:
        assert a.ca_file == b.ca_file
        ua = a.search("(uid=alice)", ["entryUUID"])[0]["entryUUID"]
        ub = b.search("(uid=alice)", ["entryUUID"])[0]["entryUUID"]
        assert ua == ub
        a.stop()
        assert b.whoami(b.dn_of("alice"), PASSWORD, start_tls=True).returncode == 0
        r = a.whoami(a.dn_of("alice"), PASSWORD)
        assert r.returncode != 0 and "Can't contact LDAP server" in r.stderr, r
    finally:
        a.stop()
        b.stop()


def test_slapd_logs_filters_with_escapes(slapd: Slapd):
    """How slapd's stats log prints a filter: the Posta tests assert these exact texts."""
    mark = slapd.log_mark()
    slapd.search(r"(&(objectClass=inetOrgPerson)(mail=alice\29\28uid=\2a@example.org))")
    slapd.search(r"(&(objectClass=posixAccount)(uid=\2a))")
    slapd.search(r"(&(objectClass=posixAccount)(uid=a\2a))")
    slapd.search(r"(&(objectClass=posixAccount)(uid=\5c))")
    slapd.search(r"(&(objectClass=inetOrgPerson)(mail=\ff\fe@example.org))")
    slapd.search(r"(&(objectClass=inetOrgPerson)(mail=ALICE@Example.ORG))")
    filters = slapd.filters(since=mark)
    assert filters == [
        r"(&(objectClass=inetOrgPerson)(mail=alice\29\28uid=\2A@example.org))",
        r"(&(objectClass=posixAccount)(uid=\2A))",
        r"(&(objectClass=posixAccount)(uid=a\2A))",
        r"(&(objectClass=posixAccount)(uid=\5C))",
        r"(&(objectClass=inetOrgPerson)(?mail=\FF\FE@example.org))",  # not IA5: an undefined assertion
        r"(&(objectClass=inetOrgPerson)(mail=alice@example.org))",    # normalised (caseIgnoreIA5Match)
    ], filters


@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_postmap_expansions(slapd: Slapd, tmp_path, preset):
    maps = PostfixMaps(tmp_path, slapd, preset)
    got = {address: maps.expand(address) for address in ADDRESSES[preset]}
    wrong = {a: (got[a], want) for a, want in ADDRESSES[preset].items() if got[a] != want}
    assert not wrong, "postmap answers (got, expected): " + repr(wrong)


def test_postmap_hostile_keys_match_nothing(slapd: Slapd, tmp_path):
    maps = PostfixMaps(tmp_path, slapd, "inetorgperson")
    for key in ("*@example.org", "a*@example.org", "alice)(uid=*@example.org", "\\@example.org", "*"):
        assert maps.query(key) is None, key


@pytest.mark.parametrize("mode", ["bind", "compare"])
@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_dovecot_ldap_passdb_userdb(tmp_path, preset, mode):
    # Its own slapd: bind-mode failures count towards ppolicy lockouts.
    s = Slapd(tmp_path / "slapd", preset_ldifs=[preset]).start()
    d = DovecotLDAP(tmp_path / "dovecot", s, preset, auth_bind=(mode == "bind")).start()
    try:
        wrong = []
        for login in LOGINS[preset]:
            want = login_expectation(preset, login)
            visible = want["found"] and want["enabled"]
            auth = d.auth_test(login, PASSWORD)
            if auth["ok"] != want[mode]:
                wrong.append((login, "auth", auth["ok"], auth["reason"][-400:]))
            bad = d.auth_test(login, "not-the-password")
            if bad["ok"]:
                wrong.append((login, "wrong password accepted"))
            user = d.user(login)
            if (user is not None) != visible:
                wrong.append((login, "userdb", user))
            if user is not None:
                if quota_from_dovecot(user) != want["quota"]:
                    wrong.append((login, "quota", user))
                if want["home"] is not None and user.get("home") != want["home"]:
                    wrong.append((login, "home", user))
        assert not wrong, wrong
    finally:
        d.stop()
        s.stop()

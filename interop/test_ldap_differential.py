"""Posta's LDAP directory against the reference peers reading the same slapd: for every address of
interop/ldapsite.py's tables, `posta directory test ADDRESS` reaches the same final recipients as
Postfix's virtual alias expansion over `postmap -q … ldap:` tables; for every login,
`posta directory test LOGIN --user [--password-file]` agrees with Dovecot's LDAP passdb/userdb
(`doveadm auth test`, `doveadm user`) on success, the kind of failure, the entryUUID, the
address, the quota and the home. By bind (Dovecot auth_bind = yes) and by compare (Dovecot reads
userPassword and verifies it)."""
from pathlib import Path

import pytest

from ldapsite import (ADDRESSES, ALL_PRESETS, HOME_ATTRIBUTE, LOGINS, PASSWORD, DovecotLDAP, PostfixMaps, Slapd,
                      domain_of, final_recipients, posta_ldap_table, posta_site, quota_from_dovecot)


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    s = Slapd(tmp_path_factory.mktemp("slapd")).start()
    yield s
    s.stop()


def site_for(folder: Path, slapd: Slapd, auth: str):
    folder.mkdir(parents=True, exist_ok=True)
    tables = "".join(posta_ldap_table(slapd, preset, folder, auth=auth) for preset in ALL_PRESETS)
    return posta_site(folder, tables)


@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_addresses_resolve_as_postfix_expands_them(slapd: Slapd, tmp_path, preset):
    site = site_for(tmp_path / "posta", slapd, "bind")
    maps = PostfixMaps(tmp_path / "postfix", slapd, preset)
    differences = []
    for address in ADDRESSES[preset]:
        postfix = maps.expand(address)
        report = site.address(address)
        if report.get("source") != "ldap":
            differences.append(f"{address}: answered by {report.get('source')!r}, not ldap: {report}")
            continue
        posta = final_recipients(report)
        if posta != postfix:
            differences.append(f"{address}: posta {sorted(posta) if posta is not None else 'unknown'} "
                               f"!= postfix {sorted(postfix) if postfix is not None else 'unknown'} ({report})")
    assert not differences, "\n".join(differences)


def dovecot_reason(answer: dict) -> str:
    text = answer["reason"]
    if "unknown user" in text:
        return "unknown"
    return "rejected"


@pytest.mark.parametrize("mode", ["bind", "compare"])
@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_logins_agree_with_dovecot(tmp_path, preset, mode):
    # A slapd of its own: bind-mode failures count towards ppolicy lockouts.
    slapd = Slapd(tmp_path / "slapd", preset_ldifs=[preset]).start()
    dovecot = DovecotLDAP(tmp_path / "dovecot", slapd, preset, auth_bind=(mode == "bind")).start()
    try:
        site = site_for(tmp_path / "posta", slapd, mode)
        differences = []
        for login in LOGINS[preset]:
            def differ(what, posta, reference):
                differences.append(f"{login} ({mode}) {what}: posta {posta!r}, dovecot {reference!r}")

            # Right password first (a success clears ppolicy's failure count), then a wrong one.
            dv_ok = dovecot.auth_test(login, PASSWORD)
            po_ok = site.login(login, PASSWORD)
            dv_bad = dovecot.auth_test(login, "not-the-password")
            po_bad = site.login(login, "not-the-password")
            dv_user = dovecot.user(login)
            po_user = site.login(login)

            if po_user.get("source") != "ldap":
                differ("source", po_user.get("source"), "ldap")
                continue
            # Dovecot's filters leave disabled accounts out: it sees found and enabled ones.
            posta_visible = bool(po_user.get("found")) and po_user.get("enabled") is not False
            if posta_visible != (dv_user is not None):
                differ("account visible", po_user, dv_user)
            if (po_ok.get("auth") == "ok") != dv_ok["ok"]:
                differ("right password", po_ok.get("auth"), dv_ok["reason"][-300:] or "ok")
            if po_bad.get("auth") == "ok" or dv_bad["ok"]:
                differ("wrong password accepted", po_bad.get("auth"), dv_bad["ok"])
            for posta, dovecot_answer in ((po_ok, dv_ok), (po_bad, dv_bad)):
                if dovecot_answer["ok"] or posta.get("auth") == "ok":
                    continue
                if dovecot_reason(dovecot_answer) == "unknown":
                    # Dovecot does not see disabled accounts; Posta finds them and checks the
                    # password first (a wrong one is a wrong password, a right one: disabled).
                    disabled = po_user.get("found") and po_user.get("enabled") is False
                    allowed = ("unknown-user", "disabled", "wrong-password") if disabled else ("unknown-user",)
                    if posta.get("auth") not in allowed:
                        differ("failure kind", posta.get("auth"), "unknown user")
                elif posta.get("auth") not in ("wrong-password", "account-locked", "password-expired"):
                    differ("failure kind", posta.get("auth"), "password mismatch")
            if dv_user is None:
                continue
            if po_user.get("id") != dv_user.get("posta_id"):
                differ("entryUUID", po_user.get("id"), dv_user.get("posta_id"))
            if (po_user.get("quota") or 0) != quota_from_dovecot(dv_user):
                differ("quota", po_user.get("quota"), dv_user.get("quota_rule"))
            if preset in HOME_ATTRIBUTE and po_user.get("home") != dv_user.get("home"):
                differ("home", po_user.get("home"), dv_user.get("home"))
            if preset not in HOME_ATTRIBUTE and po_user.get("home") is not None:
                differ("home (the preset has none)", po_user.get("home"), None)
            if dv_ok["ok"]:
                user = dv_ok["fields"].get("user", "")
                expected = f"{user}@{domain_of(preset)}" if preset == "posix" else user
                if (po_user.get("address") or "").lower() != expected.lower():
                    differ("address", po_user.get("address"), expected)
        assert not differences, "\n".join(differences)
    finally:
        dovecot.stop()
        slapd.stop()


def test_one_directory_table_alone_is_accepted(slapd: Slapd, tmp_path):
    """A single `[directory.ldap]` table (not an array) configures the same directory."""
    folder = tmp_path / "posta"
    folder.mkdir()
    table = posta_ldap_table(slapd, "inetorgperson", folder).replace("[[directory.ldap]]", "[directory.ldap]")
    site = posta_site(folder, table)
    assert final_recipients(site.address("staff@example.org")) == {"alice@example.org", "bob@example.org"}
    assert site.login("alice@example.org", PASSWORD)["auth"] == "ok"

"""Import from Mailman 3 (docs/lists.md, "Import from Mailman"): a list made on Debian's real
Mailman 3 core (interop/mailman3site.py) through its REST API with non-default settings, its
configuration and rosters fetched from REST (and as `mailman members` text) into files, imported
with `posta list import mailman3` into a Posta site, and then Posta's `list show --json` and
`list member list --json` checked field by field against what Mailman said."""
import base64
import json
import subprocess
import urllib.request
from pathlib import Path

import pytest

import mailman3site
from conftest import POSTA
from mailman3site import Mailman3Site
from mailsite import MailSite
from smtpsink import SMTPSink

LIST = "dept@example.org"
# Non-default settings: members held (announce-like), a subject prefix, replies to the list, From
# munged for every post, digests by size only, a private archive, moderated subscriptions.
SETTINGS = {
    "display_name": "Dept News", "description": "News of the department", "subject_prefix": "[news] ",
    "allow_list_posts": False, "default_member_action": "hold", "default_nonmember_action": "discard",
    "reply_goes_to_list": "point_to_list", "dmarc_mitigate_action": "munge_from",
    "dmarc_mitigate_unconditionally": True, "max_message_size": 200, "max_num_recipients": 7,
    "require_explicit_destination": False, "administrivia": False, "subscription_policy": "moderate",
    "unsubscription_policy": "open", "digest_size_threshold": 50, "digest_send_periodic": False,
    "archive_policy": "private", "send_welcome_message": False, "bounce_score_threshold": 4,
}
# address -> (display name, delivery_mode, delivery_status, moderation_action or None)
MEMBERS = {
    "ann@a.example": ("Ann A", "mime_digests", "enabled", None),
    "bob@b.example": ("", "plaintext_digests", "by_user", None),
    "cat@c.example": ("Cat, the Great", "regular", "enabled", "hold"),
    "dan@d.example": ("Dan", "regular", "by_moderator", None),
}
OWNER, MODERATOR = "own@example.org", "mod@example.org"
MODES = {"regular": "regular", "mime_digests": "mime-digest", "plaintext_digests": "plain-digest"}
STATUS = {"enabled": None, "by_user": "user", "by_moderator": "moderator", "by_bounces": "bounces"}


def get(mailman: Mailman3Site, url: str):
    """A REST GET as the admin (Mailman 3.3 refuses a roster GET that carries a JSON content type)."""
    token = base64.b64encode(f"{mailman.user}:{mailman.password}".encode()).decode()
    if not url.startswith("http"):
        url = mailman.base + url
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Basic {token}"}), timeout=30) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The list on Mailman 3, exported into files: REST JSON and `mailman members` text."""
    assert mailman3site.available(), "Debian's mailman3 is not installed: run .ci/install-packages"
    folder = tmp_path_factory.mktemp("export")
    with SMTPSink() as sink:
        mailman = Mailman3Site(tmp_path_factory.mktemp("mailman3"), sink.port)
        try:
            mailman.start()
            mailman.add_domain("example.org")
            list_id = mailman.add_list(LIST, **SETTINGS)
            mailman.subscribe(list_id, OWNER, "Head Owner", role="owner")
            mailman.subscribe(list_id, MODERATOR, role="moderator")
            for address, (name, mode, status, moderation) in MEMBERS.items():
                path = mailman.subscribe(list_id, address, name)
                mailman.set_preferences(path, delivery_mode=mode, delivery_status=status)
                if moderation:
                    mailman.rest("PATCH", path, {"moderation_action": moderation})
            config = mailman.list_config(list_id)
            (folder / "config.json").write_text(json.dumps(config))
            for role in ("member", "owner", "moderator"):
                roster = get(mailman, f"/lists/{list_id}/roster/{role}")
                # delivery_status is a preference, not a field of the member resource: merged in.
                for entry in roster.get("entries", []):
                    entry["delivery_status"] = get(mailman, entry["self_link"] + "/preferences").get("delivery_status")
                (folder / f"{role}.json").write_text(json.dumps(roster))
            for name, args in {"members.txt": [], "owners.txt": ["-R", "owner"], "moderators.txt": ["-R", "moderator"],
                               "mime.txt": ["-d", "mime"], "plain.txt": ["-d", "plaintext"], "nomail.txt": ["-n", "any"]}.items():
                out = folder / name
                code, text = mailman.mailman("members", *args, "-o", str(out), LIST)
                assert code == 0, text
        finally:
            mailman.stop()
    return folder, config


@pytest.fixture
def posta(tmp_path):
    return MailSite(tmp_path).seed()


def run(site: MailSite, *args) -> subprocess.CompletedProcess:
    return subprocess.run([POSTA, *args, "--config", str(site.config)], capture_output=True, text=True, timeout=120)


def import_json(site: MailSite, folder: Path, *extra) -> dict:
    return json.loads(site.posta("list", "import", "mailman3", LIST, "--list-config", str(folder / "config.json"),
                                 "--members", str(folder / "member.json"), "--owners", str(folder / "owner.json"),
                                 "--moderators", str(folder / "moderator.json"), "--json", *extra))


def check_settings(shown: dict, config: dict) -> None:
    """Posta's list, field by field, against Mailman's configuration."""
    assert shown["displayName"] == config["display_name"]
    assert shown["description"] == config["description"]
    assert shown["subjectPrefix"] == config["subject_prefix"].strip()
    assert (config["allow_list_posts"], config["default_member_action"]) == (False, "hold")
    assert shown["style"] == "announce" and shown["memberAction"] == "hold"
    assert shown["nonmemberAction"] == config["default_nonmember_action"] == "discard"
    assert config["reply_goes_to_list"] == "point_to_list" and shown["replyTo"] == "list"
    assert config["dmarc_mitigate_action"] == "munge_from" and shown["dmarcMitigation"] == "munge"
    assert shown["dmarcAlways"] is config["dmarc_mitigate_unconditionally"] is True
    assert shown["maxSize"] == config["max_message_size"] * 1024
    assert shown["maxRecipients"] == config["max_num_recipients"]
    assert shown["requireExplicitDestination"] is config["require_explicit_destination"] is False
    assert shown["administrivia"] is config["administrivia"] is False
    assert shown["emergency"] is config["emergency"] is False
    assert shown["subscribePolicy"] == config["subscription_policy"] == "moderate"
    assert shown["unsubscribePolicy"] == config["unsubscription_policy"] == "open"
    assert shown["digestSizeThreshold"] == int(config["digest_size_threshold"] * 1024)
    assert config["digest_send_periodic"] is False and shown["digestPeriod"] == "none"
    assert shown["archive"] == config["archive_policy"] == "private"
    assert shown["bounceThreshold"] == config["bounce_score_threshold"]


def check_members(members: list[dict], with_names: bool = True) -> None:
    """Posta's members, owners and moderators against what was subscribed on Mailman."""
    by = {(m["role"], m["address"]): m for m in members}
    assert set(by) == {("member", a) for a in MEMBERS} | {("owner", OWNER), ("moderator", MODERATOR)}
    for address, (name, mode, status, moderation) in MEMBERS.items():
        member = by[("member", address)]
        if with_names:
            assert member["displayName"] == name
        assert member["mode"] == MODES[mode], address
        assert member.get("disabled") == STATUS[status], address
        assert member.get("moderation") == moderation, address
    if with_names:
        assert by[("owner", OWNER)]["displayName"] == "Head Owner"


def test_import_rest_export(exported, posta):
    folder, config = exported
    # A dry run says what would happen and writes nothing.
    dry = import_json(posta, folder, "--dry-run")
    assert dry["dryRun"] and dry["created"] and len(dry["added"]) == len(MEMBERS) + 2
    assert json.loads(posta.posta("list", "list", "--json")) == []

    result = import_json(posta, folder)
    assert result["created"] and not result["refused"] and len(result["added"]) == len(MEMBERS) + 2
    warnings = result["warnings"]
    # Every setting that did not carry over is named, with Mailman's value.
    assert "not imported: send_welcome_message = false" in warnings, warnings
    assert "not imported: advertised = true" in warnings
    assert not any("display_name" in w or "subject_prefix" in w or "posting_address" in w for w in warnings), warnings

    check_settings(json.loads(posta.posta("list", "show", LIST, "--json")), config)
    check_members(json.loads(posta.posta("list", "member", "list", LIST, "--json")))

    # The list exists now: refused without --update; with it, nothing is left to add or change.
    again = run(posta, "list", "import", "mailman3", LIST, "--list-config", str(folder / "config.json"),
                "--members", str(folder / "member.json"))
    assert again.returncode != 0 and "--update" in (again.stdout + again.stderr)
    update = import_json(posta, folder, "--update")
    assert not update["created"] and update["added"] == [] and update["changed"] == [] and update["settings"] == []


def test_import_mailman_members_text(exported, posta):
    """The same list from `mailman members` output: names from the text, digest and no-mail
    members from `members -d mime|plaintext` and `-n any` (moderation is not in that text)."""
    folder, config = exported
    out = posta.posta("list", "import", "mailman3", LIST, "--list-config", str(folder / "config.json"),
                      "--members", str(folder / "members.txt"), "--owners", str(folder / "owners.txt"),
                      "--moderators", str(folder / "moderators.txt"), "--digest-members", str(folder / "mime.txt"),
                      "--plain-digest-members", str(folder / "plain.txt"), "--nomail-members", str(folder / "nomail.txt"))
    assert f"list {LIST} was created" in out and "warning: not imported: send_welcome_message = false" in out, out
    members = json.loads(posta.posta("list", "member", "list", LIST, "--json"))
    by = {(m["role"], m["address"]): m for m in members}
    assert set(by) == {("member", a) for a in MEMBERS} | {("owner", OWNER), ("moderator", MODERATOR)}
    for address, (name, mode, status, _) in MEMBERS.items():
        member = by[("member", address)]
        assert member["displayName"] == name, member
        assert member["mode"] == MODES[mode], address
        # The text roster says only that delivery is off, not who turned it off.
        assert member.get("disabled") == (None if status == "enabled" else "user"), address
    check_settings(json.loads(posta.posta("list", "show", LIST, "--json")), config)

"""Dovecot Pigeonhole (Debian's dovecot-sieve) as the reference Sieve interpreter: `sievec` to
compile, `sieve-test` to run a script against a message, both under a private minimal Dovecot
config in a temp folder (nothing in /etc is read), and the normalized action list that
interop/test_sieve_differential.py compares with `posta sieve test --json`.

How Pigeonhole is run (see Pigeonhole.config):
- mail_uid/mail_gid = nobody: sieve-test refuses root ("Mail access not allowed for root"), so it
  drops to 65534; every folder it reads or writes is world-writable (it saves .svbin next to the
  script; -C forces a fresh compile anyway).
- mail_location = maildir:<run>/Maildir with the folders of MAILBOXES made beforehand, so that
  `mailboxexists` (RFC 5490) has something to find.
- sieve = file:<run>/personal and sieve_global = <run>/global: `include :personal "x"` reads
  <run>/personal/x.sieve and `include :global "x"` <run>/global/x.sieve.
- sieve_extensions adds what Pigeonhole leaves off by default: editheader, vacation-seconds,
  spamtest, spamtestplus, virustest. (Pigeonhole 0.5 has no `ereject`.)
- spamtest/virustest read the score from a header, status type `text` with text_valueN = "N":
  X-Spamtest-Value: N gives spamtest N (1..10), X-Virustest-Value: N gives virustest N (1..5); no
  header is 0, "not tested". The differential test adds the same header to the message for both
  sides and passes Posta `--spam-score N` / `--virus-score N`.
- the envelope is always given: -f FROM, -a/-r TO. sieve-test cannot take a null sender (-f ""
  and -f "<>" are refused, Return-Path: <> falls back to From:), so null-sender cases are Posta-only.

sieve-test without -e prints the actions the script yields without applying any of the vacation
checks (RFC 5230 §4.5 lists, own address in the headers, auto-submitted); `vacation_outcome` runs
it again with -e and reports whether the reply would really go out.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

SIEVE_TEST = shutil.which("sieve-test") or "/usr/bin/sieve-test"
SIEVEC = shutil.which("sievec") or "/usr/bin/sievec"
NOBODY = 65534
DEFAULT_FROM = "sender@example.com"
DEFAULT_TO = "recipient@example.org"
# Folders that exist in the reference mail store: what `mailboxexists` finds.
MAILBOXES = ["INBOX", "Archive", "Lists", "Lists.posta", "Junk"]
SPAM_HEADER = "X-Spamtest-Value"
VIRUS_HEADER = "X-Virustest-Value"

CONFIG = """\
mail_uid = {uid}
mail_gid = {uid}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{root}/Maildir
plugin {{
  sieve = file:{root}/personal
  sieve_global = {root}/global
  sieve_extensions = +editheader +vacation-seconds +spamtest +spamtestplus +virustest
  sieve_spamtest_status_type = text
  sieve_spamtest_status_header = {spam}
{spam_values}
  sieve_virustest_status_type = text
  sieve_virustest_status_header = {virus}
{virus_values}
}}
"""


def available() -> bool:
    return os.path.exists(SIEVE_TEST) and os.path.exists(SIEVEC)


def with_scores(message: bytes, spam: int | None = None, virus: int | None = None) -> bytes:
    """The message with the spamtest/virustest headers both sides read prepended."""
    head = b""
    if spam is not None:
        head += f"{SPAM_HEADER}: {spam}\r\n".encode()
    if virus is not None:
        head += f"{VIRUS_HEADER}: {virus}\r\n".encode()
    if head and b"\r\n" not in message:
        head = head.replace(b"\r\n", b"\n")
    return head + message


class Pigeonhole:
    """One private Dovecot config; each run gets its own folder (personal/global scripts, Maildir)."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="sieveref-"))
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o777)
        self._n = 0

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- plumbing -------------------------------------------------------------------------------

    def _run_folder(self, includes: dict[str, str] | None, global_includes: dict[str, str] | None) -> Path:
        self._n += 1
        run = Path(tempfile.mkdtemp(prefix=f"run{self._n}-", dir=self.root))
        for sub in ("personal", "global", "Maildir"):
            (run / sub).mkdir()
        for name, text in (includes or {}).items():
            (run / "personal" / f"{name}.sieve").write_text(text)
        for name, text in (global_includes or {}).items():
            (run / "global" / f"{name}.sieve").write_text(text)
        for box in MAILBOXES:
            if box != "INBOX":
                d = run / "Maildir" / f".{box}"
                for s in ("cur", "new", "tmp"):
                    (d / s).mkdir(parents=True, exist_ok=True)
                (d / "maildirfolder").touch()
        (run / "Maildir" / "subscriptions").write_text("".join(b + "\n" for b in MAILBOXES if b != "INBOX"))
        for s in ("cur", "new", "tmp"):
            (run / "Maildir" / s).mkdir()
        values = lambda kind, n: "\n".join(f"  sieve_{kind}_text_value{i} = {i}" for i in range(1, n + 1))
        (run / "dovecot.conf").write_text(CONFIG.format(
            uid=NOBODY, root=run, spam=SPAM_HEADER, virus=VIRUS_HEADER,
            spam_values=values("spamtest", 10), virus_values=values("virustest", 5)))
        for dirpath, dirnames, filenames in os.walk(run):
            os.chown(dirpath, NOBODY, NOBODY) if os.geteuid() == 0 else None
            os.chmod(dirpath, 0o777)
            for f in filenames:
                os.chmod(os.path.join(dirpath, f), 0o666)
                if os.geteuid() == 0:
                    os.chown(os.path.join(dirpath, f), NOBODY, NOBODY)
        return run

    def _write(self, run: Path, name: str, data: bytes | str) -> Path:
        p = run / name
        p.write_bytes(data.encode() if isinstance(data, str) else data)
        os.chmod(p, 0o666)
        return p

    # -- the tools --------------------------------------------------------------------------------

    def check(self, script: str) -> dict:
        """sievec: {"compiled": bool, "errors": [first error lines...]}."""
        run = self._run_folder(None, None)
        try:
            sp = self._write(run, "script.sieve", script)
            r = subprocess.run([SIEVEC, "-c", str(run / "dovecot.conf"), str(sp), str(run / "script.svbin")],
                               capture_output=True, text=True, timeout=30)
            errors = compile_errors(r.stderr + r.stdout)
            return {"compiled": r.returncode == 0, "errors": errors}
        finally:
            shutil.rmtree(run, ignore_errors=True)

    def test(self, script: str, message: bytes, env_from: str = DEFAULT_FROM, env_to: str = DEFAULT_TO,
             includes: dict[str, str] | None = None, global_includes: dict[str, str] | None = None,
             execute: bool = False) -> dict:
        """sieve-test: {"compiled", "errors", "actions" (Pigeonhole's, parsed), "runtime_error",
        "raw"}; with execute and a vacation action, a second run with -e gives "vacation":
        {"sent": bool, "why": str}: whether the reply would really be sent."""
        run = self._run_folder(includes, global_includes)
        try:
            sp = self._write(run, "script.sieve", script)
            mp = self._write(run, "message.eml", message)
            argv = [SIEVE_TEST, "-C", "-c", str(run / "dovecot.conf"), "-f", env_from, "-a", env_to, "-r", env_to]
            r = subprocess.run(argv + [str(sp), str(mp)], capture_output=True, text=True, timeout=30)
            out = parse_sieve_test(r.stdout, r.stderr, r.returncode)
            out["raw"] = r.stdout + r.stderr
            if execute and out["compiled"] and any(a.get("action") == "vacation" for a in out["actions"]):
                # -e applies the RFC 5230 checks; its stores may fail (no autocreate in sieve-test)
                # but the vacation verdict is logged either way.
                e = subprocess.run(argv + ["-e", str(sp), str(mp)], capture_output=True, text=True, timeout=30)
                out["vacation"] = vacation_outcome(e.stdout + e.stderr)
            return out
        finally:
            shutil.rmtree(run, ignore_errors=True)


# -- parsing ----------------------------------------------------------------------------------------

_ERR = re.compile(r"^[^:\n]+: (line \d+): error: (.*)$", re.M)


def compile_errors(text: str) -> list[str]:
    """'script: line 3: error: ...' lines as 'line 3: ...' (validation/parse summary lines dropped)."""
    return [f"{m.group(1)}: {m.group(2)}" for m in _ERR.finditer(text)]


def _flags(text: str) -> list[str]:
    return text.split()


def parse_sieve_test(stdout: str, stderr: str, rc: int) -> dict:
    if "failed to compile sieve script" in stderr:
        return {"compiled": False, "errors": compile_errors(stderr), "actions": [], "runtime_error": None}
    runtime_error = None
    m = re.search(r"^(?:[^\n]*: )?error: (.*)$", stderr, re.M)
    if "final result: failed" in stderr:
        runtime_error = m.group(1) if m else "failed"
    actions: list[dict] = []
    section = None
    cur: dict | None = None
    in_body = False
    body: list[str] = []
    for line in stdout.splitlines():
        if in_body:
            if line == "END MESSAGE":
                in_body = False
                if cur is not None:
                    cur["reason"] = "\n".join(body)
            else:
                body.append(line)
            continue
        if line.startswith("Performed actions:"):
            section = "performed"
            continue
        if line.startswith("Implicit keep:"):
            section = "implicit"
            continue
        if line == "START MESSAGE":
            in_body, body = True, []
            continue
        s = line.strip()
        if not s or s == "(none)":
            continue
        if line.startswith(" * "):
            text = line[3:]
            cur = {"raw": text, "implicit": section == "implicit"}
            if text.startswith("store message in folder: "):
                cur.update(action="store", mailbox=text[len("store message in folder: "):], flags=[])
            elif text.startswith("redirect message to: "):
                cur.update(action="redirect", address=text[len("redirect message to: "):].strip("<>"))
            elif text.startswith("reject message with reason: "):
                cur.update(action="reject", reason=text[len("reject message with reason: "):], extended=False)
            elif text.startswith("send vacation message"):
                cur.update(action="vacation")
            elif text == "discard":
                cur.update(action="discard")
            elif text.startswith("track ") and "duplicate" in text:
                cur.update(action="track-duplicate")
            else:
                cur.update(action="other")
            actions.append(cur)
            continue
        if cur is None:
            continue
        if s.startswith("+ add IMAP flags:"):
            cur["flags"] = _flags(s[len("+ add IMAP flags:"):])
        elif s.startswith("+ create mailbox"):
            cur["create"] = True
        elif s.startswith("+ preserve implicit keep"):
            cur["copy"] = True
        elif s.startswith("=> "):
            k, _, v = s[3:].partition(":")
            cur[k.strip()] = v.strip()
    return {"compiled": True, "errors": [], "actions": actions, "runtime_error": runtime_error}


def vacation_outcome(text: str) -> dict | None:
    m = re.search(r"vacation action: (sent vacation response[^\n]*|discarding vacation response[^\n]*)", text)
    if not m:
        m2 = re.search(r"vacation action: ([^\n]*)", text)
        return {"sent": False, "why": m2.group(1)} if m2 else None
    return {"sent": m.group(1).startswith("sent"), "why": m.group(1)}


# -- normalization (both sides) --------------------------------------------------------------------

def _norm_flags(flags) -> list[str]:
    out = set()
    for f in flags or []:
        for part in str(f).split():
            out.add(part.lower())
    return sorted(out)


def _norm_mailbox(box: str) -> str:
    return "INBOX" if box.upper() == "INBOX" else box


def _norm_reason(text: str) -> str:
    """sieve-test prints the reject reason on one line with each control character as '?' (so a
    text: reason's CRLFs become '??'): both sides get runs of control characters and '?' as one
    '?', without a trailing one."""
    return re.sub(r"[\x00-\x1f?]+", "?", text or "").rstrip("?")


def _vacation(a: dict, explicit_handle: bool, compare_reason: bool = True) -> str:
    parts = [f"seconds={a.get('seconds')}", f"subject={a.get('subject')!r}"]
    if a.get("from"):
        parts.append(f"from={a['from']}")
    if explicit_handle and a.get("handle") is not None:
        parts.append(f"handle={a['handle']}")
    if compare_reason:
        reason = (a.get("reason") or "").replace("\r\n", "\n").strip("\n")
        parts.append(f"reason={reason!r}")
    return "vacation " + " ".join(parts)


def canonical(actions: list[dict], runtime_error=None, explicit_handle: bool = False) -> list[str]:
    """Either side's action list as sorted strings: 'store BOX [flags]', 'redirect ADDR',
    'reject REASON', 'ereject REASON', 'vacation …', plus 'runtime-error' when execution failed.
    keep, fileinto and the implicit keep all become 'store' (Pigeonhole prints them alike);
    discard and duplicate tracking leave no trace (what discard does shows as the missing keep)."""
    out = []
    for a in actions:
        kind = a.get("action")
        if kind in ("keep", "store", "fileinto"):
            box = _norm_mailbox(a.get("mailbox") or "INBOX")
            flags = _norm_flags(a.get("flags"))
            out.append(f"store {box}" + (f" flags={','.join(flags)}" if flags else ""))
        elif kind == "redirect":
            out.append(f"redirect {a.get('address', '').strip('<>')}")
        elif kind == "reject":
            out.append(f"{'ereject' if a.get('extended') else 'reject'} {_norm_reason(a.get('reason', ''))}")
        elif kind == "vacation":
            out.append(_vacation(a, explicit_handle))
        elif kind in ("discard", "track-duplicate"):
            continue
        else:
            out.append(f"{kind} {a.get('raw', '')}".strip())
    if runtime_error:
        # RFC 5228 2.10.6: a run-time error means the implicit keep; what was planned before it
        # is not compared (Pigeonhole discards it all).
        return ["runtime-error"]
    return sorted(out)


def reference_outcome(ph: dict, script: str) -> dict:
    """Pigeonhole's parsed result → the compared outcome."""
    if not ph["compiled"]:
        return {"compiled": False, "first_error_line": first_line(ph["errors"]), "actions": []}
    return {"compiled": True, "actions": canonical(ph["actions"], ph["runtime_error"],
                                                   explicit_handle=":handle" in script)}


def posta_outcome(js: dict, script: str) -> dict:
    if not js.get("compiled"):
        return {"compiled": False, "first_error_line": first_line(js.get("errors") or []), "actions": []}
    return {"compiled": True, "actions": canonical(js.get("actions") or [], js.get("runtime_error"),
                                                   explicit_handle=":handle" in script)}


def first_line(errors: list[str]) -> int | None:
    for e in errors:
        m = re.search(r"line (\d+)", e)
        if m:
            return int(m.group(1))
    return None

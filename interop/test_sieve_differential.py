"""Posta's Sieve interpreter against Dovecot Pigeonhole (sievec/sieve-test, interop/sieveref.py) on
the corpus in interop/data/sieve/cases.toml: RFC 5228 and the extension RFCs' examples, per-section
cases, scripts as Roundcube/Thunderbird/Nextcloud write them, and refusals.

- test_reference_corpus: every case gives, in Pigeonhole, the outcome written down in the index
  (`expect` / `expect_compiled`): the corpus itself is checked, no Posta needed.
- test_posta_agrees: `posta sieve test … --json` (or `posta sieve check`) gives Pigeonhole's outcome,
  or, for a case listed as a justified difference (`difference` + `posta_expect`), the behaviour
  documented in docs/sieve-differences.md. Cases marked `posta = "not-comparable…"` without a
  `posta_expect` are skipped.

Outcomes are compared as canonical sorted action lists (sieveref.canonical): keep/fileinto/implicit
keep are `store BOX flags=…`, then `redirect`, `reject`, `ereject`, `vacation …`; a run-time error
is just `runtime-error`. Spam/virus scores go to Pigeonhole as an X-Spamtest-Value /
X-Virustest-Value header added to the message, and to Posta as --spam-score/--virus-score with the
same message (header included).

All Posta and Pigeonhole runs happen once per module, in a thread pool, so the file takes seconds.
"""
from __future__ import annotations

import json
import os
import subprocess
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import sieveref
from sieveref import DEFAULT_FROM, DEFAULT_TO, Pigeonhole, posta_outcome, reference_outcome, with_scores

DATA = Path(__file__).parent / "data" / "sieve"
CASES = tomllib.loads((DATA / "cases.toml").read_text())["case"]
BY_ID = {c["id"]: c for c in CASES}



def script_text(case) -> str:
    return (DATA / "scripts" / case["script"]).read_text()


def message_bytes(case) -> bytes:
    raw = (DATA / "messages" / case["message"]).read_bytes()
    return with_scores(raw, case.get("spam"), case.get("virus"))


def includes(case, key) -> dict[str, str]:
    return {name: (DATA / "scripts" / f).read_text() for name, f in (case.get(key) or {}).items()}


def comparable_in_pigeonhole(case) -> bool:
    return case.get("mode") == "check" or case.get("from", DEFAULT_FROM) != ""


def run_reference(ph: Pigeonhole, case) -> dict:
    script = script_text(case)
    if case.get("mode") == "check":
        r = ph.check(script)
        return {"compiled": r["compiled"], "first_error_line": sieveref.first_line(r["errors"]),
                "errors": r["errors"]}
    r = ph.test(script, message_bytes(case), case.get("from", DEFAULT_FROM), case.get("to", DEFAULT_TO),
                includes(case, "includes"), includes(case, "global_includes"),
                execute="vacation_sent" in case)
    out = reference_outcome(r, script)
    out["errors"] = r["errors"]
    out["runtime_error"] = r["runtime_error"]
    if r.get("vacation"):
        out["vacation_sent"] = r["vacation"]["sent"]
    return out


def run_posta(posta: str, folder: Path, case) -> dict:
    script = DATA / "scripts" / case["script"]
    if case.get("mode") == "check":
        argv = [posta, "sieve", "check", str(script), "--json"]
    else:
        msg = folder / f"{case['id']}.eml"
        msg.write_bytes(message_bytes(case))
        argv = [posta, "sieve", "test", str(script), str(msg), "--json",
                "--from", case.get("from", DEFAULT_FROM), "--to", case.get("to", DEFAULT_TO)]
        for key, flag in (("includes", "--include-dir"), ("global_includes", "--global-dir")):
            scripts = includes(case, key)
            if scripts:
                where = folder / case["id"] / key
                where.mkdir(parents=True, exist_ok=True)
                for name, text in scripts.items():
                    (where / f"{name}.sieve").write_text(text)
                argv += [flag, str(where)]
        for box in sieveref.MAILBOXES:  # the folders Pigeonhole's mail store has (mailboxexists)
            if box != "INBOX":
                argv += ["--mailbox", box]
        if case.get("spam") is not None:
            argv += ["--spam-score", str(case["spam"])]
        if case.get("virus") is not None:
            argv += ["--virus-score", str(case["virus"])]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    try:
        js = json.loads(r.stdout)
    except ValueError:
        return {"failed": f"exit {r.returncode}, no JSON: {(r.stderr or r.stdout)[-400:]}"}
    if case.get("mode") == "check":
        errors = js.get("errors") or []
        return {"compiled": bool(js.get("compiled")), "first_error_line": sieveref.first_line(errors),
                "errors": errors}
    out = posta_outcome(js, script.read_text())
    vacations = [a for a in js.get("actions") or [] if a.get("action") == "vacation"]
    if vacations:
        out["vacation_sent"] = vacations[0].get("sent")
    out["errors"] = js.get("errors") or []
    out["runtime_error"] = js.get("runtime_error")
    return out


@pytest.fixture(scope="module")
def reference():
    assert sieveref.available(), "dovecot-sieve (sieve-test, sievec) is not installed: run .ci/install-packages"
    # Its own folder under /tmp: sieve-test runs as nobody, who cannot enter pytest's 0700 basetemp.
    with Pigeonhole() as ph:
        cases = [c for c in CASES if comparable_in_pigeonhole(c)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = dict(zip([c["id"] for c in cases], pool.map(lambda c: run_reference(ph, c), cases)))
    return results


@pytest.fixture(scope="module")
def posta_results(tmp_path_factory):
    from conftest import POSTA
    folder = tmp_path_factory.mktemp("posta-sieve")
    probe = subprocess.run([POSTA, "sieve", "test", "--help"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        pytest.fail(f"`posta sieve test` is not there yet: {(probe.stderr or probe.stdout)[-300:]}")
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip([c["id"] for c in CASES], pool.map(lambda c: run_posta(POSTA, folder, c), CASES)))


def expected_reference(case) -> dict:
    if case.get("mode") == "check" or "expect_compiled" in case and not case["expect_compiled"]:
        return {"compiled": case.get("expect_compiled", True)}
    return {"compiled": True, "actions": case["expect"]}


@pytest.mark.parametrize("case_id", [c["id"] for c in CASES if comparable_in_pigeonhole(c)])
def test_reference_corpus(reference, case_id):
    """Pigeonhole gives the outcome the index records (the corpus is what we think it is)."""
    case, got = BY_ID[case_id], reference[case_id]
    want = expected_reference(case)
    assert got["compiled"] == want["compiled"], f"{case_id}: Pigeonhole compiled={got['compiled']}: {got.get('errors')}"
    if "actions" in want:
        assert got["actions"] == want["actions"], f"{case_id}: Pigeonhole gave {got['actions']}"
    if "vacation_sent" in case:
        assert got.get("vacation_sent") == case["vacation_sent"], f"{case_id}: sieve-test -e vacation verdict"


def describe(side: dict) -> str:
    if side.get("failed"):
        return side["failed"]
    if not side["compiled"]:
        return f"refused (first error line {side.get('first_error_line')}: {side.get('errors', [''])[:1]})"
    extra = f" runtime_error={side.get('runtime_error')!r}" if side.get("runtime_error") else ""
    return f"{side.get('actions', 'compiled')}{extra}"


@pytest.mark.parametrize("case_id", [c["id"] for c in CASES])
def test_posta_agrees(reference, posta_results, case_id):
    case, posta = BY_ID[case_id], posta_results[case_id]
    note = case.get("posta", "")
    if "posta_expect" in case:
        # A documented difference (or a case Pigeonhole cannot run): Posta does what the docs say.
        assert not posta.get("failed"), posta["failed"]
        assert posta["compiled"], f"{case_id}: Posta refused: {posta.get('errors')}"
        assert posta["actions"] == case["posta_expect"], (
            f"{case_id}: Posta {describe(posta)}; documented: {case['posta_expect']} ({case.get('difference', note)})")
        return
    if "posta_vacation_sent" in case:
        # A case Pigeonhole cannot run: whether Posta would send the reply is what is asserted.
        assert not posta.get("failed"), posta["failed"]
        assert posta.get("vacation_sent") == case["posta_vacation_sent"], (case_id, posta)
        return
    assert not note.startswith("not-comparable"), f"{case_id}: a case must be compared or assert Posta's behaviour"
    ref = reference[case_id]
    assert not posta.get("failed"), posta["failed"]
    assert posta["compiled"] == ref["compiled"], f"{case_id}: Posta {describe(posta)}; Pigeonhole {describe(ref)}"
    if not ref["compiled"]:
        if "posta_error_line" in case:
            # A documented difference: Posta names the line where the unterminated token began.
            assert posta["first_error_line"] == case["posta_error_line"], (case_id, posta["errors"][:1])
        elif posta.get("first_error_line") and ref.get("first_error_line"):
            assert posta["first_error_line"] == ref["first_error_line"], (
                f"{case_id}: first error on line {posta['first_error_line']} (Posta: {posta['errors'][:1]}) "
                f"vs {ref['first_error_line']} (Pigeonhole: {ref['errors'][:1]})")
        return
    if case.get("mode") == "check":
        return
    assert posta["actions"] == ref["actions"], f"{case_id}: Posta {describe(posta)}; Pigeonhole {describe(ref)}"
    if "vacation_sent" in ref:
        assert posta.get("vacation_sent") == ref["vacation_sent"], (
            f"{case_id}: Posta would {'' if posta.get('vacation_sent') else 'not '}send the vacation reply; Pigeonhole "
            f"would {'' if ref['vacation_sent'] else 'not '}")

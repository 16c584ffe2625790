"""The hostile HTML corpus (Tests/HTMLTests/Resources/hostile, one attack per file) as mail, each
message opened in the webmail in headless Chromium. For every vector: no script ran (no alert,
nothing set on the page, no script element, event handler or javascript: URL left in the frame),
no request left for another host (a recording proxy gets every non-loopback request), and nothing
drew outside the message frame (no fixed, absolute or sticky element in it, nothing placed before
its top-left corner, the frame where the page put it)."""
from pathlib import Path

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from consolebrowser import screenshot
from webmailbrowser import (  # noqa: F401 (fixtures)
    deliver, mail_shots, mail_site, open_message, remote_hosts, wait_until, webmail_browser, webmail_login)

CORPUS = Path(__file__).resolve().parent.parent / "Tests" / "HTMLTests" / "Resources" / "hostile"

# What a frame's document must not hold after sanitising, checked in the browser's own parse of it.
FRAME_CHECK = """
var bad = [];
document.querySelectorAll('*').forEach(function (e) {
  var tag = e.tagName.toLowerCase();
  if (['script', 'iframe', 'object', 'embed', 'form', 'base', 'meta', 'link', 'svg', 'math', 'frame', 'frameset',
       'input', 'button', 'textarea', 'select', 'template', 'noscript', 'portal', 'applet'].indexOf(tag) >= 0
      && !(tag === 'meta' && e.parentNode === document.head) ) { bad.push('element ' + tag); }
  Array.prototype.forEach.call(e.attributes, function (a) {
    var name = a.name.toLowerCase(), value = a.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
    if (name.indexOf('on') === 0) { bad.push('handler ' + name); }
    if (/^(javascript|vbscript|livescript):/.test(value) || /^data:(?!image\\/(png|gif|jpeg|webp);base64,)/.test(value)
        && ['href', 'src', 'action', 'formaction', 'background', 'poster', 'xlink:href', 'data'].indexOf(name) >= 0) {
      bad.push('url ' + name + '=' + a.value.slice(0, 40));
    }
  });
  var style = getComputedStyle(e);
  if (['fixed', 'absolute', 'sticky'].indexOf(style.position) >= 0) { bad.push('position ' + style.position + ' on ' + tag); }
  var rect = e.getBoundingClientRect();
  if (rect.width > 0 && rect.height > 0 && (rect.left < -1 || rect.top < -1)) { bad.push('placed outside at ' + tag); }
});
if (typeof window.pwned !== 'undefined') { bad.push('window.pwned set'); }
return bad;
"""


def test_hostile_corpus_in_the_browser(mail_site, webmail_browser, remote_hosts, mail_shots):
    site, driver, base = mail_site, webmail_browser, mail_site.base
    vectors = sorted(CORPUS.glob("*.html"))
    assert len(vectors) >= 60, CORPUS
    for vector in vectors:
        body = vector.read_bytes()
        message = (f"From: Attacker <attacker@example.net>\r\nTo: alice@example.org\r\nSubject: {vector.stem}\r\n"
                   "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                   ).encode() + body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + b"\r\n"
        deliver(site, "alice@example.org", message)
    site.wait_for_messages("alice@example.org", len(vectors), timeout=60)
    webmail_login(driver, base, "alice@example.org")
    driver.get(base + "/mail/list?folder=INBOX&sort=subject&dir=asc")
    failures = {}
    expected_frame = None
    for vector in vectors:
        driver.get(base + "/mail/search?folder=INBOX&subject=" + vector.stem)
        open_message(driver, vector.stem)
        problems = []
        frame = driver.find_element(By.CSS_SELECTOR, "iframe.html-body")
        rect = (frame.rect["x"], frame.rect["width"], frame.rect["height"])
        expected_frame = expected_frame or rect
        if rect != expected_frame:
            problems.append(f"frame moved or resized: {rect} != {expected_frame}")
        driver.switch_to.frame(frame)
        wait_until(driver, lambda: driver.execute_script("return document.readyState") == "complete")
        problems += driver.execute_script(FRAME_CHECK)
        driver.switch_to.default_content()
        try:
            alert = driver.switch_to.alert
            problems.append(f"alert: {alert.text}")
            alert.dismiss()
        except NoAlertPresentException:
            pass
        if driver.execute_script("return typeof window.pwned") != "undefined":
            problems.append("window.pwned set on the page")
        left = remote_hosts.take()
        if left:
            problems.append(f"requests to other hosts: {left}")
        if problems:
            failures[vector.name] = problems
            screenshot(driver, mail_shots, f"hostile-{vector.stem}")
    assert not failures, failures
    screenshot(driver, mail_shots, "16-hostile-last-vector")

"""The admin console in a real browser, for the tests that drive it: Debian's chromium through
chromium-driver, driven by Selenium; screenshots at desktop and phone widths; logging in and out,
filling a form, reading the flash message."""
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

DESKTOP = (1366, 900)
PHONE = (390, 844)


def chromium(*extra_args: str):
    """Headless Debian chromium through chromium-driver, desktop-sized, with `extra_args`."""
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--ignore-certificate-errors",
                "--disable-gpu", "--hide-scrollbars", f"--window-size={DESKTOP[0]},{DESKTOP[1]}", *extra_args):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture
def browser():
    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture
def shots(tmp_path_factory) -> Path:
    folder = tmp_path_factory.getbasetemp() / "admin-console-screenshots"
    folder.mkdir(exist_ok=True)
    print(f"\nadmin console screenshots: {folder}")
    return folder


def screenshot(driver, shots: Path, name: str) -> None:
    """The whole page at both widths (the window grows to the page's height)."""
    for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
        driver.set_window_size(width, height)
        full = driver.execute_script("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")
        driver.set_window_size(width, max(height, min(int(full) + 20, 6000)))
        driver.save_screenshot(str(shots / f"{name}-{label}.png"))
    driver.set_window_size(*DESKTOP)


def no_script_ran(driver) -> None:
    assert driver.execute_script("return typeof window.pwned") == "undefined"


def click_and_wait(driver, button) -> None:
    """Submits through `button` and waits for the next page to replace this one."""
    driver.execute_script("window.oldPage = true")

    def loaded(d) -> bool:
        try:
            return d.execute_script("return window.oldPage === undefined && document.readyState === 'complete'")
        except Exception:
            return False
    button.click()
    WebDriverWait(driver, 15).until(loaded)


def log_in(driver, base: str, login: str, password: str) -> None:
    driver.get(base + "/admin/login")
    driver.find_element(By.ID, "login").send_keys(login)
    driver.find_element(By.ID, "password").send_keys(password)
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def log_out(driver) -> None:
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/admin/logout'] button"))
    assert driver.current_url.endswith("/admin/login")


def submit(driver, form_action: str, fields: dict[str, str]) -> None:
    form = driver.find_element(By.CSS_SELECTOR, f"form[action='{form_action}']")
    for name, value in fields.items():
        element = form.find_element(By.NAME, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def flash(driver) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, ".flash")
    assert found, driver.page_source[:3000]
    return found[0].text

"""The person's side of the MCP OAuth flow test: headless Chromium that signs in on the emulator's
development page, checks and screenshots the consent page, and presses Allow."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flow_support import CallbackServer, FlowFailure, require
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

CLIENT_NAME = "KloudHub flow test"
SIGN_IN_PATH = "/dev/sign-in"
ALLOW_BUTTON = 'button[name="decision"][value="allow"]'
DENY_BUTTON = 'button[name="decision"][value="deny"]'
PAGE_WAIT_SECONDS = 20.0


class ConsentBrowser:
    """Headless Chromium with a throwaway profile, driven by the Debian chromedriver.

    Selenium Manager is never consulted (it would download a driver): the driver's path is given
    to `Service`, and the browser's to the options.
    """

    def __init__(self, *, chromium: str, chromedriver: str, screenshot: Path, name: str, email: str) -> None:
        self.screenshot = screenshot
        self.name = name
        self.email = email
        self.observed: dict[str, Any] = {}
        self._profile = tempfile.mkdtemp(prefix="kloudhub-flow-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for argument in (
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--user-data-dir={self._profile}",
            "--window-size=1000,900", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            # Only loopback traffic is wanted: no update checks, sync, translation or other
            # background requests to Google's services.
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-domain-reliability", "--disable-features=Translate,OptimizationHints,MediaRouter",
        ):
            options.add_argument(argument)
        try:
            self._driver: WebDriver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
        except WebDriverException as error:
            shutil.rmtree(self._profile, ignore_errors=True)
            raise FlowFailure(f"headless Chromium did not start ({chromium}, {chromedriver}): {error.msg}") from error

    def authorize(self, url: str, callback: CallbackServer) -> None:
        """Signs in on the development page, checks and screenshots the consent page, presses Allow."""
        driver = self._driver
        try:
            driver.get(url)
            self._wait_for(f"the sign-in page (after GET {urlsplit(url).path})", "input[name='email']")
            self._sign_in()
            self._wait_for("the consent page after signing in", ALLOW_BUTTON)
            self._check_consent_page()
            driver.find_element(By.CSS_SELECTOR, ALLOW_BUTTON).click()
            WebDriverWait(driver, PAGE_WAIT_SECONDS).until(lambda _: callback.has_received)
        except TimeoutException as error:
            self._save_failure_screenshot()
            raise FlowFailure(f"the browser never reached the callback after Allow; {self.describe()}") from error
        except FlowFailure:
            self._save_failure_screenshot()
            raise

    def _sign_in(self) -> None:
        page = urlsplit(self._driver.current_url)
        query = parse_qs(page.query)
        require(
            page.path == SIGN_IN_PATH and "redirect_url" in query,
            f"a browser that is not signed in was not sent to {SIGN_IN_PATH}?redirect_url=...; {self.describe()}",
        )
        self.observed["sign_in_page"] = page.path
        self.observed["sign_in_returns_to"] = urlsplit(query["redirect_url"][0]).path
        email = self._driver.find_element(By.CSS_SELECTOR, "input[name='email']")
        name = self._driver.find_element(By.CSS_SELECTOR, "input[name='name']")
        for element, value in ((name, self.name), (email, self.email)):
            element.clear()
            element.send_keys(value)
        form = email.find_element(By.XPATH, "./ancestor::form")
        form.find_element(By.CSS_SELECTOR, "button[type='submit'], input[type='submit'], button:not([type])").click()

    def _check_consent_page(self) -> None:
        driver = self._driver
        self.screenshot.parent.mkdir(parents=True, exist_ok=True)
        require(driver.save_screenshot(str(self.screenshot)), f"no screenshot could be written to {self.screenshot}")
        text = driver.find_element(By.TAG_NAME, "body").text
        require(CLIENT_NAME in text, f"the consent page does not name the client {CLIENT_NAME!r}; {self.describe()}")
        require(bool(driver.find_elements(By.CSS_SELECTOR, DENY_BUTTON)), "the consent page has no Deny button")
        self.observed["consent_page"] = urlsplit(driver.current_url).path
        self.observed["consent_title"] = driver.title
        self.observed["consent_screenshot"] = str(self.screenshot)

    def _wait_for(self, what: str, selector: str) -> None:
        try:
            WebDriverWait(self._driver, PAGE_WAIT_SECONDS).until(
                lambda driver: driver.find_elements(By.CSS_SELECTOR, selector)
            )
        except TimeoutException as error:
            raise FlowFailure(f"{what} never showed ({selector} not found); {self.describe()}") from error

    def describe(self) -> str:
        """Where the browser is and what it shows, for failure messages (the query is left out)."""
        try:
            url = urlsplit(self._driver.current_url)
            body = " ".join(self._driver.find_element(By.TAG_NAME, "body").text.split())[:300]
            return f"the browser is at {url.scheme}://{url.netloc}{url.path} ({self._driver.title!r}): {body!r}"
        except WebDriverException:
            return "the browser's page could not be read"

    def _save_failure_screenshot(self) -> None:
        try:
            path = self.screenshot.with_name(self.screenshot.stem + "-failure.png")
            path.parent.mkdir(parents=True, exist_ok=True)
            if self._driver.save_screenshot(str(path)):
                print(f"mcp_oauth_flow: the browser's page at the failure: {path}", file=sys.stderr)
        except (OSError, WebDriverException):
            pass

    def close(self) -> None:
        try:
            self._driver.quit()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)

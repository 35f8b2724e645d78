"""KloudHub's whole MCP OAuth connector flow, driven as a real MCP client drives it.

The official Python `mcp` SDK (2.3.0) connects to `<base-url>/mcp` with its OAuth client: the
401 challenge sends it to the protected-resource metadata, the authorization server metadata,
dynamic registration, the authorization endpoint and the code exchange. A person's part is
played by headless Chromium: it signs in on the emulator's development sign-in page, screenshots
the consent page and presses Allow. Then the SDK refreshes an expired access token (the refresh
token must rotate), and the refresh token is revoked at the revocation endpoint, after which the
access token of its family must be refused.

    .venv/bin/python Tests/FunctionTests/Python/mcp_oauth_flow.py \
        --base-url http://127.0.0.1:3000 --screenshot .build/consent.png

Exit status 0 only when every step worked; stdout then holds one JSON object of what was
observed. Failures are explained on stderr. No token or code is ever printed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import anyio.to_thread
import httpx2
from consent_browser import CLIENT_NAME, PAGE_WAIT_SECONDS, ConsentBrowser
from flow_support import (
    CallbackServer,
    FlowFailure,
    MemoryTokenStorage,
    RawMetadata,
    RequestTrace,
    fetch_metadata,
    require,
)
from mcp import ClientSession
from mcp.client.auth import AuthorizationCodeResult, OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import OAuthClientMetadata
from pydantic import AnyUrl

HTTP_TIMEOUT_SECONDS = 30.0


# MARK: - The flow


@dataclass
class Flow:
    """One run: the SDK's client, the browser, the callback server and what they observed."""

    base_url: str
    browser: ConsentBrowser
    callback: CallbackServer
    storage: MemoryTokenStorage = field(default_factory=MemoryTokenStorage)
    trace: RequestTrace = field(default_factory=RequestTrace)
    metadata: RawMetadata | None = None
    authorizations: int = 0
    observed: dict[str, Any] = field(default_factory=dict)

    @property
    def mcp_url(self) -> str:
        return self.base_url + "/mcp"

    def provider(self) -> OAuthClientProvider:
        metadata = OAuthClientMetadata(
            client_name=CLIENT_NAME,
            redirect_uris=[AnyUrl(self.callback.redirect_uri)],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        )
        return OAuthClientProvider(
            server_url=self.mcp_url,
            client_metadata=metadata,
            storage=self.storage,
            redirect_handler=self.redirect_handler,
            callback_handler=self.callback_handler,
        )

    async def redirect_handler(self, authorization_url: str) -> None:
        self.authorizations += 1
        if self.authorizations > 1:
            refreshes = [entry["status"] for entry in self.trace.exchanges if entry.get("grant_type") == "refresh_token"]
            raise FlowFailure(
                "the SDK asked the person to authorize again: the tokens it held stopped working "
                f"(refresh requests answered {refreshes or 'none'}; a failed refresh falls back to authorization)"
            )
        parts = urlsplit(authorization_url)
        self.observed["authorization_endpoint"] = f"{parts.scheme}://{parts.netloc}{parts.path}"
        self.observed["scopes_requested"] = parse_qs(parts.query).get("scope", [""])[0].split()
        await anyio.to_thread.run_sync(self.browser.authorize, authorization_url, self.callback)

    async def callback_handler(self) -> AuthorizationCodeResult:
        parameters = await anyio.to_thread.run_sync(self.callback.wait, PAGE_WAIT_SECONDS)
        require(
            "error" not in parameters,
            f"the authorization answered error={parameters.get('error')!r} "
            f"({parameters.get('error_description', '')!r})",
        )
        require(bool(parameters.get("code")), "the callback carried no code")
        async with httpx2.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
            self.metadata = await fetch_metadata(http, self.trace.challenge)
        require(
            parameters.get("iss") == self.metadata.issuer,
            f"the callback's iss {parameters.get('iss')!r} is not the metadata's issuer {self.metadata.issuer!r}",
        )
        self.observed["callback_iss_is_issuer"] = True
        return AuthorizationCodeResult(code=parameters["code"], state=parameters.get("state"), iss=parameters["iss"])

    async def run(self) -> dict[str, Any]:
        provider = self.provider()
        hooks = {"response": [self.trace.record]}
        async with httpx2.AsyncClient(auth=provider, timeout=HTTP_TIMEOUT_SECONDS, event_hooks=hooks) as http:
            async with streamable_http_client(self.mcp_url, http_client=http) as (read_stream, write_stream):
                async with ClientSession(read_stream, write_stream) as session:
                    await self.connect(session)
                    await self.refresh(session, provider)
        async with httpx2.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
            await self.revoke(http)
        self.observed["requests"] = self.trace.exchanges
        return self.observed

    async def connect(self, session: ClientSession) -> None:
        """Discovery from the 401, registration, authorization, code exchange, then MCP itself."""
        initialized = await session.initialize()
        tools = await session.list_tools()
        require(self.authorizations == 1, "the SDK reached the MCP server without the authorization step")
        require(bool(self.trace.exchanges) and self.trace.exchanges[0]["status"] == 401,
                "the first request to /mcp without a token was not answered 401")
        client = self.storage.client_info
        tokens = self.storage.tokens
        require(client is not None and tokens is not None, "the SDK finished without client or tokens")
        assert client is not None and tokens is not None and self.metadata is not None
        require(client.token_endpoint_auth_method == "none",
                f"registration answered token_endpoint_auth_method {client.token_endpoint_auth_method!r}, not 'none'")
        self.observed.update(
            issuer=self.metadata.issuer,
            client_id=client.client_id,
            token_endpoint_auth_method=client.token_endpoint_auth_method,
            scopes_granted=(tokens.scope or "").split(),
            access_token_expires_in=tokens.expires_in,
            has_refresh_token=tokens.refresh_token is not None,
            server_name=initialized.server_info.name,
            server_version=initialized.server_info.version,
            protocol_version=initialized.protocol_version,
            tool_count=len(tools.tools),
            tools=[tool.name for tool in tools.tools],
        )
        require(tokens.refresh_token is not None, "the code exchange issued no refresh token")

    async def refresh(self, session: ClientSession, provider: OAuthClientProvider) -> None:
        """Expires the access token in the provider's view, so its next request refreshes first.

        The provider reads stored tokens once, and decides with `context.is_token_valid()`, which
        compares `context.token_expiry_time` (set from `expires_in` at the exchange) with the clock.
        """
        before = self.storage.tokens
        assert before is not None
        mark = self.trace.mark()
        provider.context.token_expiry_time = time.time() - 1
        tools = await session.list_tools()
        after = self.storage.tokens
        assert after is not None
        refreshes = [entry for entry in self.trace.since(mark) if entry.get("grant_type") == "refresh_token"]
        require(bool(refreshes), "the SDK made no refresh_token request for an expired access token")
        require(refreshes[0]["status"] == 200, f"the refresh was answered {refreshes[0]['status']}")
        require(after.access_token != before.access_token, "the refresh returned the same access token")
        require(after.refresh_token is not None and after.refresh_token != before.refresh_token,
                "the refresh token was not rotated")
        self.observed["refresh"] = {
            "worked": True,
            "refresh_token_rotated": True,
            "tool_count_after": len(tools.tools),
            "scopes_after": (after.scope or "").split(),
        }

    async def revoke(self, http: httpx2.AsyncClient) -> None:
        """Revokes the refresh token and shows that its family's access token is refused."""
        assert self.metadata is not None and self.storage.tokens is not None and self.storage.client_info is not None
        tokens, client_id = self.storage.tokens, self.storage.client_info.client_id
        endpoint = self.metadata.server.get("revocation_endpoint")
        require(isinstance(endpoint, str), "the authorization server metadata has no revocation_endpoint")
        before = await self.post_mcp(http, tokens.access_token)
        require(before.status_code == 200, f"the access token did not work before revocation ({before.status_code})")
        revoked = await http.post(endpoint, data={"token": tokens.refresh_token or "", "client_id": client_id})
        require(revoked.status_code == 200, f"POST {endpoint} answered {revoked.status_code}, not 200")
        after = await self.post_mcp(http, tokens.access_token)
        require(after.status_code == 401,
                f"the revoked family's access token was answered {after.status_code} at /mcp, not 401")
        challenge = after.headers.get("www-authenticate", "")
        require(challenge.lower().startswith("bearer"), f"the 401 after revocation challenged {challenge!r}")
        refreshed = await http.post(
            str(self.metadata.server["token_endpoint"]),
            data={"grant_type": "refresh_token", "refresh_token": tokens.refresh_token or "", "client_id": client_id},
        )
        error = refreshed.json().get("error") if refreshed.headers.get("content-type", "").startswith(
            "application/json") else None
        require(refreshed.status_code == 400 and error == "invalid_grant",
                f"the revoked refresh token was answered {refreshed.status_code} {error!r}, not 400 invalid_grant")
        self.observed["revocation"] = {
            "worked": True,
            "endpoint": urlsplit(endpoint).path,
            "access_token_before": before.status_code,
            "access_token_after": after.status_code,
            "refresh_token_after": f"{refreshed.status_code} {error}",
        }

    async def post_mcp(self, http: httpx2.AsyncClient, access_token: str) -> httpx2.Response:
        """An MCP `initialize` sent by hand with a given bearer token, outside the SDK's auth."""
        message = {
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                       "clientInfo": {"name": "kloudhub-flow-test", "version": "1"}},
        }
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json, text/event-stream"}
        return await http.post(self.mcp_url, json=message, headers=headers)


# MARK: - Command line


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Drive KloudHub's MCP OAuth flow with the mcp SDK and Chromium.")
    parser.add_argument("--base-url", required=True, help="the emulator's API Gateway, e.g. http://127.0.0.1:3000")
    parser.add_argument("--screenshot", required=True, type=Path, help="where the consent page's PNG goes")
    parser.add_argument("--name", default="Flow Tester", help="the name entered on the sign-in page")
    parser.add_argument("--email", default="flow-tester@example.com", help="the email entered on the sign-in page")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds the whole flow may take")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the browser (Debian's chromium)")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver", help="Debian's chromium-driver")
    arguments = parser.parse_args(argv)
    arguments.base_url = arguments.base_url.rstrip("/")
    return arguments


async def run(arguments: argparse.Namespace) -> dict[str, Any]:
    callback = CallbackServer()
    browser: ConsentBrowser | None = None
    try:
        browser = ConsentBrowser(
            chromium=arguments.chromium, chromedriver=arguments.chromedriver,
            screenshot=arguments.screenshot, name=arguments.name, email=arguments.email,
        )
        flow = Flow(base_url=arguments.base_url, browser=browser, callback=callback)
        with anyio.fail_after(arguments.timeout):
            observed = await flow.run()
        return {**observed, **browser.observed, "redirect_uri": callback.redirect_uri}
    finally:
        if browser is not None:
            browser.close()
        callback.close()


def leaves(error: BaseException) -> list[BaseException]:
    """The errors inside the task groups' exception groups the SDK's transports raise."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in leaves(inner)]
    return [error]


class QuietFlowFailures(logging.Filter):
    """Keeps the SDK's `logger.exception` from repeating a `FlowFailure`'s traceback; it is reported once."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], FlowFailure):
            record.exc_info = None
            record.exc_text = None
        return True


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.WARNING, format="mcp_oauth_flow: %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(QuietFlowFailures())
    try:
        observed = anyio.run(run, arguments)
    except BaseException as error:  # noqa: BLE001 (every failure is reported, then exits 1)
        if isinstance(error, KeyboardInterrupt):
            raise
        errors = leaves(error)
        failures = [leaf for leaf in errors if isinstance(leaf, FlowFailure)]
        for failure in failures:
            print(f"mcp_oauth_flow: FAILED: {failure}", file=sys.stderr)
        if not failures:
            timed_out = any(isinstance(leaf, TimeoutError) for leaf in errors)
            reason = f"did not finish within {arguments.timeout:.0f} s" if timed_out else "unexpected error"
            print(f"mcp_oauth_flow: FAILED: {reason}", file=sys.stderr)
            for leaf in errors:
                traceback.print_exception(leaf, file=sys.stderr)
        return 1
    print(json.dumps(observed, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

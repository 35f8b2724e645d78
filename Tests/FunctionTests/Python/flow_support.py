"""The client's side of the MCP OAuth flow test: token storage, the loopback callback, the trace
of what the SDK sent, and the metadata read raw so strings compare exactly."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

class FlowFailure(Exception):
    """A step of the flow did not behave as KloudHub promises; the message says which and how."""


def require(condition: bool, message: str) -> None:
    if not condition:
        raise FlowFailure(message)


# MARK: - The client's side: token storage, the loopback callback, the request trace


class MemoryTokenStorage:
    """The SDK's `TokenStorage` protocol, in memory, keeping every token set it was handed."""

    def __init__(self) -> None:
        self.history: list[OAuthToken] = []
        self.client_info: OAuthClientInformationFull | None = None

    @property
    def tokens(self) -> OAuthToken | None:
        return self.history[-1] if self.history else None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.history.append(tokens.model_copy())

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


class CallbackServer:
    """A loopback HTTP server on a free port that receives the authorization redirect once."""

    def __init__(self) -> None:
        received = threading.Event()
        parameters: dict[str, str] = {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
                url = urlsplit(self.path)
                if url.path != "/callback" or received.is_set():
                    self.send_error(404)
                    return
                parameters.update({key: values[0] for key, values in parse_qs(url.query).items()})
                received.set()
                body = b"<!doctype html><title>Done</title><p>KloudHub flow test: you can close this window.</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # the query holds the code
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._received = received
        self.parameters = parameters
        self.redirect_uri = f"http://127.0.0.1:{self._server.server_address[1]}/callback"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def wait(self, timeout: float) -> dict[str, str]:
        require(self._received.wait(timeout), f"nothing arrived at {self.redirect_uri} within {timeout:.0f} s")
        return dict(self.parameters)

    @property
    def has_received(self) -> bool:
        return self._received.is_set()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class RequestTrace:
    """Every HTTP exchange the SDK's client made (method, path, status; never a credential)."""

    exchanges: list[dict[str, Any]] = field(default_factory=list)
    challenge: str | None = None

    async def record(self, response: httpx2.Response) -> None:
        request = response.request
        entry: dict[str, Any] = {"method": request.method, "path": request.url.path, "status": response.status_code}
        grant = form_field(request, "grant_type")
        if grant:
            entry["grant_type"] = grant
        if response.status_code == 401 and self.challenge is None:
            self.challenge = response.headers.get("www-authenticate")
        self.exchanges.append(entry)

    def mark(self) -> int:
        return len(self.exchanges)

    def since(self, mark: int) -> list[dict[str, Any]]:
        return self.exchanges[mark:]


def form_field(request: httpx2.Request, name: str) -> str | None:
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return None
    try:
        values = parse_qs(request.content.decode())
    except (httpx2.RequestNotRead, UnicodeDecodeError):
        return None
    return values.get(name, [None])[0]


# MARK: - Metadata, read raw to compare strings exactly


def well_known_authorization_server_url(issuer: str) -> str:
    """RFC 8414 section 3.1: the well-known segment goes between the origin and the issuer's path."""
    parts = urlsplit(issuer)
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}/.well-known/oauth-authorization-server{path}"


@dataclass
class RawMetadata:
    """The protected resource's and the authorization server's metadata exactly as served."""

    resource: dict[str, Any]
    server: dict[str, Any]

    @property
    def issuer(self) -> str:
        return self.server["issuer"]


async def fetch_metadata(http: httpx2.AsyncClient, challenge: str | None) -> RawMetadata:
    require(challenge is not None, "the MCP endpoint's 401 carried no WWW-Authenticate header")
    match = re.search(r'resource_metadata="([^"]+)"', challenge or "")
    require(
        challenge is not None and challenge.lower().startswith("bearer") and match is not None,
        f"the 401's WWW-Authenticate names no resource_metadata: {challenge!r}",
    )
    resource = await get_json(http, match.group(1) if match else "")
    servers = resource.get("authorization_servers") or []
    require(bool(servers), "the protected-resource metadata lists no authorization_servers")
    server = await get_json(http, well_known_authorization_server_url(servers[0]))
    require(
        server.get("issuer") == servers[0],
        f"the metadata's issuer {server.get('issuer')!r} is not byte for byte the resource's "
        f"authorization server {servers[0]!r}",
    )
    return RawMetadata(resource=resource, server=server)


async def get_json(http: httpx2.AsyncClient, url: str) -> dict[str, Any]:
    response = await http.get(url)
    require(response.status_code == 200, f"GET {url} answered {response.status_code}")
    try:
        document = response.json()
    except ValueError as error:
        raise FlowFailure(f"GET {url} did not answer JSON") from error
    require(isinstance(document, dict), f"GET {url} did not answer a JSON object")
    return document

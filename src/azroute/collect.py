"""`azroute collect`: read-only collection of an Azure estate through Azure Resource Graph.

Three queries (QUERIES: network resources and VMs in `resources`, firewall rule collection groups in
`networkresources`, private DNS record sets in `dnsresources`; one query cannot span tables), each sent as
`POST {endpoint}/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01` (a read by Azure
RBAC: Microsoft.ResourceGraph/resources/read), following `$skipToken` until its last page. The rows
are written as one JSON file shaped like `az graph query -q ... -o json` ({"count", "data",
"skip_token", "total_records"}), which `azroute routes FILE ...` reads.

Safety: every request goes through `_send`, which first checks (method, path, query) against
`ALLOWED_REQUESTS`; nothing else (no PUT/PATCH/DELETE, no other POST, no redirect) can leave
this module. HTTP is the standard library's; the only extra dependency is azure-identity
(`pip install 'azroute[azure]'`), imported only when the command runs.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib
import importlib.metadata
import ipaddress
import json
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import click

from azroute.errors import AzrouteError, InputError

DEFAULT_ENDPOINT = "https://management.azure.com"
API_VERSION = "2022-10-01"
QUERY_PATH = "/providers/Microsoft.ResourceGraph/resources"
QUERY = ("resources | where type startswith 'microsoft.network/' "
         "or type =~ 'microsoft.compute/virtualmachines'")
#: every query collect sends, in order (README "Collect an estate" runs the same three)
QUERIES = (
    QUERY,
    "networkresources | where type =~ 'microsoft.network/firewallpolicies/rulecollectiongroups'",
    "dnsresources | where type startswith 'microsoft.network/privatednszones/'",
)
PAGE_SIZE = 1000
MAX_PAGES = 10_000  # 10 million rows: far beyond any estate; stops a server that never ends paging
TIMEOUT_SECONDS = 120.0
INSTALL_HINT = "pip install 'azroute[azure]'"

# (method, path, query string) of every request this module may send. Only reads belong here.
ALLOWED_REQUESTS = frozenset({("POST", QUERY_PATH, f"api-version={API_VERSION}")})

# The Resource Manager endpoints of Azure's clouds (public, US Government, China) and the token audience
# of each: the only hosts collect sends a token to unless --allow-endpoint names another on purpose.
_SCOPES = {
    "management.azure.com": "https://management.azure.com/.default",
    "management.usgovcloudapi.net": "https://management.usgovcloudapi.net/.default",
    "management.chinacloudapi.cn": "https://management.chinacloudapi.cn/.default",
}
AZURE_ENDPOINTS = tuple(f"https://{host}" for host in _SCOPES)
DEFAULT_SCOPE = _SCOPES["management.azure.com"]

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_CREDENTIAL_FIX = ("sign in with `az login` (or set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, "
                   "or use a managed identity)")


class AccessTokenLike(Protocol):
    @property
    def token(self) -> str: ...


class TokenCredentialLike(Protocol):
    """azure-core's TokenCredential, as far as collect uses it (DefaultAzureCredential is one)."""

    def get_token(self, *scopes: str) -> AccessTokenLike: ...


class RefusedRequest(AzrouteError):
    """A request outside ALLOWED_REQUESTS: collect only ever reads, this is never sent."""


class CollectError(AzrouteError):
    """Resource Graph could not be queried (authentication, HTTP, network, malformed answer)."""


@dataclass(frozen=True, slots=True)
class CollectResult:
    pages: int
    rows: int
    subscriptions: int
    out: Path


def token_scope(endpoint: str) -> str:
    """The OAuth scope of the Resource Manager behind `endpoint`: its own cloud's for Azure's endpoints;
    for another (allowed with --allow-endpoint) the endpoint itself, so no Azure cloud's token is sent."""
    host = (urllib.parse.urlsplit(endpoint).hostname or "").lower()
    return _SCOPES.get(host) or f"{endpoint.rstrip('/')}/.default"


def is_azure_endpoint(endpoint: str) -> bool:
    """True for the Resource Manager of one of Azure's clouds, over https on the standard port."""
    parts = urllib.parse.urlsplit(endpoint)
    return parts.scheme == "https" and (parts.hostname or "").lower() in _SCOPES and parts.port in (None, 443)


_SECRET_PATTERNS = (
    re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(?:bearer\s+)?[^\s\"',;}]+"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*"),
    re.compile(r"()eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),  # a JWT, wherever it appears
)


def redact(text: str, *secrets: str) -> str:
    """`text` with the given secrets, Authorization values, bearer tokens and JWTs replaced by [redacted]:
    anything a server echoes (an error body, a header) passes through here before it is printed."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "[redacted]", text)
    return text


def check_request(method: str, url: str, endpoint: str) -> None:
    """Raise RefusedRequest unless (method, url) is an allowed read against `endpoint`."""
    parts = urllib.parse.urlsplit(url)
    base = urllib.parse.urlsplit(endpoint)
    allowed = (
        (method, parts.path, parts.query) in ALLOWED_REQUESTS
        and (parts.scheme, parts.netloc) == (base.scheme, base.netloc)
        and not parts.fragment
        and not parts.username
        and not parts.password
    )
    if not allowed:
        raise RefusedRequest(f"refused to send {method} {url}: collect only sends the Resource Graph "
                             f"query (POST {QUERY_PATH}?api-version={API_VERSION}) to {endpoint}",
                             path="collect", fix="azroute collect is read-only; this is a bug in azroute")


def _normalise_endpoint(endpoint: str, allow_endpoint: bool = False) -> str:
    parts = urllib.parse.urlsplit(endpoint.strip())
    fix = f"use the Resource Manager URL, e.g. --endpoint {DEFAULT_ENDPOINT}"
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        raise InputError(f"'{endpoint}' is not an https URL", path="--endpoint", fix=fix)
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise InputError(f"'{endpoint}' has a path or query; give only scheme and host", path="--endpoint",
                         fix=fix)
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise InputError(f"'{endpoint}' would send the access token unencrypted", path="--endpoint", fix=fix)
    normal = f"{parts.scheme}://{parts.netloc}"
    if not allow_endpoint and not is_azure_endpoint(normal):
        raise InputError(f"'{endpoint}' is not the Resource Manager of an Azure cloud ({', '.join(AZURE_ENDPOINTS)}): "
                         "collect sends it an access token", path="--endpoint",
                         fix="use one of those, or add --allow-endpoint if you trust this server with a token "
                             "(its scope is then the endpoint's own)")
    return normal


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _subscription_ids(subscriptions: list[str]) -> list[str]:
    ids: list[str] = []
    for value in subscriptions:
        sub = value.strip()
        if not _GUID.match(sub):
            raise InputError(f"'{value}' is not a subscription ID (a GUID)", path="--subscription",
                             fix="list them with `az account list --query '[].id' -o tsv`")
        if sub.lower() not in ids:
            ids.append(sub.lower())
    if not ids:
        raise InputError("no subscription given", path="--subscription",
                         fix="pass --subscription ID, repeatable")
    return ids


def _user_agent() -> str:
    try:
        version = importlib.metadata.version("azroute")
    except importlib.metadata.PackageNotFoundError:
        from azroute import __version__ as version  # noqa: PLC0415 - running from a source tree

    return f"azroute/{version}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would send the token (and a request) somewhere the allow-list did not check."""

    def redirect_request(  # noqa: PLR0917 - urllib's signature
            self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str,
    ) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _send(method: str, url: str, endpoint: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The only place a request leaves azroute; the allow-list check comes first."""
    check_request(method, url, endpoint)
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
        data: bytes = response.read()
    return data


def _arm_error(error: urllib.error.HTTPError) -> str:
    """'HTTP 403 AuthorizationFailed: message' from an ARM error body (or its reason phrase)."""
    try:
        body = json.loads(error.read().decode("utf-8", "replace"))
    except (OSError, ValueError, http.client.HTTPException):
        body = None
    detail = body.get("error") if isinstance(body, dict) else None
    text = f"HTTP {error.code}"
    if isinstance(detail, dict) and (detail.get("code") or detail.get("message")):
        code, message = detail.get("code") or "", detail.get("message") or ""
        # ARG nests the useful message one level down (error.details[0].message)
        inner = detail.get("details")
        if isinstance(inner, list) and inner and isinstance(inner[0], dict) and inner[0].get("message"):
            message = f"{message} ({inner[0].get('code', '')}: {inner[0]['message']})"
        text += f" {code}: {message}" if code else f": {message}"
    elif error.reason:
        text += f" {error.reason}"
    text = " ".join(text.split())
    return text if len(text) <= 400 else text[:397] + "..."


def _http_fix(status: int, endpoint: str) -> str:
    if status == 401:
        return _CREDENTIAL_FIX + " and retry"
    if status == 403:
        return ("grant the signed-in identity Reader on the subscriptions "
                "(Microsoft.ResourceGraph/resources/read and */read)")
    if status == 429:
        return "Resource Graph throttled the query; wait a minute and retry"
    if status == 404 or 300 <= status < 400:
        return f"check --endpoint {endpoint} is the Azure Resource Manager URL"
    if status >= 500:
        return "Resource Graph failed; retry later"
    return "check the --subscription IDs and --endpoint"


def _query_page(endpoint: str, subscriptions: list[str], credential: TokenCredentialLike,
                skip_token: str | None, query: str = QUERY) -> dict[str, Any]:
    url = f"{endpoint}{QUERY_PATH}?api-version={API_VERSION}"
    options: dict[str, Any] = {"$top": PAGE_SIZE, "resultFormat": "objectArray"}
    if skip_token is not None:
        options["$skipToken"] = skip_token
    body = json.dumps({"subscriptions": subscriptions, "query": query, "options": options}).encode()
    try:
        token = credential.get_token(token_scope(endpoint)).token
    except Exception as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise CollectError(f"could not get an access token for {endpoint}: {redact(first)[:300]}",
                           path="collect", fix=_CREDENTIAL_FIX) from None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "Accept": "application/json", "User-Agent": _user_agent()}
    where = f"Resource Graph query at {endpoint}"
    try:
        raw = _send("POST", url, endpoint, body, headers)
    except urllib.error.HTTPError as error:
        text = _arm_error(error)
        if 300 <= error.code < 400:
            text += f", redirect to {error.headers.get('Location', '?')} not followed"
        raise CollectError(f"{where} failed: {redact(text, token)}", path="collect",
                           fix=_http_fix(error.code, endpoint)) from None
    except urllib.error.URLError as error:
        raise CollectError(f"cannot reach {endpoint}: {redact(str(error.reason), token)}", path="collect",
                           fix="check the network, proxy (HTTPS_PROXY) and --endpoint") from None
    except (OSError, http.client.HTTPException) as error:
        raise CollectError(f"cannot reach {endpoint}: {redact(str(error) or type(error).__name__, token)}",
                           path="collect",
                           fix="check the network, proxy (HTTPS_PROXY) and --endpoint") from None
    try:
        page = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        page = None
    if not isinstance(page, dict) or not isinstance(page.get("data"), list) \
            or not all(isinstance(row, dict) for row in page["data"]):
        raise CollectError(f"{where} returned {'invalid JSON' if page is None else 'JSON'} that is "
                           "not a Resource Graph object-array result", path="collect",
                           fix=f"check --endpoint {endpoint} is the Azure Resource Manager URL")
    return page


def collect(subscriptions: list[str], out: Path, credential: TokenCredentialLike,
            endpoint: str = DEFAULT_ENDPOINT, allow_endpoint: bool = False) -> CollectResult:
    """Query every network resource and VM of `subscriptions`, firewall rule collection groups and private DNS
    record sets; write them to `out` (only on success). `endpoint` must be the Resource Manager of an Azure
    cloud unless `allow_endpoint` (--allow-endpoint) says to trust another server with a token."""
    endpoint = _normalise_endpoint(endpoint, allow_endpoint)
    ids = _subscription_ids(subscriptions)
    out = Path(out)
    if not out.parent.is_dir():
        raise InputError(f"folder '{out.parent}' does not exist", file=str(out), path="--out",
                         fix="create it or choose another --out")
    rows: list[dict[str, Any]] = []
    total = 0
    pages = 0
    for query in QUERIES:
        found, count, sent = _query_all(endpoint, ids, credential, query)
        rows.extend(found)
        total += count
        pages += sent
    document = {"count": len(rows), "data": rows, "skip_token": None, "total_records": total}
    _write_atomically(out, json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return CollectResult(pages=pages, rows=len(rows), subscriptions=len(ids), out=out)


def _query_all(endpoint: str, ids: list[str], credential: TokenCredentialLike,
               query: str) -> tuple[list[dict[str, Any]], int, int]:
    """(rows, total_records, pages) of one query, every page."""
    rows: list[dict[str, Any]] = []
    total: Any = None
    seen: set[str] = set()
    token: str | None = None
    pages = 0
    while True:
        page = _query_page(endpoint, ids, credential, token, query)
        pages += 1
        rows.extend(page["data"])
        total = page.get("totalRecords", total)
        token = page.get("$skipToken") or None
        if token is None:
            if str(page.get("resultTruncated", "false")).lower() == "true":
                raise CollectError(f"Resource Graph at {endpoint} truncated the result without a "
                                   "$skipToken to continue", path="collect",
                                   fix="report this to azroute with the subscription count")
            break
        if not isinstance(token, str) or token in seen or pages >= MAX_PAGES:
            raise CollectError(f"Resource Graph at {endpoint} did not finish paging after {pages} pages "
                               "($skipToken repeated or invalid)", path="collect", fix="retry later")
        seen.add(token)
    return rows, total if isinstance(total, int) else len(rows), pages


def _write_atomically(out: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, out)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise InputError(f"cannot write the snapshot: {error.strerror or error}", file=str(out),
                         path="--out", fix="choose a writable --out") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def default_credential() -> TokenCredentialLike:
    """azure-identity's DefaultAzureCredential (az login, environment, managed identity, ...)."""
    try:
        identity = importlib.import_module("azure.identity")
    except ImportError:
        raise AzrouteError("azroute collect needs azure-identity, which is not installed", path="collect",
                           fix=INSTALL_HINT) from None
    credential: TokenCredentialLike = identity.DefaultAzureCredential()
    return credential


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@click.command("collect")
@click.option("--subscription", "subscriptions", multiple=True, required=True, metavar="ID",
              help="Subscription ID to collect, repeatable.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Snapshot file to write (az graph query -o json shape); written only on success.")
@click.option("--endpoint", default=DEFAULT_ENDPOINT, show_default=True, metavar="URL",
              help="Azure Resource Manager URL: https://management.azure.com, "
                   "https://management.usgovcloudapi.net or https://management.chinacloudapi.cn.")
@click.option("--allow-endpoint", is_flag=True,
              help="Send the query (and an access token scoped to that endpoint) to an --endpoint that is not "
                   "one of Azure's, e.g. a recording proxy or a test server.")
def collect_command(subscriptions: tuple[str, ...], out: Path, endpoint: str, allow_endpoint: bool) -> None:
    """Read-only snapshot of the network resources and VMs of subscriptions, via Azure Resource Graph.

    Signs in with azure-identity's DefaultAzureCredential (az login, environment, managed identity)
    and needs only read access (Reader).
    """
    credential = default_credential()
    try:
        result = collect(list(subscriptions), out, credential, endpoint, allow_endpoint)
    finally:
        close = getattr(credential, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()
    click.echo(f"collected {_plural(result.rows, 'resource')} in {_plural(result.pages, 'page')} from "
               f"{_plural(result.subscriptions, 'subscription')} -> {result.out}", err=True)

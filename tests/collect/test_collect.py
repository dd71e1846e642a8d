"""`azroute collect` against a local fake of Azure Resource Graph (loopback only, recorded answers)."""

from __future__ import annotations

import importlib.metadata
import json
import socket
import sys
import threading
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

import azroute
from azroute import collect as collect_mod
from azroute.cli import _Group
from azroute.collect import (
    QUERIES,
    QUERY,
    CollectError,
    RefusedRequest,
    check_request,
    collect,
    collect_command,
    default_credential,
    token_scope,
)
from azroute.errors import AzrouteError, InputError
from azroute.ingest import detect_format
from clirun import Run, invoke

FIXTURES = Path(__file__).parent / "fixtures"
SUB1 = "00000000-1111-2222-3333-444444444444"
SUB2 = "55555555-6666-7777-8888-999999999999"
TOKEN = "fake-token-0123456789"
ARG_PATH = "/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01"
SERVER_LIFETIME = 20.0  # seconds: the fake stops itself even if a test never tears it down


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


PAGE1, PAGE2 = fixture("page1.json"), fixture("page2.json")
EMPTY = {"totalRecords": 0, "count": 0, "data": [], "facets": [], "resultTruncated": "false"}


# ---------------------------------------------------------------- fakes


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def reply(status: int, document: Any = None, raw: bytes | None = None, **headers: str) -> Reply:
    body = raw if raw is not None else json.dumps(document).encode()
    return Reply(status, body, {"Content-Type": "application/json", **headers})


def and_other_tables(*replies: Reply) -> list[Reply]:
    """The resources query's pages, then empty answers to the networkresources and dnsresources queries."""
    return [*replies, reply(200, EMPTY), reply(200, EMPTY)]


class FakeArg:
    """HTTP server on 127.0.0.1:<free port> answering scripted replies in order, recording every request."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[Recorded] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fake.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))
                answer = fake.replies.pop(0) if fake.replies else reply(500, {"error": {"code": "NoScript"}})
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.server.timeout = 0.1
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        deadline = time.monotonic() + SERVER_LIFETIME
        while not self._stop.is_set() and time.monotonic() < deadline:
            self.server.handle_request()
        self.server.server_close()

    def __enter__(self) -> FakeArg:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@dataclass
class FakeToken:
    token: str
    expires_on: int = 0


class FakeCredential:
    def __init__(self, error: Exception | None = None) -> None:
        self.scopes: list[tuple[str, ...]] = []
        self.error = error
        self.closed = False

    def get_token(self, *scopes: str) -> FakeToken:
        self.scopes.append(scopes)
        if self.error:
            raise self.error
        return FakeToken(TOKEN, int(time.time()) + 3600)

    def close(self) -> None:
        self.closed = True


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every request on loopback: no proxy from the environment may intercept it."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


@pytest.fixture
def arg() -> Iterator[FakeArg]:
    with FakeArg() as fake:
        yield fake


def expected_body(skip_token: str | None = None) -> dict[str, Any]:
    options: dict[str, Any] = {"$top": 1000, "resultFormat": "objectArray"}
    if skip_token is not None:
        options["$skipToken"] = skip_token
    return {"subscriptions": [SUB1, SUB2], "query": QUERY, "options": options}


def run_cli(args: list[str]) -> Run:
    """Invoke `azroute collect ...` through azroute's own group (its error printing and exit codes)."""
    return invoke(args, command=_Group(name="azroute", commands={"collect": collect_command}))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ---------------------------------------------------------------- collection and paging


def test_two_pages_are_collected_into_one_az_graph_query_document(arg: FakeArg, tmp_path: Path) -> None:
    arg.replies = and_other_tables(reply(200, PAGE1), reply(200, PAGE2))
    credential = FakeCredential()
    out = tmp_path / "snapshot.json"

    result = collect([SUB1, SUB2], out, credential, endpoint=arg.endpoint, allow_endpoint=True)

    assert (result.pages, result.rows, result.subscriptions, result.out) == (4, 4, 2, out)
    assert [(r.method, r.path) for r in arg.requests] == [("POST", ARG_PATH)] * 4
    # rule collection groups and DNS record sets live in other tables: one query each (README's three)
    assert [r.json()["query"] for r in arg.requests] == [QUERY, QUERY, QUERIES[1], QUERIES[2]]
    assert arg.requests[0].json() == expected_body()
    assert arg.requests[1].json() == expected_body(PAGE1["$skipToken"])
    for request in arg.requests:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["User-Agent"].startswith("azroute/")
    # not one of Azure's endpoints: the token's audience is the endpoint itself, never an Azure cloud
    assert credential.scopes == [(f"{arg.endpoint}/.default",)] * 4

    written = out.read_text(encoding="utf-8")
    assert json.loads(written) == {"count": 4, "data": PAGE1["data"] + PAGE2["data"], "skip_token": None,
                                   "total_records": 4}
    # byte-identical to `az graph query -o json` (knack: indent 2, sorted keys, trailing newline)
    assert written == json.dumps(json.loads(written), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert leftovers(tmp_path) == ["snapshot.json"]


def test_user_agent_names_the_azroute_version(arg: FakeArg, tmp_path: Path) -> None:
    arg.replies = and_other_tables(reply(200, PAGE2))
    collect([SUB1, SUB2], tmp_path / "s.json", FakeCredential(), endpoint=arg.endpoint, allow_endpoint=True)
    try:
        version = importlib.metadata.version("azroute")
    except importlib.metadata.PackageNotFoundError:
        version = azroute.__version__
    assert arg.requests[0].headers["User-Agent"] == f"azroute/{version}"


def test_single_page_and_empty_result(arg: FakeArg, tmp_path: Path) -> None:
    empty = {"totalRecords": 0, "count": 0, "data": [], "facets": [], "resultTruncated": "false"}
    arg.replies = and_other_tables(reply(200, empty))
    out = tmp_path / "empty.json"
    result = collect([SUB1], out, FakeCredential(), endpoint=arg.endpoint, allow_endpoint=True)
    assert (result.pages, result.rows) == (3, 0)
    assert json.loads(out.read_text()) == {"count": 0, "data": [], "skip_token": None, "total_records": 0}
    assert arg.requests[0].json()["subscriptions"] == [SUB1]


def test_subscriptions_are_deduplicated_and_lowercased(arg: FakeArg, tmp_path: Path) -> None:
    arg.replies = and_other_tables(reply(200, PAGE2))
    result = collect([SUB2.upper(), SUB1, f" {SUB2} "], tmp_path / "s.json", FakeCredential(),
                     endpoint=arg.endpoint + "/", allow_endpoint=True)
    assert result.subscriptions == 2
    assert arg.requests[0].json()["subscriptions"] == [SUB2, SUB1]


def test_output_is_read_by_format_detection_as_an_arm_export(arg: FakeArg, tmp_path: Path) -> None:
    arg.replies = and_other_tables(reply(200, PAGE1), reply(200, PAGE2))
    out = tmp_path / "snapshot.json"
    collect([SUB1, SUB2], out, FakeCredential(), endpoint=arg.endpoint, allow_endpoint=True)
    assert detect_format(out) == "arm"


def test_existing_snapshot_is_replaced_only_on_success(arg: FakeArg, tmp_path: Path) -> None:
    out = tmp_path / "snapshot.json"
    out.write_text("old\n")
    arg.replies = [reply(200, PAGE1), reply(403, fixture("error-403.json"))]
    with pytest.raises(CollectError):
        collect([SUB1, SUB2], out, FakeCredential(), endpoint=arg.endpoint, allow_endpoint=True)
    assert out.read_text() == "old\n"
    assert leftovers(tmp_path) == ["snapshot.json"]

    arg.replies = and_other_tables(reply(200, PAGE1), reply(200, PAGE2))
    collect([SUB1, SUB2], out, FakeCredential(), endpoint=arg.endpoint, allow_endpoint=True)
    assert json.loads(out.read_text())["count"] == 4
    assert leftovers(tmp_path) == ["snapshot.json"]


# ---------------------------------------------------------------- the command line


def test_cli_prints_a_one_line_summary(arg: FakeArg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    credential = FakeCredential()
    monkeypatch.setattr(collect_mod, "default_credential", lambda: credential)
    arg.replies = and_other_tables(reply(200, PAGE1), reply(200, PAGE2))
    out = tmp_path / "snapshot.json"

    run = run_cli(["collect", "--subscription", SUB1, "--subscription", SUB2, "--out", str(out),
                   "--endpoint", arg.endpoint, "--allow-endpoint"])

    assert run.exit_code == 0, run.stderr
    assert run.stdout == ""
    assert run.stderr == f"collected 4 resources in 4 pages from 2 subscriptions -> {out}\n"
    assert json.loads(out.read_text())["count"] == 4
    assert credential.closed


def test_cli_summary_uses_singulars(arg: FakeArg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collect_mod, "default_credential", FakeCredential)
    one = {**PAGE2, "totalRecords": 1, "count": 1, "data": PAGE2["data"][:1]}
    arg.replies = and_other_tables(reply(200, one))
    out = tmp_path / "one.json"
    run = run_cli(["collect", "--subscription", SUB2, "--out", str(out), "--endpoint", arg.endpoint, "--allow-endpoint"])
    assert run.stderr == f"collected 1 resource in 3 pages from 1 subscription -> {out}\n"


def test_cli_403_is_one_error_line_and_no_file(arg: FakeArg, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collect_mod, "default_credential", FakeCredential)
    arg.replies = [reply(403, fixture("error-403.json"))]
    out = tmp_path / "snapshot.json"

    run = run_cli(["collect", "--subscription", SUB1, "--out", str(out), "--endpoint", arg.endpoint, "--allow-endpoint"])

    assert run.exit_code == 2
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: collect: Resource Graph query at " + arg.endpoint)
    assert "HTTP 403 AuthorizationFailed" in lines[0]
    assert "Microsoft.ResourceGraph/resources/read" in lines[0]
    assert "; fix: grant the signed-in identity Reader" in lines[0]
    assert "Traceback" not in run.stderr and TOKEN not in run.stderr
    assert leftovers(tmp_path) == []


def test_cli_requires_subscription_and_out() -> None:
    run = run_cli(["collect", "--out", "x.json"])
    assert run.exit_code == 2
    assert run.stderr.startswith("error: azroute collect: Missing option '--subscription'")
    assert len(run.stderr.splitlines()) == 1


# ---------------------------------------------------------------- errors: one line, no file


def one_line_error(error: AzrouteError) -> str:
    text = error.one_line()
    assert "\n" not in text and "fix: " in text
    return text


@pytest.mark.parametrize(("status", "document", "expect", "fix"), [
    (401, {"error": {"code": "ExpiredAuthenticationToken", "message": "The access token expiry UTC time "
                     "'1/1/2024 1:00:00 AM' is earlier than current UTC time."}},
     "HTTP 401 ExpiredAuthenticationToken: The access token expiry", "az login"),
    (403, fixture("error-403.json"), "HTTP 403 AuthorizationFailed: The client 'alice@contoso.com'",
     "Reader"),
    (400, {"error": {"code": "BadRequest", "message": "Please provide below info when asking for support",
                     "details": [{"code": "InvalidSubscriptionId", "message": "Subscription is invalid."}]}},
     "HTTP 400 BadRequest: Please provide below info when asking for support "
     "(InvalidSubscriptionId: Subscription is invalid.)", "--subscription"),
    (429, {"error": {"code": "RateLimiting", "message": "Please try again later."}},
     "HTTP 429 RateLimiting", "throttled"),
    (502, None, "HTTP 502", "retry later"),
])
def test_http_errors(arg: FakeArg, tmp_path: Path, status: int, document: Any, expect: str, fix: str) -> None:
    arg.replies = [reply(status, document) if document else Reply(status, b"<html>Bad Gateway</html>")]
    out = tmp_path / "snapshot.json"
    with pytest.raises(CollectError) as caught:
        collect([SUB1], out, FakeCredential(), endpoint=arg.endpoint, allow_endpoint=True)
    text = one_line_error(caught.value)
    assert f"Resource Graph query at {arg.endpoint} failed: {expect}" in text
    assert fix in text.split("; fix: ")[1]
    assert len(arg.requests) == 1
    assert leftovers(tmp_path) == []


def test_invalid_json(arg: FakeArg, tmp_path: Path) -> None:
    arg.replies = [reply(200, raw=b"{not json")]
    with pytest.raises(CollectError) as caught:
        collect([SUB1], tmp_path / "s.json", FakeCredential(), endpoint=arg.endpoint, allow_endpoint=True)
    assert f"Resource Graph query at {arg.endpoint} returned invalid JSON" in one_line_error(caught.value)
    assert leftovers(tmp_path) == []


def test_table_result_format_is_refused(arg: FakeArg, tmp_path: Path) -> None:
    table = {"totalRecords": 1, "count": 1, "data": {"columns": [{"name": "id"}], "rows": [["x"]]}}
    arg.replies = [reply(200, table)]
    with pytest.raises(CollectError) as caught:
        collect([SUB1], tmp_path / "s.json", FakeCredential(), endpoint=arg.endpoint, allow_endpoint=True)
    assert "not a Resource Graph object-array result" in one_line_error(caught.value)
    assert leftovers(tmp_path) == []


def test_network_error_names_the_endpoint(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with pytest.raises(CollectError) as caught:
        collect([SUB1], tmp_path / "s.json", FakeCredential(), endpoint=endpoint, allow_endpoint=True)
    text = one_line_error(caught.value)
    assert text.startswith(f"collect: cannot reach {endpoint}: ")
    assert "fix: check the network" in text
    assert leftovers(tmp_path) == []


def test_redirect_is_not_followed(arg: FakeArg, tmp_path: Path) -> None:
    arg.replies = [reply(307, {}, Location=f"{arg.endpoint}/subscriptions/{SUB1}?api-version=2022-12-01")]
    with pytest.raises(CollectError) as caught:
        collect([SUB1], tmp_path / "s.json", FakeCredential(), endpoint=arg.endpoint, allow_endpoint=True)
    assert "not followed" in one_line_error(caught.value)
    assert [(r.method, r.path) for r in arg.requests] == [("POST", ARG_PATH)]


def test_truncated_result_without_skip_token_is_an_error(arg: FakeArg, tmp_path: Path) -> None:
    arg.replies = [reply(200, {**PAGE2, "resultTruncated": "true"})]
    with pytest.raises(CollectError) as caught:
        collect([SUB1], tmp_path / "s.json", FakeCredential(), endpoint=arg.endpoint, allow_endpoint=True)
    assert "truncated the result" in one_line_error(caught.value)
    assert leftovers(tmp_path) == []


def test_repeated_skip_token_stops_paging(arg: FakeArg, tmp_path: Path) -> None:
    arg.replies = [reply(200, PAGE1), reply(200, PAGE1), reply(200, PAGE2)]
    with pytest.raises(CollectError) as caught:
        collect([SUB1], tmp_path / "s.json", FakeCredential(), endpoint=arg.endpoint, allow_endpoint=True)
    assert "did not finish paging after 2 pages" in one_line_error(caught.value)
    assert len(arg.requests) == 2
    assert leftovers(tmp_path) == []


def test_credential_failure_is_one_line_and_sends_nothing(arg: FakeArg, tmp_path: Path) -> None:
    error = RuntimeError("DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
                         "Attempted credentials:\n\tEnvironmentCredential: not configured")
    with pytest.raises(CollectError) as caught:
        collect([SUB1], tmp_path / "s.json", FakeCredential(error), endpoint=arg.endpoint, allow_endpoint=True)
    text = one_line_error(caught.value)
    assert text.startswith(f"collect: could not get an access token for {arg.endpoint}: "
                           "DefaultAzureCredential failed to retrieve a token")
    assert "Attempted credentials" not in text and "az login" in text
    assert arg.requests == []


@pytest.mark.parametrize(("subscriptions", "message"), [
    (["my-subscription"], "'my-subscription' is not a subscription ID"),
    ([], "no subscription given"),
])
def test_bad_subscriptions_send_nothing(arg: FakeArg, tmp_path: Path, subscriptions: list[str],
                                        message: str) -> None:
    with pytest.raises(InputError, match=message):
        collect(subscriptions, tmp_path / "s.json", FakeCredential(), endpoint=arg.endpoint, allow_endpoint=True)
    assert arg.requests == []


@pytest.mark.parametrize(("endpoint", "message"), [
    ("http://management.azure.com", "would send the access token unencrypted"),
    ("ftp://management.azure.com", "is not an https URL"),
    ("https://management.azure.com/subscriptions", "has a path or query"),
    ("https://management.azure.com?x=1", "has a path or query"),
    ("https://user:pw@management.azure.com", "is not an https URL"),
])
def test_bad_endpoints_are_refused(tmp_path: Path, endpoint: str, message: str) -> None:
    credential = FakeCredential()
    with pytest.raises(InputError, match=message):
        collect([SUB1], tmp_path / "s.json", credential, endpoint=endpoint)
    assert credential.scopes == []


def test_missing_output_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        collect([SUB1], tmp_path / "nowhere" / "s.json", FakeCredential(), endpoint="https://management.azure.com")


@pytest.mark.parametrize(("endpoint", "scope"), [
    ("https://management.azure.com", "https://management.azure.com/.default"),
    ("https://management.usgovcloudapi.net", "https://management.usgovcloudapi.net/.default"),
    ("https://management.chinacloudapi.cn", "https://management.chinacloudapi.cn/.default"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080/.default"),
    ("https://arm.example.com", "https://arm.example.com/.default"),
])
def test_token_scope(endpoint: str, scope: str) -> None:
    assert token_scope(endpoint) == scope


# ---------------------------------------------------------------- the read-only guard

ENDPOINT = "https://management.azure.com"
QUERY_URL = f"{ENDPOINT}{ARG_PATH}"


def test_guard_allows_only_the_resource_graph_query() -> None:
    check_request("POST", QUERY_URL, ENDPOINT)  # does not raise


@pytest.mark.parametrize(("method", "url"), [
    ("PUT", QUERY_URL),
    ("PATCH", QUERY_URL),
    ("DELETE", QUERY_URL),
    ("GET", QUERY_URL),
    ("post", QUERY_URL),
    ("PUT", f"{ENDPOINT}/subscriptions/{SUB1}/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt"
            "?api-version=2023-09-01"),
    ("POST", f"{ENDPOINT}/subscriptions/{SUB1}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/"
             "vm/restart?api-version=2023-09-01"),
    ("POST", f"{ENDPOINT}/providers/Microsoft.ResourceGraph/resources?api-version=2021-03-01"),
    ("POST", f"{ENDPOINT}/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01&x=1"),
    ("POST", f"{ENDPOINT}/providers/Microsoft.ResourceGraph/resourceChanges?api-version=2022-10-01"),
    ("POST", f"https://evil.example.com{ARG_PATH}"),
    ("POST", f"http://management.azure.com{ARG_PATH}"),
    ("POST", f"https://management.azure.com:8443{ARG_PATH}"),
])
def test_guard_refuses_everything_else(method: str, url: str) -> None:
    with pytest.raises(RefusedRequest) as caught:
        check_request(method, url, ENDPOINT)
    assert one_line_error(caught.value).startswith(f"collect: refused to send {method} {url}")


def test_guard_runs_before_any_request_leaves(arg: FakeArg) -> None:
    url = f"{arg.endpoint}{ARG_PATH}"
    with pytest.raises(RefusedRequest):
        collect_mod._send("PUT", url, arg.endpoint, b"{}", {"Authorization": f"Bearer {TOKEN}"})
    with pytest.raises(RefusedRequest):
        collect_mod._send("POST", f"{arg.endpoint}/subscriptions/{SUB1}/resourceGroups/rg/providers/"
                          "Microsoft.Network/routeTables/rt?api-version=2023-09-01", arg.endpoint, b"{}", {})
    time.sleep(0.3)  # the fake would have recorded a request by now
    assert arg.requests == []


def test_the_allow_list_holds_only_the_query() -> None:
    assert {("POST", "/providers/Microsoft.ResourceGraph/resources", "api-version=2022-10-01")} \
        == collect_mod.ALLOWED_REQUESTS


# ---------------------------------------------------------------- azure-identity, the optional extra


def test_missing_azure_identity_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    # a None entry in sys.modules makes `import azure.identity` raise ImportError
    monkeypatch.setitem(sys.modules, "azure.identity", None)
    with pytest.raises(AzrouteError) as caught:
        default_credential()
    assert caught.value.exit_code == 2
    assert one_line_error(caught.value) == ("collect: azroute collect needs azure-identity, which is not "
                                            "installed; fix: pip install 'azroute[azure]'")


def test_cli_without_azure_identity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "azure.identity", None)
    out = tmp_path / "s.json"
    run = run_cli(["collect", "--subscription", SUB1, "--out", str(out)])
    assert run.exit_code == 2
    assert run.stderr == ("error: collect: azroute collect needs azure-identity, which is not installed; "
                          "fix: pip install 'azroute[azure]'\n")
    assert not out.exists()


def test_default_credential_is_azure_identitys(monkeypatch: pytest.MonkeyPatch) -> None:
    class DefaultAzureCredential:
        pass

    module = types.ModuleType("azure.identity")
    module.DefaultAzureCredential = DefaultAzureCredential  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "azure.identity", module)
    assert isinstance(default_credential(), DefaultAzureCredential)


def test_collect_module_does_not_import_azure_at_import_time() -> None:
    source = Path(collect_mod.__file__).read_text(encoding="utf-8")
    assert "import azure" not in source and "from azure" not in source


def test_rule_collection_groups_and_records_are_collected_into_the_snapshot(arg: FakeArg, tmp_path: Path) -> None:
    """B-IN-POLICY-DNS: the snapshot holds the three tables' rows, read as one export."""
    from azroute.ingest.arm import to_native  # noqa: PLC0415

    graph = Path(__file__).parents[1] / "ingest" / "arm"

    def page(path: Path) -> dict[str, Any]:
        rows = json.loads(path.read_text(encoding="utf-8"))["data"]
        return {"totalRecords": len(rows), "count": len(rows), "data": rows, "resultTruncated": "false"}
    arg.replies = [reply(200, page(graph / "b-dns-graph" / "resources.json")),
                   reply(200, page(graph / "b-firewall-graph" / "networkresources.json")),
                   reply(200, page(graph / "b-dns-graph" / "dnsresources.json"))]
    out = tmp_path / "snapshot.json"
    result = collect([SUB1], out, FakeCredential(), endpoint=arg.endpoint, allow_endpoint=True)
    assert (result.pages, result.rows) == (3, 37)
    conversion = to_native([out])
    assert not [n for n in conversion.notes if n.startswith("the Resource Graph export holds")]
    assert conversion.document["private_endpoints"]["sql"]["dns_zone"] == "privatelink.database.windows.net"
    assert conversion.skipped["microsoft.network/firewallpolicies/rulecollectiongroups"] == 0


# ---------------------------------------------------------------- credentials only to Azure (issue 13 item 5)


@pytest.mark.parametrize("endpoint", ["https://arm.example.com", "https://management.azure.com.evil.example",
                                      "https://management.azure.com:8443", "http://127.0.0.1:8080"])
def test_a_non_azure_endpoint_is_refused_before_any_token(tmp_path: Path, endpoint: str) -> None:
    credential = FakeCredential()
    with pytest.raises(InputError) as caught:
        collect([SUB1], tmp_path / "s.json", credential, endpoint=endpoint)
    assert caught.value.one_line() == (
        f"--endpoint: '{endpoint}' is not the Resource Manager of an Azure cloud (https://management.azure.com, "
        "https://management.usgovcloudapi.net, https://management.chinacloudapi.cn): collect sends it an access "
        "token; fix: use one of those, or add --allow-endpoint if you trust this server with a token (its scope "
        "is then the endpoint's own)")
    assert credential.scopes == []
    assert not (tmp_path / "s.json").exists()


def test_cli_refuses_a_non_azure_endpoint_without_the_flag(arg: FakeArg, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    credential = FakeCredential()
    monkeypatch.setattr(collect_mod, "default_credential", lambda: credential)
    run = run_cli(["collect", "--subscription", SUB1, "--out", str(tmp_path / "s.json"), "--endpoint", arg.endpoint])
    assert run.exit_code == 2
    assert run.stderr.startswith(f"error: --endpoint: '{arg.endpoint}' is not the Resource Manager of an Azure cloud")
    assert arg.requests == []
    assert credential.scopes == []


@pytest.mark.parametrize(("endpoint", "scope"), [
    ("https://management.azure.com", "https://management.azure.com/.default"),
    ("https://MANAGEMENT.usgovcloudapi.net/", "https://management.usgovcloudapi.net/.default"),
    ("https://management.chinacloudapi.cn:443", "https://management.chinacloudapi.cn/.default"),
])
def test_azure_endpoints_are_allowed_with_their_own_clouds_scope(tmp_path: Path, endpoint: str, scope: str) -> None:
    credential = FakeCredential(RuntimeError("no sign-in here"))  # stops before anything is sent
    with pytest.raises(CollectError, match="could not get an access token"):
        collect([SUB1], tmp_path / "s.json", credential, endpoint=endpoint)
    assert credential.scopes == [(scope,)]


def test_a_server_echoing_the_token_never_gets_it_printed(arg: FakeArg, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # a hostile or broken server reflects the request's headers in its error body and redirect
    echoed = {"error": {"code": "Reflected", "message": f"Authorization: Bearer {TOKEN}; headers "
                        f"{{'authorization': 'Bearer {TOKEN}'}} token={TOKEN}"}}
    arg.replies = [reply(400, echoed)]
    monkeypatch.setattr(collect_mod, "default_credential", FakeCredential)
    run = run_cli(["collect", "--subscription", SUB1, "--out", str(tmp_path / "s.json"), "--endpoint", arg.endpoint,
                   "--allow-endpoint"])
    assert run.exit_code == 2
    assert TOKEN not in run.stderr
    assert run.stderr == (f"error: collect: Resource Graph query at {arg.endpoint} failed: HTTP 400 Reflected: "
                          "Authorization: [redacted]; headers {'authorization': '[redacted]'} token=[redacted]; "
                          "fix: check the --subscription IDs and --endpoint\n")
    assert arg.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_redirect_echoing_the_token_never_gets_it_printed(arg: FakeArg, tmp_path: Path) -> None:
    arg.replies = [reply(302, {}, Location=f"https://evil.example/?t={TOKEN}")]
    with pytest.raises(CollectError) as caught:
        collect([SUB1], tmp_path / "s.json", FakeCredential(), endpoint=arg.endpoint, allow_endpoint=True)
    assert TOKEN not in caught.value.one_line()
    assert "redirect to https://evil.example/?t=[redacted] not followed" in caught.value.one_line()


@pytest.mark.parametrize(("text", "redacted"), [
    ("Authorization: Bearer abc.def", "Authorization: [redacted]"),
    ('{"Authorization": "Bearer abc"}', '{"Authorization": "[redacted]"}'),
    ("got bearer xyz123== back", "got bearer [redacted] back"),
    ("jwt eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl end", "jwt [redacted] end"),
    ("nothing secret here", "nothing secret here"),
])
def test_redact(text: str, redacted: str) -> None:
    assert collect_mod.redact(text) == redacted

"""`azroute report`: one self-contained HTML file (no external resource; a CSP forbids requests),
its sections and embedded data, and input names kept text (no name can open or close an element)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from clirun import invoke

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def _report(tmp_path: Path, topology: Path, intents: Path) -> tuple[str, str]:
    out = tmp_path / "report.html"
    run = invoke(["report", topology, "--intents", intents, "-o", out])
    assert run.exit_code == 0, run.stderr
    return out.read_text(encoding="utf-8"), run.stdout


def _parse(text: str) -> _Elements:
    parser = _Elements()
    parser.feed(text)
    return parser


def test_seed_report_is_self_contained(tmp_path: Path) -> None:
    text, stdout = _report(tmp_path, EXAMPLES / "scenario-a.yaml", EXAMPLES / "intents.yaml")
    assert re.fullmatch(r"wrote .*report\.html \(\d+ KiB\); 0 of 1 intents hold\n", stdout)
    parsed = _parse(text)
    csp = [a for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp == [{"http-equiv": "Content-Security-Policy", "content": "default-src 'none'; style-src "
                    "'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"}]
    for tag, attrs in parsed.tags:  # nothing is fetched: no src, no link, only in-page anchors
        assert tag not in ("link", "img", "iframe", "object", "embed"), tag
        assert "src" not in attrs, (tag, attrs)
        assert (attrs.get("href") or "#").startswith("#"), (tag, attrs)
    assert [t for t, a in parsed.tags if t == "script"] == ["script", "script"]
    data = json.loads(parsed.scripts[0])
    strings = data["s"]
    assert [s["subnets"] for s in data["sets"]] == [
        ["hub/GatewaySubnet", "hub/vm"], ["hub/AzureFirewallSubnet"], ["spoke1/ep"], ["spoke1/vm"]]
    lies = data["gateways"][0]["lies"]
    assert sorted(strings[data["rows"][int(r)][2]] for r in lies) == ["10.13.77.4/32", "10.13.77.5/32",
                                                                        "10.13.77.6/32"]
    assert [strings[f[1]] for f in data["find"]] == ["hubvm", "onpremvm", "storage-australia", "storage-germany",
                                                     "sql", "azfw", "vpngw"]
    for section in ("diagram", "intents", "find", "gateways", "routes", "assumptions", "warnings"):
        assert f'<section id="{section}">' in text
    assert '<article class="intent violated" data-flow="0">' in text
    assert "<b>Depends on assumptions:</b> gateway_honours_pe_udr_override[vpngw]=false, pe_reply_path=auto" in text
    lies_shown = re.search(r'<ul class="lie-list">(.*?)</ul>', text)
    assert lies_shown is not None
    assert re.findall(r"<li>gateway vpngw \(active-active VPN\) ignores User route (endpoint\d) ", lies_shown[1]) == [
        "endpoint1", "endpoint2", "endpoint3"]
    warned = re.search(r'<ul class="warnings">(.*?)</ul>', text)
    assert warned is not None and warned[1].count("<li>gateway vpngw (active-active VPN) ignores User route") == 3


def test_names_stay_text_in_html(tmp_path: Path) -> None:
    text, _ = _report(tmp_path, FIXTURES / "evil-names.yaml", FIXTURES / "evil-intents.yaml")
    parsed = _parse(text)
    assert [t for t, _ in parsed.tags if t == "script"] == ["script", "script"]
    assert not [t for t, _ in parsed.tags if t == "i"]
    for raw in ("<script>alert(1)", "</script><script>alert(2)", "<i>&x", "</title><script>x()"):
        assert raw not in text.replace("<script>{", "")
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in text  # the intent's name, as text
    data = json.loads(parsed.scripts[0])
    assert "sql</title><script>x()</script>" in data["s"]
    assert 'hub"];<i>&x\\n/vm' in data["s"]


def test_report_without_intents(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    run = invoke(["report", EXAMPLES / "scenario-b.yaml", "-o", out])
    assert run.exit_code == 0, run.stderr
    assert "<p>No intents: pass <code>--intents FILE</code>.</p>" in out.read_text(encoding="utf-8")


def test_unwritable_output_is_an_input_error(tmp_path: Path) -> None:
    run = invoke(["report", EXAMPLES / "scenario-b.yaml", "-o", tmp_path / "missing" / "r.html"])
    assert run.exit_code == 2
    assert run.stderr == ("error: --output: cannot write the report: No such file or directory; "
                          "fix: choose a writable path\n")
    assert not (tmp_path / "missing").exists()


def test_an_intent_that_holds_shows_a_sample_flow(tmp_path: Path) -> None:
    text, stdout = _report(tmp_path, EXAMPLES / "scenario-b.yaml", EXAMPLES / "intents.yaml")
    assert stdout.endswith("; 1 of 1 intents hold\n")
    assert '<article class="intent holds" data-flow="0">' in text
    assert ('<button class="showflow" data-flow="0">Show the sample flow on the diagram</button> '
            "onprem-to-endpoints-inspected (sample flow): onpremvm (192.168.0.4) -&gt; storage-australia (10.13.77.4) "
            "tcp/1433</p>") in text
    layer = re.search(r'<g class="flow" data-flow="0"[^>]*>(.*?)</g></g></svg>', text)
    assert layer is not None and 'style="display:none"' not in layer[0][:200]  # shown when the report opens
    assert re.findall(r'<polyline class="([^"]*)"', layer[1]) == [
        "edge forward", "edge forward", "edge forward", "edge return", "edge return", "edge return"]


def test_input_warnings_list_what_was_skipped_and_noted(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    plan = Path(__file__).resolve().parents[1] / "ingest" / "terraform" / "new-gateway-plan.json"
    run = invoke(["report", plan, "-o", out])
    assert run.exit_code == 0, run.stderr
    warned = re.search(r'<ul class="warnings">(.*?)</ul>', out.read_text(encoding="utf-8"))
    assert warned is not None
    assert re.findall(r"<li>(.*?)</li>", warned[1]) == [
        "skipped 1 x azurerm_mssql_server (not modelled)",
        "skipped 1 x azurerm_resource_group (not modelled)",
        "skipped 2 x azurerm_storage_account (not modelled)",
        "service endpoint prefixes unknown for Microsoft.Storage (spoke1/vm): its route rows list none; pass "
        "--service-tags ServiceTags_Public_YYYYMMDD.json (https://www.microsoft.com/download/details.aspx?id=56519) "
        "or add them under service_tags with --overlay",
        "private endpoint sql&#x27;s IP is known only after apply: checks try every distinct choice",
    ]


def test_a_flow_resting_on_an_unknown_assumption_is_shown_unknown(tmp_path: Path) -> None:
    """The report states a drawn flow's verdict as `trace` does: a sample flow that holds by every
    reading of the gateway assumption, traced under one of them, is UNKNOWN as traced, not reachable."""
    intents = tmp_path / "intents.yaml"
    intents.write_text("intents:\n  - {name: onprem-reaches-sql, from: site:onprem, to: pe:sql, ports: [1433]}\n",
                       encoding="utf-8")
    out = tmp_path / "report.html"
    run = invoke(["report", EXAMPLES / "scenario-a.yaml", "--intents", intents, "-o", out,
                  "--assume", "gateway_honours_pe_udr_override=unknown"])
    assert run.exit_code == 0, run.stderr
    happened = ("UNKNOWN (reachable as traced, but it depends on gateway_honours_pe_udr_override[vpngw]=unknown; "
                "settle it with --assume &#x27;NAME=VALUE&#x27;); crosses firewall azfw")
    text = out.read_text(encoding="utf-8")
    assert re.findall(r"<b>Happened</b> \(sample flow\): ([^<]*)</p>", text) == [happened]
    assert re.findall(r'<g class="flow" data-flow="0" data-title="[^"]*" data-verdict="([^"]*)"', text) == [
        f"holds (expected reachable): {happened}"]


def test_a_flow_through_a_required_load_balancer_is_not_drawn_as_a_bypass(tmp_path: Path) -> None:
    """`via: [lb:NAME]` names the device the trace labels 'load balancer NAME': the drawing reads the
    reference as `check` does, so the sample flow of an intent that holds is not marked red."""
    hub = EXAMPLES.parent / "hub-spoke-ilb-nsg"
    text, stdout = _report(tmp_path, hub / "topology.yaml", hub / "intents.yaml")
    assert stdout.endswith("; 5 of 5 intents hold\n")
    article = re.search(r'<article class="intent holds" data-flow="(\d+)"><h3><span class="badge">HOLDS</span>'
                        r"onprem-to-web-inspected</h3>.*?</article>", text, re.S)
    assert article is not None
    assert re.findall(r'<p class="small" style="color:#d32f2f">([^<]*)</p>', article[0]) == []
    layer = re.search(rf'<g class="flow" data-flow="{article[1]}".*?</g>(?=<g class="flow"|</g></svg>)', text, re.S)
    assert layer is not None
    assert re.findall(r'<polyline class="([^"]*)"', layer[0]) == ["edge forward"] * 4 + ["edge return"] * 4


def _flow_paragraphs(text: str, name: str) -> list[str]:
    """The paragraphs after an intent's 'Show the ... flow' button, without markup: what it expected,
    what happened, why (red: '[red] ...')."""
    article = re.search(rf'<article class="intent \w+" data-flow="\d+"><h3><span class="badge">\w+</span>{name}</h3>'
                        r".*?</article>", text, re.S)
    assert article is not None
    after = article[0].split('class="showflow"', 1)[1].split("</p>", 1)[1].split("<details>", 1)[0]
    return [("[red] " if 'color:#d32f2f' in p else "") + re.sub(r"<[^>]+>", "", p)
            for p in re.findall(r"<p[^>]*>.*?</p>", after)]


def test_expect_blocked_intents_say_what_was_expected_and_what_happened(tmp_path: Path) -> None:
    """An `expect: blocked` intent that holds reads as expected, not as a failure: no red, no
    'forward: delivered' line for a flow an NSG denies on arrival; a violated one says it was reachable."""
    hub = EXAMPLES.parent / "hub-spoke-ilb-nsg"
    text, _ = _report(tmp_path, hub / "topology.yaml", hub / "intents.yaml")
    blocked = "Expected: blocked (dropped or denied, or its reply misses a stateful device the request crossed)"
    assert _flow_paragraphs(text, "onprem-no-sql-to-app") == [
        blocked, "Happened (sample flow): NOT reachable; crosses nva nva1",
        "denied by nsg app-nsg/deny-sql-from-onprem, priority 110 (inbound at subnet spoke2/app, to vm app1)"]
    assert _flow_paragraphs(text, "onprem-to-web-inspected") == [
        "Expected: reachable, through lb:ilb-nva, the reply crossing the same stateful devices",
        "Happened (sample flow): reachable; crosses nva nva2"]
    text, _ = _report(tmp_path, EXAMPLES / "scenario-a.yaml", FIXTURES.parents[1] / "questions" / "fixtures" /
                      "intents-blocked.yaml")
    assert _flow_paragraphs(text, "onprem-to-hubvm-blocked") == [
        blocked, "Happened (example flow): reachable; crosses no firewall or NVA"]
    assert _flow_paragraphs(text, "hubvm-to-sql-blocked") == [
        blocked, "Happened (sample flow): NOT reachable; crosses firewall azfw",
        "asymmetric: the reply bypasses firewall azfw (a stateful device drops the flow)"]
    assert _flow_paragraphs(text, "hubvm-to-sql-blocked-asymmetry-ignored") == [
        "Expected: blocked (dropped or denied)",
        "Happened (example flow): NOT reachable; crosses firewall azfw; the intent ignores the reply&#x27;s "
        "asymmetry (symmetric: false)"]
    assert _flow_paragraphs(text, "onprem-to-unused-range-blocked")[2] == (
        "forward: dropped — not routed into Azure: no gateway connected to site onprem advertises 10.13.99.4")


def test_the_assumptions_help_quotes_assume_as_the_cli_does(tmp_path: Path) -> None:
    text, _ = _report(tmp_path, EXAMPLES / "scenario-a.yaml", EXAMPLES / "intents.yaml")
    assert ("settle one with <code>--assume 'NAME=VALUE'</code> (quoted: brackets in names are shell glob "
            "characters; docs/behaviours.md gives the evidence).</p>") in text
    assert "--assume NAME=VALUE" not in text

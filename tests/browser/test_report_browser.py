"""The HTML report in a real browser: headless Chromium (Debian's `chromium`, which `make test` and
.ci/run install when missing) opens the seed's scenario A report from disk. Asserted: no console
message at all (errors, CSP refusals of any request), the diagram's SVG holds a node for every VNet
and firewall, the violated intent's example flow is drawn and marked red with its deciding hop, and
the search box finds 10.13.77.6 and shows its routes. Screenshots are saved as test artifacts in
$AZROUTE_ARTIFACTS (default out/browser/)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from clirun import invoke

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "private-link-gateway"
ARTIFACTS = Path(os.environ.get("AZROUTE_ARTIFACTS", ROOT / "out" / "browser"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("headless Chromium is needed: `make test` installs Debian's chromium package "
                    "(or: apt-get install chromium)")
    return found


def _open(url: str, profile: Path, *mode: str) -> subprocess.CompletedProcess[str]:
    run = subprocess.run([_chromium(), *FLAGS, f"--user-data-dir={profile}", *mode, url],
                         capture_output=True, text=True, timeout=180, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    return run


class _Dom(HTMLParser):
    """Elements of the dumped DOM: (tag, attributes, text inside) and the body's attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[int] = []
        self.text: dict[int, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in ("meta", "br", "input", "link", "img"):
            self.stack.append(len(self.elements) - 1)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            index = self.stack.pop()
            if self.elements[index][0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for index in self.stack:
            self.text.setdefault(index, []).append(data)

    def find(self, tag: str, **wanted: str) -> list[int]:
        return [i for i, (t, a) in enumerate(self.elements)
                if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in wanted.items())]

    def text_of(self, index: int) -> str:
        return "".join(self.text.get(index, []))


def _untemplated(dom: str) -> str:
    return re.sub(r"<template\b.*?</template>", "", dom, flags=re.S)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    run = invoke(["report", EXAMPLES / "scenario-a.yaml", "--intents", EXAMPLES / "intents.yaml", "-o", out])
    assert run.exit_code == 0, run.stderr
    return out


def test_report_renders_the_bypass_and_finds_the_endpoint(report: Path, tmp_path: Path) -> None:
    run = _open(f"{report.as_uri()}#find=10.13.77.6", tmp_path / "profile", "--dump-dom")
    dom = _Dom()
    dom.feed(run.stdout)
    body = dom.elements[dom.find("body")[0]][1]
    assert body.get("data-ready") == "1"  # the script ran to its end
    nodes = [(a.get("data-kind"), a.get("data-id")) for t, a in dom.elements
             if t == "g" and (a.get("class") or "").startswith("node ")]
    assert [n for n in nodes if n[0] == "vnet"] == [("vnet", "vnet:hub"), ("vnet", "vnet:spoke1")]
    assert [n for n in nodes if n[0] == "firewall"] == [("firewall", "firewall:azfw")]
    # the violated intent's example flow is shown, its bypass red, the deciding hop labelled
    flows = [(a.get("data-flow"), a.get("style")) for t, a in dom.elements if t == "g" and a.get("class") == "flow"]
    assert flows == [("0", None)]
    edges = [a.get("class") for t, a in dom.elements if t == "polyline"]
    assert edges == ["edge forward", "edge forward bad deciding", "edge return", "edge return"]
    decided = [dom.text_of(i) for i in dom.find("text", **{"class": "decided"})]
    assert decided == ["decided at gateway vpngw:", "System Route: 10.13.77.6/32 Default ->", "InterfaceEndpoint",
                       "does not traverse firewall azfw"]
    assert dom.text_of(dom.find("b", id="flow-title")[0]) == \
        "Showing: onprem-to-endpoints-inspected: onpremvm (192.168.0.4) -> sql (10.13.77.6) tcp/1433 — " \
        "violated (expected reachable): reachable; crosses no firewall or NVA"
    assert [a.get("class") for t, a in dom.elements if t == "article"] == ["intent violated selected"]
    # search: the endpoint, its subnet, its routes; its node highlighted
    results = dom.find("ul", id="results")[0]
    assert [dom.text_of(i) for i in range(results + 1, results + 3)] == [
        "private endpoint sql (10.13.77.6) in spoke1/ep", "subnet spoke1/ep"]
    assert dom.elements[results + 3][0] == "div"  # and nothing more
    found = dom.text_of(dom.find("div", id="found-routes")[0])
    assert found.startswith("Effective routes of spoke1/epShow whySourceStateAddress PrefixNext Hop TypeNext Hop IP")
    assert "DefaultActive10.13.77.6/32InterfaceEndpoint" in found
    assert [a.get("data-id") for t, a in dom.elements if t == "g" and "found" in (a.get("class") or "").split()] \
        == ["pe:sql"]


def test_screenshots_are_saved(report: Path, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, fragment in (("report-scenario-a.png", ""), ("report-scenario-a-search.png", "#find=10.13.77.6")):
        shot = ARTIFACTS / name
        shot.unlink(missing_ok=True)
        _open(report.as_uri() + fragment, tmp_path / name, f"--screenshot={shot}", "--window-size=1200,900")
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_gateway_rows_the_data_path_ignores_are_highlighted(report: Path, tmp_path: Path) -> None:
    run = _open(report.as_uri(), tmp_path / "profile", "--dump-dom")
    dom = _Dom()
    dom.feed(run.stdout)
    table = dom.find("div", id="gw-0")[0]
    lies = [i for i in dom.find("tr", **{"class": "lie"}) if i > table]
    cells = [[dom.text_of(j) for j in range(i + 1, i + 6)] for i in lies]
    assert cells == [["User", "Active", f"10.13.77.{n}/32", "VirtualAppliance", "10.13.76.68"] for n in (4, 5, 6)]
    assert dom.elements[lies[0]][1]["title"].startswith(
        "The gateway's data path ignores this row: gateway vpngw (active-active VPN) ignores User route endpoint1 ")


def test_spoke_groups_expand_in_the_browser(tmp_path: Path) -> None:
    """Two groups of 8 spokes collapse into two nodes; `#expand` (what a click does) draws their members."""
    import yaml  # noqa: PLC0415 - only this test writes a topology

    from questions.test_topology_graph import estate  # noqa: PLC0415

    topology = tmp_path / "estate.yaml"
    topology.write_text(yaml.safe_dump(estate(24)), encoding="utf-8")
    out = tmp_path / "estate.html"
    assert invoke(["report", topology, "-o", out]).exit_code == 0
    collapsed, expanded = _Dom(), _Dom()
    # what is drawn: the DOM without the inert templates the bands come from
    collapsed.feed(_untemplated(_open(out.as_uri(), tmp_path / "p1", "--dump-dom").stdout))
    expanded.feed(_untemplated(_open(out.as_uri() + "#expand", tmp_path / "p2", "--dump-dom").stdout))

    def vnets_and_groups(dom: _Dom) -> tuple[int, list[str]]:
        vnets = [a for t, a in dom.elements if t == "g" and a.get("data-kind") == "vnet"]
        groups = [a.get("data-id") or "" for t, a in dom.elements if t == "g" and a.get("data-kind") == "group"]
        return len(vnets), groups

    # collapsed: the hub and the 8 spokes of shapes too rare to group
    assert vnets_and_groups(collapsed) == (9, ["group:1", "group:2"])
    assert vnets_and_groups(expanded) == (9 + 16, ["group:1", "group:2"])
    bands = [(a.get("data-group"), a.get("style")) for t, a in expanded.elements
             if t == "g" and a.get("class") == "band"]
    assert bands == [("group:1", ""), ("group:2", "")]

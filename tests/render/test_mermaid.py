"""`trace -o mermaid`: the whole flowchart of the seed's flows, red where a flow goes wrong, and
every input name escaped (a resource named `<script>` or `"];` must not break or inject)."""

from __future__ import annotations

from pathlib import Path

from clirun import invoke

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway"
SQL = "sqltest1138australia.database.windows.net"


def _mermaid(scenario: str, *args: str, exit_code: int = 0) -> str:
    """The drawing; `exit_code` is trace's: 0 reachable and symmetric, 1 not."""
    run = invoke(["trace", EXAMPLES / f"scenario-{scenario}.yaml", *args, "-o", "mermaid"])
    assert run.exit_code == exit_code, run.stderr
    assert run.stderr == ""
    return run.stdout


def test_seed_b_path_through_the_firewall() -> None:
    assert _mermaid("b", "--from", "onpremvm", "--to", SQL, "--port", "1433") == """\
flowchart LR
  %% onpremvm (192.168.0.4) → sqltest1138australia.database.windows.net (10.13.77.6) tcp/1433: reachable; crosses firewall azfw
  v0["onpremvm (192.168.0.4) → sqltest1138australia.database.windows.net (10.13.77.6) tcp/1433<br/>verdict: reachable; crosses firewall azfw"]
  n1(["site onprem"])
  n2[["gateway vpngw<br/>10.13.76.4 10.13.76.5"]]
  n3{{"firewall azfw<br/>10.13.76.69 10.13.76.70"}}
  n4[("private endpoint sql<br/>10.13.77.6")]
  n1 -->|"sends into gateway vpngw: it advertises 10.13.76.0/24, 10.13.77.0/24 to the site"| n2
  n2 -->|"gateway-rt/endpoint-vnet: 10.13.77.0/24 User → VirtualAppliance 10.13.76.68"| n3
  n3 -->|"System Route: 10.13.77.6/32 Default → InterfaceEndpoint"| n4
  n4 -.->|"return: back to firewall azfw, the hop that delivered the request"| n3
  n3 -.->|"return: System Route: 192.168.0.0/24 VirtualNetworkGateway → VirtualNetworkGateway 10.13.76.4 10.13.76.5"| n2
  n2 -.->|"return: System Route: 192.168.0.0/24 VirtualNetworkGateway → VirtualNetworkGateway 10.13.76.4 10.13.76.5"| n1
  classDef verdict fill:#fff8c5,stroke:#9a6700,color:#1f2328
  class v0 verdict
"""


def test_asymmetric_reply_is_red_and_its_deciding_hop_labelled() -> None:
    assert _mermaid("a", "--from", "hubvm", "--to", "sql", exit_code=1) == """\
flowchart LR
  %% hubvm (10.13.76.132) → sql (10.13.77.6) tcp: NOT reachable; crosses firewall azfw
  %% problem: asymmetric: the reply bypasses firewall azfw (a stateful device drops the flow)
  v0["hubvm (10.13.76.132) → sql (10.13.77.6) tcp<br/>verdict: NOT reachable; crosses firewall azfw"]
  n1["vm hubvm<br/>10.13.76.132"]
  n2{{"firewall azfw<br/>10.13.76.69 10.13.76.70"}}
  n3[("private endpoint sql<br/>10.13.77.6")]
  n1 -->|"gateway-rt/endpoint3: 10.13.77.6/32 User → VirtualAppliance 10.13.76.68"| n2
  n2 -->|"System Route: 10.13.77.6/32 Default → InterfaceEndpoint"| n3
  n3 -.->|"return: straight back to hubvm (10.13.76.132) (decided here: asymmetric: the reply bypasses firewall azfw (a stateful device drops the flow))"| n1
  linkStyle 2 stroke:#d32f2f,stroke-width:3px,color:#d32f2f
  classDef verdict fill:#fff8c5,stroke:#9a6700,color:#1f2328
  class v0 verdict
"""


def test_dropped_flow_ends_in_a_red_dropped_node() -> None:
    assert _mermaid("a", "--from", "hubvm", "--to", "10.99.0.1", exit_code=1) == """\
flowchart LR
  %% hubvm (10.13.76.132) → 10.99.0.1 tcp: NOT reachable; crosses no firewall or NVA
  %% problem: forward: dropped — None route 10.0.0.0/8 at vm hubvm
  v0["hubvm (10.13.76.132) → 10.99.0.1 tcp<br/>verdict: NOT reachable; crosses no firewall or NVA"]
  n1["vm hubvm<br/>10.13.76.132"]
  n2(("dropped"))
  n1 -->|"System Route: 10.0.0.0/8 Default → None (decided here: None route 10.0.0.0/8 at vm hubvm)"| n2
  linkStyle 0 stroke:#d32f2f,stroke-width:3px,color:#d32f2f
  classDef dropped fill:#fde0e0,stroke:#d32f2f,color:#d32f2f
  class n2 dropped
  classDef verdict fill:#fff8c5,stroke:#9a6700,color:#1f2328
  class v0 verdict
"""


EVIL_VM = '<script>alert(1)</script>"];#x'
EVIL_FW = 'fw"]; evil{{'


def evil_topology(tmp_path: Path) -> Path:
    """Scenario A with names that are Mermaid, HTML and DOT syntax."""
    text = (EXAMPLES / "scenario-a.yaml").read_text(encoding="utf-8")
    text = text.replace("hubvm:", '"<script>alert(1)</script>\\"];#x":')
    text = text.replace("  azfw:", '  "fw\\"]; evil{{":')
    out = tmp_path / "evil.yaml"
    out.write_text(text, encoding="utf-8")
    return out


def test_input_names_are_escaped(tmp_path: Path) -> None:
    run = invoke(["trace", evil_topology(tmp_path), "--from", EVIL_VM, "--to", "sql", "-o", "mermaid"])
    assert run.exit_code == 1, run.stderr  # scenario A's hub VM -> sql is asymmetric
    lines = run.stdout.splitlines()
    assert lines[3] == ('  v0["#lt;script#gt;alert(1)#lt;/script#gt;#quot;];#35;x (10.13.76.132) → sql (10.13.77.6) tcp'
                        '<br/>verdict: NOT reachable; crosses firewall fw#quot;]; evil{{"]')
    assert lines[4] == '  n1["vm #lt;script#gt;alert(1)#lt;/script#gt;#quot;];#35;x<br/>10.13.76.132"]'
    assert lines[5] == '  n2{{"firewall fw#quot;]; evil{{<br/>10.13.76.69 10.13.76.70"}}'
    # no raw quote, angle bracket or backtick anywhere inside a label: every label is one quoted string
    for line in lines[3:]:
        inner = line.split('"', 1)[1].rsplit('"', 1)[0].replace("<br/>", "") if '"' in line else ""
        assert not set(inner) & set('"<>`'), line


def test_readme_shows_the_current_mermaid_of_the_seed_b_path() -> None:
    readme = (EXAMPLES.parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```mermaid\n", 1)[1].split("```", 1)[0]
    run = invoke(["trace", EXAMPLES / "scenario-b.yaml", "--from", "onpremvm", "--to", SQL, "--port", "1433",
                  "-o", "mermaid"])
    assert block == run.stdout

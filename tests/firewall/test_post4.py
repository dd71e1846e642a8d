"""Post #4 of the seed series: the firewall resolves the name itself (application rules) and, its VNet not
being linked to the privatelink zone, connects to the public address: azroute reports the bypass."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from azroute.cli import main

REPO = Path(__file__).resolve().parents[2]
TOPOLOGY = str(REPO / "tests" / "dns" / "fixtures" / "post4-firewall-vantage.yaml")
OVERLAY = str(REPO / "tests" / "firewall" / "fixtures" / "post4-application-rule.yaml")


def test_firewall_connects_to_the_public_address() -> None:
    result = CliRunner().invoke(main, ["trace", TOPOLOGY, "--overlay", OVERLAY, "--from", "spokevm",
                                       "--to", "sqltest1138australia.database.windows.net", "--port", "1433"])
    assert (result.exit_code, result.stderr) == (1, "")  # NOT reachable: trace exits 1
    assert result.stdout == """\
Flow: spokevm (10.13.77.68) -> sqltest1138australia.database.windows.net (10.13.77.6, private answer from vm spokevm (10.13.77.68), vnet spoke1: Azure-provided DNS (168.63.129.16)) tcp/1433

Forward: left Azure (Internet) — Internet route 0.0.0.0/0
   1. vm spokevm: to firewall azfw  (10.13.77.68 -> 10.13.77.6)  via spoke-rt/endpoints: 10.13.77.0/26 User -> VirtualAppliance 10.13.76.68
   2. firewall azfw [10.13.76.69 10.13.76.70]: to the Internet  (10.13.76.69 -> 20.53.46.128)  via System Route: 0.0.0.0/0 Default -> Internet
      rules: Allow by application rule azfw/default/apps/sql (group priority 200, collection priority 100); SNAT to 10.13.76.69, proxied

Verdict: NOT reachable; crosses firewall azfw
Source IP seen by the destination: a public address of Azure's outbound SNAT (not modelled)
  the connection reaches 20.53.46.128, not 10.13.77.6: a firewall resolved the name itself and connected elsewhere
Note: firewall azfw resolved sqltest1138australia.database.windows.net itself to 20.53.46.128, not 10.13.77.6: it connects there
Note: return path not computed: the destination is outside the topology (left Azure (Internet))
"""


def test_check_reports_the_redirect(tmp_path: Path) -> None:
    intents = tmp_path / "intents.yaml"
    intents.write_text("intents:\n  - {name: spoke-to-sql, from: 'vm:spokevm', to: 'pe:sql', ports: [1433], "
                       "via: ['firewall:azfw']}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", TOPOLOGY, str(intents), "--overlay", OVERLAY, "--brief"])
    assert result.exit_code == 1
    assert result.stdout == (
        "VIOLATED spoke-to-sql: the connection reaches 20.53.46.128, not 10.13.77.6: a firewall resolved the name "
        "itself and connected elsewhere; example spokevm (10.13.77.68) -> sql (10.13.77.6):1433 goes firewall azfw "
        "-> left Azure (Internet) (Internet route 0.0.0.0/0)\n")

"""B-CHK-RANGES with firewall rules: a rule's address prefixes are range boundaries, so a
network rule allowing only half of the on-premises range makes `check` report the other half."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from azroute.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_rule_prefix_splits_the_source_range(tmp_path: Path) -> None:
    data = yaml.safe_load((REPO / "examples" / "private-link-gateway" / "scenario-b-firewall.yaml").read_text())
    rule = data["firewall_policies"]["azfw-policy"]["rule_collection_groups"]["default"]["rule_collections"][
        "allow-onprem-to-endpoints"]["rules"]["onprem-sql"]
    rule["source_addresses"] = ["192.168.0.0/25"]
    topology = tmp_path / "topology.yaml"
    topology.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    intents = tmp_path / "intents.yaml"
    intents.write_text(yaml.safe_dump({"intents": [{"name": "onprem-sql", "from": "site:onprem", "to": "pe:sql",
                                                    "ports": [1433], "via": ["firewall:azfw"]}]}), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(topology), str(intents), "-o", "json"])
    assert result.exit_code == 1
    report = yaml.safe_load(result.stdout)["intents"][0]
    assert report["verdict"] == "violated"
    assert [(v["sources"], v["destinations"]) for v in report["violations"]] == [("192.168.0.128/25", "10.13.77.6/32")]
    assert report["violations"][0]["reason"].startswith("not reachable: delivered to private endpoint sql; denied by "
                                                        "firewall azfw: Deny by default rule Default Action")

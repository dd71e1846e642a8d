"""Intent selectors and devices may be Azure resource IDs (B-IN-RESOURCE-IDS)."""

from __future__ import annotations

from pathlib import Path

import yaml

from clirun import invoke

REPO = Path(__file__).resolve().parents[3]
GRAPH = REPO / "tests" / "ingest" / "arm" / "seed-graph.json"
OVERLAY = REPO / "examples" / "private-link-gateway" / "overlay.yaml"
SUB = "/subscriptions/7c1e9d2a-4b3f-4e8a-9d61-2f5b8c3a1e07/resourceGroups"
PE = f"{SUB}/rg-plink-spoke1/providers/Microsoft.Network/privateEndpoints/sql"
FIREWALL = f"{SUB}/rg-plink-hub/providers/Microsoft.Network/azureFirewalls/azfw"


def _check(tmp_path: Path, to: str, via: str) -> tuple[int, str, str]:
    intents = tmp_path / "intents.yaml"
    intents.write_text(yaml.safe_dump({"intents": [{"name": "x", "from": "site:onprem", "to": to, "ports": [1433],
                                                    "via": [via]}]}), encoding="utf-8")
    result = invoke(["check", GRAPH, intents, "--overlay", OVERLAY, "--brief"])
    return result.exit_code, result.stdout, (result.stderr.splitlines() or [""])[-1]


def test_ids_check_like_names(tmp_path: Path) -> None:
    by_id = _check(tmp_path, PE.upper(), FIREWALL)
    by_name = _check(tmp_path, "pe:sql", "firewall:azfw")
    assert by_id == by_name
    assert by_id[0] == 1


def test_unknown_id_is_an_input_error(tmp_path: Path) -> None:
    code, out, err = _check(tmp_path, PE.replace("/sql", "/nope"), FIREWALL)
    assert (code, out) == (2, "")
    assert err == (f"error: {tmp_path / 'intents.yaml'}: intents.0.to: resource ID '{PE.replace('/sql', '/nope')}' "
                   "is not in the input; fix: give the name or the ID of a private endpoint, VM, site, subnet or VNet in "
                   "the input (`azroute export FILE` lists its IDs under resource_ids)")

"""FQDN tags in application rules (B-FW-APPLICATION): Microsoft maintains their FQDN lists, so the file
gives them under `fqdn_tags:`; a tag without a list is an input error, never a silent non-match."""

from __future__ import annotations

from pathlib import Path

import yaml

from clirun import invoke

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "private-link-gateway" / "scenario-b-firewall.yaml"
BLOB = "storagetest1138australia.blob.core.windows.net"
RULE_PATH = ("firewall_policies.azfw-policy.rule_collection_groups.default.rule_collections.web.rules.onprem-blob"
             ".fqdn_tags.0")


def _topology(tmp_path: Path, tags: dict[str, list[str]] | None) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    rule = data["firewall_policies"]["azfw-policy"]["rule_collection_groups"]["default"]["rule_collections"]["web"][
        "rules"]["onprem-blob"]
    rule["target_fqdns"], rule["fqdn_tags"] = [], ["StorageBlobs"]
    if tags is not None:
        data["fqdn_tags"] = tags
    path = tmp_path / "topology.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_tag_with_fqdns_matches(tmp_path: Path) -> None:
    result = invoke(["trace", _topology(tmp_path, {"StorageBlobs": ["*.blob.core.windows.net"]}), "--from",
                     "onpremvm", "--to", BLOB, "--port", "443"])
    assert result.exit_code == 0
    assert ("      rules: Allow by application rule azfw/default/web/onprem-blob (group priority 200, collection "
            "priority 200); SNAT to 10.13.76.69, proxied") in result.stdout.splitlines()


def test_tag_not_covering_the_name_is_default_deny(tmp_path: Path) -> None:
    result = invoke(["trace", _topology(tmp_path, {"StorageBlobs": ["*.file.core.windows.net"]}), "--from",
                     "onpremvm", "--to", BLOB, "--port", "443"])
    assert ("      blocker: denied by firewall azfw: Deny by default rule Default Action (no rule matched: Azure "
            "Firewall denies by default)") in result.stdout.splitlines()


def test_tag_without_list_is_an_input_error(tmp_path: Path) -> None:
    path = _topology(tmp_path, None)
    result = invoke(["routes", path, "--vm", "hubvm"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"error: {path}: {RULE_PATH}: FQDN tag 'StorageBlobs' has no FQDN list in this file; "
                             "fix: add fqdn_tags: {StorageBlobs: [the FQDNs it covers, wildcards allowed]}\n")

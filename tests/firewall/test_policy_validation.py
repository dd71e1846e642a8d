"""Firewall policy validation: every mistake is one line naming the file, the key path and the fix, exit 2.

Fixtures: tests/firewall/fixtures/invalid/*.yaml, one defect each (each file's comment names the Azure
rule it pins down); tests/firewall/fixtures/policy-valid.yaml is their valid counterpart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from azroute.errors import InputError
from azroute.ingest import load

Run = Any  # conftest.Run (fixtures only)

RULES = "firewall_policies.hub-policy.rule_collection_groups.platform.rule_collections.c1"
ERRORS = {
    "unknown-policy": ("firewalls.azfw.policy", "unknown firewall policy 'missing-policy'; fix: define it under "
                       "firewall_policies"),
    "unknown-ip-group": (f"{RULES}.rules.r1.source_ip_groups.0", "unknown IP group 'on-prem'; fix: define it under "
                         "ip_groups"),
    "bad-port-range": (f"{RULES}.rules.r1.destination_ports.1", "'2000-1000' is not a port or port range; fix: "
                       "write 443, 1000-2000 or *"),
    "application-without-fqdns": (f"{RULES}.rules.r1", "an application rule needs target_fqdns or fqdn_tags; fix: "
                                  "add target_fqdns"),
    "network-fqdn-without-dns-proxy": (f"{RULES}.rules.r1.destination_fqdns", "FQDNs in network rules need the "
                                       "policy's DNS proxy; fix: set dns_proxy: true on the policy or use "
                                       "destination_addresses"),
    "dnat-without-translated-address": (f"{RULES}.rules.r1.translated_address", "a DNAT rule needs "
                                        "translated_address; fix: add the private address to translate to"),
    "wrong-action": (f"{RULES}.action", "action Dnat does not fit a network collection; fix: DNAT collections use "
                     "Dnat; network and application ones Allow or Deny"),
    "dnat-with-allow": (f"{RULES}.action", "action Allow does not fit a dnat collection; fix: DNAT collections use "
                        "Dnat; network and application ones Allow or Deny"),
    "priority-out-of-range": (f"{RULES}.priority", "Input should be less than or equal to 65000 (got 65001); fix: "
                              "correct the value"),
    "group-priority-out-of-range": ("firewall_policies.hub-policy.rule_collection_groups.platform.priority",
                                    "Input should be greater than or equal to 100 (got 99); fix: correct the value"),
    "bad-protocol": (f"{RULES}.rules.r1.protocols.0", "'HTTP' is not a network protocol; fix: use TCP, UDP, ICMP "
                     "or Any"),
    "bad-application-protocol": (f"{RULES}.rules.r1.protocols.1", "'Ftp:21' is not an application protocol; fix: "
                                 "write Http:80, Https:443 or Mssql:1433"),
    "application-protocol-port-out-of-range": (f"{RULES}.rules.r1.protocols.0", "'Https:65536' is not an "
                                               "application protocol; fix: write Http:80, Https:443 or "
                                               "Mssql:1433"),
    "network-without-destination": (f"{RULES}.rules.r1", "a network rule without a destination never matches; "
                                    "fix: add destination_addresses (or destination_ip_groups / "
                                    "destination_fqdns)"),
    "dnat-without-destination": (f"{RULES}.rules.r1", "a dnat rule without a destination never matches; fix: add "
                                 "destination_addresses (the firewall's address for DNAT)"),
    "translated-port-out-of-range": (f"{RULES}.rules.r1.translated_port", "port 65536 is outside 1-65535; fix: "
                                     "use a port between 1 and 65535"),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_one_line_error_exit_2(name: str, azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    file = path(f"invalid/{name}")
    key, message = ERRORS[name]
    for args in (["routes", file, "--subnet", "hub/vm"], ["trace", file, "--from", "10.0.0.70", "--to", "10.0.0.4"]):
        result = azroute(args)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {file}: {key}: {message}\n")


@pytest.mark.parametrize("name", list(ERRORS))
def test_library_raises_input_error(name: str, path: Callable[[str], str]) -> None:
    with pytest.raises(InputError) as caught:
        load(path(f"invalid/{name}"))
    assert (caught.value.exit_code, caught.value.path, caught.value.file) == (
        2, ERRORS[name][0], path(f"invalid/{name}"))


def test_the_valid_counterpart_loads(azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    topology = load(path("policy-valid"))
    policy = topology.firewall_policies["hub-policy"]
    [group] = policy.groups
    assert [(c.name, str(c.kind), c.priority, c.action, [r.name for r in c.rules]) for c in group.collections] == [
        ("c0", "dnat", 100, "Dnat", ["r0"]), ("c1", "network", 65000, "Allow", ["r1", "r2"]),
        ("c2", "application", 200, "Deny", ["r3"])]
    r1 = group.collections[1].rules[0]
    assert (r1.ports, [str(p) for p in r1.sources]) == (((443, 443), (1000, 2000)), ["192.168.0.0/24"])
    result = azroute(["routes", path("policy-valid"), "--subnet", "hub/vm"])
    assert (result.exit_code, result.stderr) == (0, "")

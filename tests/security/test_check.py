"""`check` with NSGs (B-CHK-RANGES, B-CHK-PORTS, B-CHK-JUDGE): source ranges are cut at NSG rule prefixes
(10.1.2.0/24 of db-nsg/allow-app-sql), each port is checked (deny-sql covers 1433 and 8000-8100),
`allowed_by: nsg:NSG/RULE` names the deciding NSG rule. Fixtures: nsg.yaml, nsg-intents.yaml."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from azroute.errors import InputError
from azroute.ingest.intents import load_intents
from azroute.questions.check import Checker, Verdict, range_text

Topo = Callable[[str], Any]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DENY_SQL = "denied by nsg db-nsg/deny-sql, priority 110 (inbound at subnet spoke2/db, to vm db1)"
DENY_WEB2 = "denied by nsg web2-nic/deny-spoke2, priority 100 (outbound at NIC of vm web2)"


def _results(topology: Topo) -> dict[str, Any]:
    topo = topology("nsg")
    checker = Checker(topo)
    return {i.name: checker.check(i) for i in load_intents(FIXTURES / "nsg-intents.yaml", topo)}


def test_ranges_cut_at_nsg_prefixes_and_every_port_checked(topology: Topo) -> None:
    result = _results(topology)["spoke1-to-db-sql"]
    assert result.verdict is Verdict.VIOLATED
    # the subnets without the addresses Azure reserves (first four, last: B-ADDR-RESERVED)
    web = ("10.1.1.4/32, 10.1.1.6/31, 10.1.1.8/29, 10.1.1.16/28, 10.1.1.32/27, 10.1.1.64/26, 10.1.1.128/26, "
           "10.1.1.192/27, 10.1.1.224/28, 10.1.1.240/29, 10.1.1.248/30, 10.1.1.252/31, 10.1.1.254/32")
    app = ("10.1.2.4/30, 10.1.2.8/29, 10.1.2.16/28, 10.1.2.32/27, 10.1.2.64/26, 10.1.2.128/26, 10.1.2.192/27, "
           "10.1.2.224/28, 10.1.2.240/29, 10.1.2.248/30, 10.1.2.252/31, 10.1.2.254/32")
    assert [(v.reason, range_text(v.sources, 40), range_text(v.destinations)) for v in result.violations] == [
        (f"port 8080: not reachable: delivered to vm db1; {DENY_SQL}", f"{web}, {app}", "10.2.1.4/32"),
        (f"port 1433: not reachable: delivered to vm db1; {DENY_SQL}", web, "10.2.1.4/32"),
        (f"port 1433: not reachable: delivered to vm db1; {DENY_WEB2}; {DENY_SQL}", "10.1.1.5/32", "10.2.1.4/32"),
        (f"port 8080: not reachable: delivered to vm db1; {DENY_WEB2}; {DENY_SQL}", "10.1.1.5/32", "10.2.1.4/32"),
    ]
    # the rest of spoke1's address space holds no subnet: noted, not checked
    assert result.unchecked == ("sources 10.1.0.0/24, 10.1.3.0/24, 10.1.4.0/22, 10.1.8.0/21, 10.1.16.0/20, "
                                "10.1.32.0/19 and 2 more are VNet address space no subnet uses: not checked",)


def test_allowed_by_an_nsg_rule(topology: Topo) -> None:
    results = _results(topology)
    assert results["app-to-db-by-rule"].verdict is Verdict.HOLDS
    assert [v.reason for v in results["web-to-db-by-rule"].violations] == [
        f"not reachable: delivered to vm db1; {DENY_SQL}"]


def test_allowed_by_names_the_other_rule(topology: Topo, tmp_path: Any) -> None:
    """A reachable flow decided by another rule of that NSG violates allowed_by."""
    intents = tmp_path / "i.yaml"
    intents.write_text("intents:\n  - {name: x, from: 'vm:web1', to: 'vm:db1', ports: [22], "
                       "allowed_by: 'nsg:db-nsg/allow-app-sql'}\n", encoding="utf-8")
    topo = topology("nsg")
    [intent] = load_intents(intents, topo)
    assert [v.reason for v in Checker(topo).check(intent).violations] == [
        "not allowed by nsg:db-nsg/allow-app-sql but by nsg:db-nsg/AllowVnetInBound"]


def test_allowed_by_unknown_nsg_rule_is_an_input_error(topology: Topo, tmp_path: Any) -> None:
    intents = tmp_path / "i.yaml"
    intents.write_text("intents:\n  - {name: x, from: 'vm:web1', to: 'vm:db1', allowed_by: 'nsg:db-nsg/nope'}\n",
                       encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_intents(intents, topology("nsg"))
    assert caught.value.one_line() == (
        f"{intents}: intents.0.allowed_by: 'nsg:db-nsg/nope' is not a rule of a network security group; fix: "
        "write nsg:NSG/RULE, e.g. nsg:db-nsg/allow-app-sql")

"""Real `az network nic show-effective-route-table` captures, reproduced whole.

B-GW-NEXTHOP-ROWS and B-SYS-NONE-LIST: Azure's display changed between the seed (January 2025, one row
per active-active gateway instance) and the 2026 captures (one row listing both instance IPs; 21 None
prefixes instead of 17). The defaults follow 2026; `gateway_next_hop_rows: per_instance` and
`none_routes: observed-2023` reproduce the older captures. Fixtures: tests/routing/fixtures/ (each file
says which capture it models).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirun import invoke

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway"

#: erjosito/net-lab-builder @8ef2a5b4 (2026-08-07), labs/dual-hub-interconnect-ars-route-policy/show-output/
#: new/square-faults/normal/effective-nic-vm-onprem-ep.json, verbatim (captured on Windows: CRLF line ends).
CAPTURE_2026 = FIXTURES / "netlab-2026-effective-onprem-ep.json"

#: erjosito/azure-networking-lab README (2023-10), lab 2 step 9: myVnet1-vm1-nic before any route table.
CAPTURE_2023 = """\
Source    State    Address Prefix    Next Hop Type    Next Hop IP
--------  -------  ----------------  ---------------  -------------
Default   Active   10.1.0.0/16       VnetLocal
Default   Active   10.4.0.0/16       VNetPeering
Default   Active   0.0.0.0/0         Internet
Default   Active   10.0.0.0/8        None
Default   Active   127.0.0.0/8       None
Default   Active   100.64.0.0/10     None
Default   Active   172.16.0.0/12     None
Default   Active   25.48.0.0/12      None
Default   Active   25.4.0.0/14       None
Default   Active   198.18.0.0/15     None
Default   Active   157.59.0.0/16     None
Default   Active   192.168.0.0/16    None
Default   Active   25.33.0.0/16      None
Default   Active   40.109.0.0/16     None
Default   Active   104.147.0.0/16    None
Default   Active   104.146.0.0/17    None
Default   Active   40.108.0.0/17     None
Default   Active   23.103.0.0/18     None
Default   Active   25.41.0.0/20      None
Default   Active   20.35.252.0/22    None
"""


def _routes(*args: str) -> str:
    result = invoke(["routes", *args])
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result.stdout


def test_default_output_is_the_2026_capture_byte_for_byte() -> None:
    """B-GW-NEXTHOP-ROWS (merged) and B-SYS-NONE-LIST (observed = the 21 prefixes of 2026)."""
    ours = _routes(str(FIXTURES / "netlab-2026-onprem.yaml"), "--vm", "vm-onprem-ep", "-o", "json")
    assert ours == CAPTURE_2026.read_text(encoding="utf-8").replace("\r\n", "\n")


def test_2026_capture_as_table_joins_the_instance_ips() -> None:
    ours = _routes(str(FIXTURES / "netlab-2026-onprem.yaml"), "--vm", "vm-onprem-ep").splitlines()
    assert ours[:8] == [
        "Source                 State    Address Prefix    Next Hop Type          Next Hop IP",
        "---------------------  -------  ----------------  ---------------------  -------------------",
        "Default                Active   10.40.0.0/16      VnetLocal",
        "VirtualNetworkGateway  Active   10.10.0.5/32      VirtualNetworkGateway  10.40.0.4 10.40.0.5",
        "VirtualNetworkGateway  Active   10.50.0.0/16      VirtualNetworkGateway  10.40.0.4 10.40.0.5",
        "VirtualNetworkGateway  Active   10.10.0.4/32      VirtualNetworkGateway  10.40.0.4 10.40.0.5",
        "VirtualNetworkGateway  Active   10.50.0.5/32      VirtualNetworkGateway  10.40.0.4 10.40.0.5",
        "VirtualNetworkGateway  Active   10.50.0.4/32      VirtualNetworkGateway  10.40.0.4 10.40.0.5",
    ]
    assert len(ours) == 2 + 1 + 5 + 1 + 21


def test_per_instance_splits_the_2026_rows() -> None:
    """The same estate with the seed's display: one row per instance, same order otherwise."""
    ours = _routes(str(FIXTURES / "netlab-2026-onprem.yaml"), "--vm", "vm-onprem-ep", "-o", "json",
                   "--assume", "gateway_next_hop_rows=per_instance")
    capture = json.loads(CAPTURE_2026.read_text(encoding="utf-8"))["value"]
    split = [dict(row, nextHopIpAddress=[ip]) for row in capture for ip in (row["nextHopIpAddress"] or [None])]
    for row in split:
        if row["nextHopIpAddress"] == [None]:
            row["nextHopIpAddress"] = []
    assert json.loads(ours)["value"] == split
    assert len(split) == len(capture) + 5


def test_observed_2023_is_the_2023_capture_byte_for_byte() -> None:
    """B-SYS-NONE-LIST: `none_routes: observed-2023` keeps the 17 prefixes of 2023-2025 captures."""
    assert _routes(str(FIXTURES / "anl-2023-vnet1.yaml"), "--vm", "myVnet1-vm1") == CAPTURE_2023


def test_observed_2023_also_by_assume() -> None:
    fixture = str(FIXTURES / "netlab-2026-onprem.yaml")
    ours = _routes(fixture, "--vm", "vm-onprem-ep", "--assume", "none_routes=observed-2023").splitlines()
    nones = [line.split()[2] for line in ours if line.endswith(" None")]
    assert nones == CAPTURE_2023.split()[CAPTURE_2023.split().index("10.0.0.0/8")::4]


@pytest.mark.parametrize(("rows", "expected"), [
    ("merged", ["VirtualNetworkGateway  Active   192.168.0.0/24    VirtualNetworkGateway  10.13.76.4 10.13.76.5"]),
    ("per_instance", ["VirtualNetworkGateway  Active   192.168.0.0/24    VirtualNetworkGateway  10.13.76.4",
                      "VirtualNetworkGateway  Active   192.168.0.0/24    VirtualNetworkGateway  10.13.76.5"]),
])
def test_assume_overrides_the_examples_platform_block(rows: str, expected: list[str]) -> None:
    """The seed's examples pin per_instance (the article's rows); --assume wins over the file."""
    ours = _routes(str(EXAMPLES / "scenario-a.yaml"), "--vm", "hubvm", "--assume", f"gateway_next_hop_rows={rows}")
    assert [line for line in ours.splitlines() if line.startswith("VirtualNetworkGateway")] == expected


def test_bad_assume_value_names_the_choices() -> None:
    result = invoke(["routes", str(EXAMPLES / "scenario-a.yaml"), "--vm", "hubvm",
                     "--assume", "gateway_next_hop_rows=split"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == ("error: --assume gateway_next_hop_rows: 'split' is not a value of gateway_next_hop_rows; "
                             "fix: use one of merged, per_instance\n")

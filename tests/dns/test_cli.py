"""`azroute resolve`: text and JSON output, exit codes 0 (address) / 1 (NXDOMAIN, no answer) / 2 (bad input).

The command runs through the real `azroute` group, so AzrouteErrors become one `error:` line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirun import invoke

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = str(FIXTURES / "seed-dns.yaml")
SQL = "sqltest1138australia.database.windows.net"


def _run(*args: str) -> tuple[int, str, str]:
    result = invoke(["resolve", *args])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_text_output_and_exit_0() -> None:
    code, out, err = _run(SEED, SQL, "--from", "hubvm")
    assert (code, err) == (0, "")
    assert out == f"""\
Resolve {SQL} from vm hubvm (10.13.76.132), vnet hub: Azure-provided DNS (168.63.129.16)

   1. Azure DNS (vnet hub): {SQL} CNAME sqltest1138australia.privatelink.database.windows.net  [public DNS: private endpoint sql exists]
   2. Azure DNS (vnet hub): sqltest1138australia.privatelink.database.windows.net A 10.13.77.6  [private zone privatelink.database.windows.net, link hub; record of private endpoint sql's DNS zone group]

Answer: 10.13.77.6 (private, from private zone privatelink.database.windows.net)
"""


def test_json_output() -> None:
    code, out, _ = _run(SEED, SQL, "--from", "site:onprem", "-o", "json")
    assert code == 0
    assert json.loads(out) == {
        "name": SQL,
        "from": "site onprem: DNS server 192.168.0.53",
        "steps": [
            {"server": "on-premises DNS 192.168.0.53 (site onprem)", "name": SQL, "type": "forwarded to",
             "value": "10.13.76.36", "source": "conditional forwarder database.windows.net"},
            {"server": "Private Resolver inbound endpoint hub-resolver (10.13.76.36)", "name": SQL,
             "type": "forwarded to", "value": "168.63.129.16 (vnet hub)",
             "source": "inbound endpoints resolve with Azure DNS of their VNet"},
            {"server": "Azure DNS (vnet hub)", "name": SQL, "type": "CNAME",
             "value": "sqltest1138australia.privatelink.database.windows.net",
             "source": "public DNS: private endpoint sql exists"},
            {"server": "Azure DNS (vnet hub)", "name": "sqltest1138australia.privatelink.database.windows.net",
             "type": "A", "value": "10.13.77.6",
             "source": "private zone privatelink.database.windows.net, link hub; "
                       "record of private endpoint sql's DNS zone group"},
        ],
        "status": "answer",
        "addresses": ["10.13.77.6"],
        "private": True,
        "reason": "private zone privatelink.database.windows.net",
        "notes": [],
    }
    assert out.endswith("}\n")


@pytest.mark.parametrize(("args", "last_line"), [
    ((SEED, "storagetest1138germany.blob.core.windows.net", "--from", "10.13.76.132"),
     "Answer: NXDOMAIN (private zone privatelink.blob.core.windows.net, link hub: no record 'storagetest1138germany')"),
    ((SEED, "www.example.com", "--from", "vnet:hub"),
     "Answer: none (no public answer in public_dns for www.example.com)"),
])
def test_no_address_exits_1(args: tuple[str, ...], last_line: str) -> None:
    code, out, err = _run(*args)
    assert (code, err) == (1, "")
    assert out.splitlines()[-1] == last_line


def test_overlay() -> None:
    code, out, _ = _run(SEED, "storagetest1138germany.blob.core.windows.net", "--from", "hubvm",
                        "--overlay", str(FIXTURES / "nxdomain-redirect.yaml"))
    assert code == 0
    assert out.splitlines()[-1] == "Answer: 20.60.145.36 (public, from public_dns)"


@pytest.mark.parametrize(("args", "error"), [
    ((SEED, SQL, "--from", "site:nosuch"), "error: --from: unknown site 'nosuch'; fix: use one of: onprem"),
    ((SEED, "not a name", "--from", "hubvm"),
     "error: NAME: 'not a name' is not a DNS name (label 'not a name': letters, digits, '-' and '_', 1 to 63 "
     "characters, no '-' at either end); fix: give a DNS name such as myserver.database.windows.net"),
    ((str(FIXTURES / "missing.yaml"), SQL, "--from", "hubvm"),
     f"error: {FIXTURES / 'missing.yaml'}: cannot read file: No such file or directory; fix: check the path"),
])
def test_bad_input_exits_2_with_one_line(args: tuple[str, ...], error: str) -> None:
    code, out, err = _run(*args)
    assert (code, out, err) == (2, "", error + "\n")

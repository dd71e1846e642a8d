"""Bad command lines: one `error: ...` line on stderr, exit code 2, nothing on stdout, no traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

MALFORMED_YAML = "name: broken\nvnets: [hub, spoke\n  : :\n"

#: case -> (arguments, with {A} for scenario A's path and {TMP} for the test's tmp_path;
#:          text the single error line must contain)
CASES: dict[str, tuple[list[str], str]] = {
    "unknown VM": (["routes", "{A}", "--vm", "nosuchvm"], "unknown VM 'nosuchvm'"),
    "on-premises VM for --vm": (["routes", "{A}", "--vm", "onpremvm"], "VM 'onpremvm' is on-premises"),
    "unknown subnet": (["routes", "{A}", "--subnet", "hub/nosuchsubnet"],
                       "unknown subnet 'hub/nosuchsubnet'"),
    "subnet without VNet": (["routes", "{A}", "--subnet", "vm"], "unknown subnet 'vm'"),
    "unknown gateway": (["routes", "{A}", "--gateway", "nosuchgw"], "unknown gateway 'nosuchgw'"),
    "two selectors": (["routes", "{A}", "--vm", "hubvm", "--gateway", "vpngw"],
                      "choose exactly one of --vm, --subnet, --gateway, --all"),
    "selector and --all": (["routes", "{A}", "--subnet", "hub/vm", "--all"],
                           "choose exactly one of --vm, --subnet, --gateway, --all"),
    "no selector": (["routes", "{A}"], "choose exactly one of --vm, --subnet, --gateway, --all"),
    "bad --to address": (["next-hop", "{A}", "--from", "vpngw", "--to", "10.13.77.999"],
                         "'10.13.77.999' is not an IPv4 address, VM or private endpoint"),
    "bad --to name": (["next-hop", "{A}", "--from", "vpngw", "--to", "nosuchthing"],
                      "'nosuchthing' is not an IPv4 address, VM or private endpoint"),
    "unknown --from": (["next-hop", "{A}", "--from", "nosuchthing", "--to", "10.13.77.6"],
                       "'nosuchthing' is not a VM, gateway, firewall or VNET/SUBNET"),
    "bad --assume name": (["routes", "{A}", "--vm", "hubvm", "--assume", "no_such_assumption=true"],
                          "unknown assumption 'no_such_assumption'"),
    "bad --assume value": (["routes", "{A}", "--vm", "hubvm", "--assume",
                            "gateway_honours_pe_udr_override=maybe"],
                           "'maybe' is not a value of gateway_honours_pe_udr_override"),
    "--assume without =": (["routes", "{A}", "--vm", "hubvm", "--assume", "gateway_honours_pe_udr_override"],
                           "is not NAME=VALUE"),
    "bad --assume on next-hop": (["next-hop", "{A}", "--from", "vpngw", "--to", "10.13.77.6", "--assume",
                                  "no_such_assumption=1"], "unknown assumption 'no_such_assumption'"),
    "nonexistent file": (["routes", "{TMP}/does-not-exist.yaml", "--vm", "hubvm"], "does-not-exist.yaml"),
    "nonexistent file, next-hop": (["next-hop", "{TMP}/does-not-exist.yaml", "--from", "vpngw", "--to",
                                    "10.13.77.6"], "does-not-exist.yaml"),
    "malformed YAML": (["routes", "{TMP}/malformed.yaml", "--vm", "hubvm"], "malformed.yaml"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_usage_is_one_error_line(case: str, tmp_path: Path, run_cli: Callable[[list[str]], Any],
                                     scenario: Callable[[str], str]) -> None:
    (tmp_path / "malformed.yaml").write_text(MALFORMED_YAML, encoding="utf-8")
    template, expected = CASES[case]
    args = [a.replace("{A}", scenario("a")).replace("{TMP}", str(tmp_path)) for a in template]
    result = run_cli(args)

    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"unexpected {type(result.exception).__name__}: {result.exception}"
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one stderr line, got:\n{result.stderr}"
    assert result.stderr.endswith("\n")
    assert lines[0].startswith("error: ")
    assert expected in lines[0]


def test_missing_file_error_names_the_problem(tmp_path: Path, run_cli: Callable[[list[str]], Any]) -> None:
    missing = tmp_path / "does-not-exist.yaml"
    result = run_cli(["routes", str(missing), "--vm", "hubvm"])
    assert result.stderr.startswith(f"error: {missing}: ")
    assert "No such file" in result.stderr or "not found" in result.stderr.lower()


def test_malformed_yaml_error_gives_the_position(tmp_path: Path, run_cli: Callable[[list[str]], Any]) -> None:
    bad = tmp_path / "malformed.yaml"
    bad.write_text(MALFORMED_YAML, encoding="utf-8")
    result = run_cli(["routes", str(bad), "--vm", "hubvm"])
    assert result.stderr.startswith(f"error: {bad}: ")
    assert "line 3" in result.stderr

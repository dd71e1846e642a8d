"""Render a native topology document as YAML for `azroute export`: short leaf mappings (routes,
subnets) on one line each, `resource_ids` as a block mapping of `ID: reference` lines."""

from __future__ import annotations

from typing import Any

import yaml

#: YAML allows implicit keys of up to 1024 characters; PyYAML stops at 128, which would turn
#: every subnet's resource ID into a `? key` / `: value` pair
_MAX_KEY = 1024


class _Dumper(yaml.SafeDumper):
    def check_simple_key(self) -> bool:
        event = self.event
        if isinstance(event, yaml.ScalarEvent) and event.anchor is None and event.implicit[0] \
                and len(event.value) < _MAX_KEY:
            if self.analysis is None:
                self.analysis = self.analyze_scalar(event.value)
            return not self.analysis.empty and not self.analysis.multiline
        return bool(super().check_simple_key())


class _Block(dict[str, Any]):
    """A mapping always written in block style."""


def _block(dumper: yaml.SafeDumper, data: _Block) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=False)


_Dumper.add_representer(_Block, _block)


def native_yaml(document: dict[str, Any]) -> str:
    """The document as YAML, keys in document order (subnet and endpoint order shows in routes)."""
    shown = {k: _Block(v) if k == "resource_ids" and isinstance(v, dict) else v for k, v in document.items()}
    return yaml.dump(shown, Dumper=_Dumper, sort_keys=False, default_flow_style=None, width=110,
                     allow_unicode=False)

"""Adapter for `terraform show -json` plans and states (azurerm provider): -> native document."""

from __future__ import annotations

from pathlib import Path

from azroute.errors import InputError
from azroute.ingest.conversion import Conversion


def to_native(paths: list[Path]) -> Conversion:
    """Translate the input files into a native document."""
    raise InputError("this input format is not supported yet", file=str(paths[0]),
                     fix="use the native YAML format")

"""Azure service tags (ServiceTags_Public JSON) and the prefixes a subnet's service endpoint covers.

Input: the weekly download `ServiceTags_Public_YYYYMMDD.json`
(https://www.microsoft.com/download/details.aspx?id=56519) or `az network list-service-tags
--location REGION -o json`; both are `{"values": [{"name": "Storage", "properties":
{"addressPrefixes": [...]}}]}`. Only IPv4 prefixes are kept (azroute models IPv4 only).

A service endpoint (`Microsoft.Storage` with `locations: [australiaeast, australiasoutheast]`)
covers the service's regional tags (`Storage.AustraliaEast`, `Storage.AustraliaSoutheast`); with
no locations or `*` it covers the global tag (`Storage`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from azroute.errors import InputError
from azroute.ingest.documents import read_document

DOWNLOAD = "https://www.microsoft.com/download/details.aspx?id=56519"
_FIX = (f"pass Azure's ServiceTags_Public_YYYYMMDD.json ({DOWNLOAD}) or the output of "
        "`az network list-service-tags --location REGION -o json`")

#: service endpoint name (lowercase) -> service tag, where the tag is not simply the name without
#: "Microsoft." (Storage, Sql, EventHub, ServiceBus, AzureCosmosDB, AzureActiveDirectory...).
_TAG_OF_SERVICE = {
    "microsoft.storage.global": "Storage",
    "microsoft.keyvault": "AzureKeyVault",
    "microsoft.web": "AppService",
    "microsoft.containerregistry": "AzureContainerRegistry",
    "microsoft.cognitiveservices": "CognitiveServicesManagement",
}

#: services whose endpoints are global whatever `locations` says
_GLOBAL_SERVICES = {"microsoft.storage.global", "microsoft.azureactivedirectory"}


def is_service_tags_document(data: Any) -> bool:
    """True for a ServiceTags_Public file or `az network list-service-tags` output."""
    return isinstance(data, dict) and isinstance(data.get("values"), list) and \
        ("cloud" in data or "changeNumber" in data)


def read_service_tags(path: Path) -> dict[str, list[str]]:
    """Read a service tags file into {tag name: [IPv4 prefixes]}."""
    return parse_service_tags(read_document(path), str(path))


def parse_service_tags(data: Any, source: str) -> dict[str, list[str]]:
    """{tag name: [IPv4 prefixes]} from an already-parsed service tags document."""
    if not isinstance(data, dict) or not isinstance(data.get("values"), list):
        raise InputError("not a service tags file: expected an object with a 'values' list",
                         file=source, fix=_FIX)
    tags: dict[str, list[str]] = {}
    for i, value in enumerate(data["values"]):
        name = value.get("name") if isinstance(value, dict) else None
        properties = value.get("properties") if isinstance(value, dict) else None
        prefixes = properties.get("addressPrefixes") if isinstance(properties, dict) else None
        if not isinstance(name, str) or not isinstance(prefixes, list):
            raise InputError("a service tag needs 'name' and 'properties.addressPrefixes'",
                             file=source, path=f"values.{i}", fix=_FIX)
        tags[name] = [p for p in prefixes if isinstance(p, str) and ":" not in p]
    return tags


def tag_name(service: str, tags: Mapping[str, Sequence[str]]) -> str | None:
    """The service tag of a service endpoint name (`Microsoft.Storage` -> `Storage`), if `tags` has it."""
    lowered = {name.lower(): name for name in tags}
    key = service.lower()
    bare = key.removeprefix("microsoft.")
    for candidate in (_TAG_OF_SERVICE.get(key, "").lower(), bare, f"azure{bare}"):
        if candidate and candidate in lowered:
            return lowered[candidate]
    return None


def endpoint_prefixes(service: str, locations: Sequence[str],
                      tags: Mapping[str, Sequence[str]]) -> tuple[list[str], list[str]]:
    """(prefixes, notes): the IPv4 prefixes a service endpoint covers in `locations`.

    Prefixes keep the tags' order without duplicates; an empty list means the service has no tag.
    A location without a regional tag falls back to the (wider) global tag, with a note.
    """
    tag = tag_name(service, tags)
    if tag is None:
        return [], [f"no service tag for service endpoint {service} in the service tags file"]
    regions = [loc.lower().replace(" ", "") for loc in locations]
    if not regions or "*" in regions or service.lower() in _GLOBAL_SERVICES:
        return _unique(tags[tag]), []
    lowered = {name.lower(): name for name in tags}
    chosen: list[str] = []
    notes: list[str] = []
    for region in regions:
        regional = lowered.get(f"{tag.lower()}.{region}")
        if regional is None:
            notes.append(f"no regional service tag {tag}.{region}: service endpoint {service} "
                         f"uses the global tag {tag} (wider)")
            regional = tag
        chosen += tags[regional]
    return _unique(chosen), notes


def _unique(prefixes: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(prefixes))

"""AWS Config: one resource per region saying whether a configuration recorder records there.

config_recorder attributes: exists, name, recording (the recorder is started),
all_supported (records every supported resource type), include_global_resource_types,
delivery_channel (a delivery channel is configured).
"""

from __future__ import annotations

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource

RECORDER_ID = "config-recorder"


def collect_recorders(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    config = aws.client("config", region)
    recorders = config.describe_configuration_recorders().get("ConfigurationRecorders", [])
    statuses = {
        s["name"]: s
        for s in config.describe_configuration_recorder_status().get("ConfigurationRecordersStatus", [])
    }
    channels = config.describe_delivery_channels().get("DeliveryChannels", [])
    recorder = recorders[0] if recorders else {}
    group = recorder.get("recordingGroup") or {}
    name = recorder.get("name")
    return [
        Resource(
            type="config_recorder",
            id=RECORDER_ID,
            name=f"AWS Config recorder {name} ({region})" if name else f"AWS Config ({region})",
            region=region,
            attributes={
                "exists": bool(recorders),
                "name": name,
                "recording": bool(statuses.get(name or "", {}).get("recording")),
                "all_supported": bool(group.get("allSupported")),
                "include_global_resource_types": bool(group.get("includeGlobalResourceTypes")),
                "delivery_channel": bool(channels),
            },
        )
    ]

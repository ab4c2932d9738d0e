"""Production's savings additions (`sandbox.seed_savings`) in the manifest, with the issues a
security scan reports on them: two spare Elastic IPs, and the API host's public one."""

from __future__ import annotations

from typing import Any

from sandbox.seed_savings import seed_savings
from sandbox.seeding.account import SeedAccount
from tools.security.rules.ec2.instance_public_ip import InstanceWithPublicIp
from tools.security.rules.ec2.unattached_elastic_ip import UnattachedElasticIp


def savings(a: SeedAccount, placement: dict[str, Any]) -> None:
    """Waste for savings_opportunities: an idle host, gp2, a stale snapshot, spare addresses.
    `placement` puts the instances in the web tier's subnet and security group."""
    added = {r.name: r.model_copy(update={"account": a.id}) for r in seed_savings(a.aws, placement=placement)}
    a.manifest.resources.extend(added.values())
    for name, note in (
        ("old-nat-ip", "address of a NAT instance that was removed"),
        ("eu-legacy-ftp-ip", "address kept for a retired FTP server"),
    ):
        r = added[name]
        a.plant(UnattachedElasticIp.id, r.id, r.region, note)
    busy = added["api-busy-1"]
    a.plant(InstanceWithPublicIp.id, busy.id, busy.region, "API host reached on its Elastic IP")

"""Security group that lets the whole internet reach a database or cache port.

Reads the normalised `security_group` attribute `ingress` (see open_admin_ports).
"""

from __future__ import annotations

from typing import Any, ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, SOC2, Rule, Severity, Violation
from tools.security.rules.ec2.open_admin_ports import world_open_admin_ports

DATABASE_PORTS: dict[int, str] = {
    1433: "SQL Server",
    1521: "Oracle",
    3306: "MySQL",
    5432: "PostgreSQL",
    5439: "Redshift",
    6379: "Redis",
    9200: "Elasticsearch",
    11211: "Memcached",
    27017: "MongoDB",
}


class OpenDatabasePorts(Rule):
    id: ClassVar[str] = "ec2-sg-open-database-ports"
    title: ClassVar[str] = "Security group allows database ports from the internet"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "security_group"
    description: ClassVar[str] = (
        "An ingress rule admits 0.0.0.0/0 or ::/0 on a database or cache port (MySQL, PostgreSQL, "
        "SQL Server, Oracle, Redis, MongoDB, ...)."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("EC2.19",),
        SOC2: ("CC6.6",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = (
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_mysql_3306",
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_postgres_5432",
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_sql_server_1433_1434",
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_oracle_1521_2483",
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_redis_6379",
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_mongodb_27017_27018",
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_memcached_11211",
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_elasticsearch_kibana_9200_9300_5601",
    )
    remediation: ClassVar[str] = (
        "Revoke the world-open rule and allow the port only from the application's security group; keep "
        "databases in private subnets."
    )
    remediation_action: ClassVar[str | None] = "revoke_ingress"

    def evaluate(self, resource: Resource) -> Violation | None:
        hits = world_open_admin_ports(resource.attributes.get("ingress"), ports=tuple(DATABASE_PORTS))
        if not hits:
            return None
        opened = sorted({(port, cidr) for port, cidr, _ in hits})
        parts = [f"tcp {port} ({DATABASE_PORTS[port]}) open to {cidr}" for port, cidr in opened]
        ports = sorted({port for port, _ in opened})
        cidrs = {cidr for _, cidr in opened}
        params: dict[str, Any] = {"port": ports[0]} if len(ports) == 1 else {"ports": ports}
        if len(cidrs) == 1:
            params["cidr"] = next(iter(cidrs))
        return Violation(detail=f"{resource.name}: " + "; ".join(parts) + ".", remediation_params=params)

"""AWS CUR 2.0 columns mapped onto the FOCUS columns the store keeps.

The mapping follows what the columns mean rather than their names: BilledCost is what the
invoice carries (unblended cost), EffectiveCost spreads commitments over the usage they cover
(Savings Plans and reservations), ListCost is the public on-demand price.
"""

from __future__ import annotations

from collections.abc import Callable

CUR_REQUIRED = ("line_item_unblended_cost", "line_item_usage_start_date", "line_item_currency_code")

# line_item_product_code -> the ServiceName AWS's own FOCUS export uses.
PRODUCT_NAMES: dict[str, str] = {
    "AmazonEC2": "Amazon Elastic Compute Cloud",
    "AmazonS3": "Amazon Simple Storage Service",
    "AmazonRDS": "Amazon Relational Database Service",
    "AWSLambda": "AWS Lambda",
    "AWSELB": "Elastic Load Balancing",
    "AmazonCloudWatch": "AmazonCloudWatch",
    "AmazonVPC": "Amazon Virtual Private Cloud",
    "AmazonEKS": "Amazon Elastic Kubernetes Service",
    "AmazonECS": "Amazon Elastic Container Service",
    "AmazonCloudFront": "Amazon CloudFront",
    "AmazonDynamoDB": "Amazon DynamoDB",
    "AWSQueueService": "Amazon Simple Queue Service",
    "AmazonSNS": "Amazon Simple Notification Service",
    "awskms": "AWS Key Management Service",
    "AmazonRoute53": "Amazon Route 53",
    "AmazonApiGateway": "Amazon API Gateway",
    "AmazonECR": "Amazon EC2 Container Registry (ECR)",
    "AmazonEFS": "Amazon Elastic File System",
    "awswaf": "AWS WAF",
    "AWSCloudTrail": "AWS CloudTrail",
    "AWSConfig": "AWS Config",
    "AWSSecretsManager": "AWS Secrets Manager",
    "AmazonElastiCache": "Amazon ElastiCache",
    "AmazonRedshift": "Amazon Redshift",
    "AmazonKinesis": "Amazon Kinesis",
    "AmazonAthena": "Amazon Athena",
    "AWSGlue": "AWS Glue",
    "AmazonSageMaker": "Amazon SageMaker",
    "AWSBackup": "AWS Backup",
    "AmazonGuardDuty": "Amazon GuardDuty",
    "AWSSecurityHub": "AWS Security Hub",
}

# line_item_line_item_type -> FOCUS ChargeCategory.
CHARGE_CATEGORIES: dict[str, str] = {
    "Usage": "Usage",
    "DiscountedUsage": "Usage",
    "SavingsPlanCoveredUsage": "Usage",
    "SavingsPlanNegation": "Usage",
    "Fee": "Purchase",
    "RIFee": "Purchase",
    "SavingsPlanRecurringFee": "Purchase",
    "SavingsPlanUpfrontFee": "Purchase",
    "Tax": "Tax",
    "Credit": "Credit",
    "Discount": "Credit",
    "BundledDiscount": "Credit",
    "EdpDiscount": "Credit",
    "PrivateRateDiscount": "Credit",
    "Refund": "Adjustment",
}


def _values(mapping: dict[str, str]) -> str:
    rows = ", ".join(f"('{k}', '{v}')" for k, v in mapping.items())
    return f"(VALUES {rows})"


def lookup_sql(mapping: dict[str, str], key_sql: str) -> str:
    """A scalar subquery mapping `key_sql` through a constant table (NULL when unmapped)."""
    return f"(SELECT m.v FROM {_values(mapping)} m(k, v) WHERE m.k = {key_sql})"


def cur_expressions(
    raw: Callable[[str], str], present: set[str], map_value: Callable[[str, str], str]
) -> dict[str, str]:
    """SQL expressions (over raw columns, as text) for the store's FOCUS columns.

    `raw(name)` gives a column's text or NULL when absent; `map_value(column, key)` reads one
    key of a map column (CUR 2.0's `product`, which is a MAP in Parquet and JSON text in CSV).
    """
    kind = raw("line_item_line_item_type")
    unblended = raw("line_item_unblended_cost")
    product_name = map_value("product", "product_name") if "product" in present else "NULL"
    code = raw("line_item_product_code")
    effective = (
        f"CASE {kind} "
        f"WHEN 'SavingsPlanCoveredUsage' THEN coalesce({raw('savings_plan_savings_plan_effective_cost')}, "
        f"{unblended}) "
        f"WHEN 'DiscountedUsage' THEN coalesce({raw('reservation_effective_cost')}, {unblended}) "
        # The negation and the fees are already spread over the covered usage above.
        "WHEN 'SavingsPlanNegation' THEN '0' WHEN 'SavingsPlanUpfrontFee' THEN '0' "
        "WHEN 'SavingsPlanRecurringFee' THEN '0' WHEN 'RIFee' THEN '0' "
        f"ELSE coalesce({raw('line_item_net_unblended_cost')}, {unblended}) END"
    )
    region_map = map_value("product", "region") if "product" in present else "NULL"
    location_map = map_value("product", "location") if "product" in present else "NULL"
    return {
        "BilledCost": unblended,
        "EffectiveCost": effective,
        "ListCost": raw("pricing_public_on_demand_cost"),
        "ChargePeriodStart": raw("line_item_usage_start_date"),
        "ChargePeriodEnd": raw("line_item_usage_end_date"),
        "BillingPeriodStart": raw("bill_billing_period_start_date"),
        "BillingPeriodEnd": raw("bill_billing_period_end_date"),
        "ConsumedQuantity": raw("line_item_usage_amount"),
        "ListUnitPrice": raw("pricing_public_on_demand_rate"),
        "BillingCurrency": raw("line_item_currency_code"),
        "ProviderName": "'AWS'",
        "ServiceName": f"coalesce({product_name}, {lookup_sql(PRODUCT_NAMES, code)}, {code})",
        "ServiceCategory": "NULL",
        "RegionId": f"coalesce({raw('product_region_code')}, {region_map})",
        "RegionName": f"coalesce({raw('product_location')}, {location_map})",
        "AvailabilityZone": raw("line_item_availability_zone"),
        "SubAccountId": raw("line_item_usage_account_id"),
        "SubAccountName": raw("line_item_usage_account_name"),
        "BillingAccountId": raw("bill_payer_account_id"),
        "BillingAccountName": raw("bill_payer_account_name"),
        "ResourceId": raw("line_item_resource_id"),
        "ResourceName": "NULL",
        "ResourceType": "NULL",
        "ChargeCategory": f"coalesce({lookup_sql(CHARGE_CATEGORIES, kind)}, {kind})",
        "ChargeDescription": raw("line_item_line_item_description"),
        "UsageType": raw("line_item_usage_type"),
        "PricingUnit": raw("pricing_unit"),
    }


# CUR 2.0 prefixes user-defined cost allocation tag keys with "user_" (and AWS-generated ones
# with "aws_"); people ask for "team", not "user_team".
CUR_TAG_PREFIX = "user_"

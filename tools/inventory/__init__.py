"""The shared AWS resource model: clients, the resource-kind table, collectors and gathering.

`aws` builds and caches boto3 clients; `clients` scopes them to one account; `kinds` is the one
table of resource types and their collectors; `inventory` gathers them concurrently across
accounts and regions. Security, remediation, savings and IaC checks all build on it, and
`describe_resources` is its read-only tool.
"""

"""The parts of the sandbox seed (`sandbox.seed` runs them in order).

`account` binds the building blocks to one account and records what they create in the
manifest; `network`, `compute`, `storage`, `identity`, `monitoring`, `apps` (functions, APIs,
load balancers, CDN) and `data` (tables, caches, file systems, queues, topics, secrets,
registries, clusters) are the building blocks by area (how to create one VPC, host, bucket,
user, trail ...); `production_regions`, `production_account`, `production_apps`, `development`
and `savings` are the company itself (what Acme has, and which mistakes are planted where).
"""

"""The parts of the sandbox seed (`sandbox.seed` runs them in order).

`account` binds the building blocks to one account and records what they create in the
manifest; `network`, `compute`, `storage`, `identity` and `monitoring` are the building blocks
by area (how to create one VPC, host, bucket, user, trail ...); `production_regions`,
`production_account`, `development` and `savings` are the company itself (what Acme has, and
which mistakes are planted where).
"""

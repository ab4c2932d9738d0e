"""Remediation: the mutating `remediate` tool and the actions it runs.

Each action (one per module in `actions`, listed explicitly in `registry`) computes a
side-effect-free plan, applies exactly that plan (idempotently) and verifies the result by
re-running the security rule it fixes. `base` holds what the actions share; `accounts` decides
which account, and which role, a change runs in.
"""

"""Remediation actions: one per file, listed explicitly in `registry`.

Each action computes a side-effect-free plan, applies exactly that plan (idempotently) and
verifies the result by re-running the security rule it fixes.
"""

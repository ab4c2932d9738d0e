"""Realistic generated FOCUS data for the demo and the benchmarks: seeded and reproducible.

A company ("Acme", its own billing account, so it never mixes with the bundled sample's
accounts) runs resources of many kinds across accounts, regions and teams. Each resource's
daily usage follows a slow growth trend, a weekly pattern (busy weekdays, quiet weekends for
request-driven services, flat storage) and noise. A few anomalies are planted on top — a
forgotten GPU fleet, a NAT data spike, a runaway Lambda — and recorded, so detectors can be
scored on recall and false positives.

All randomness comes from numpy's PCG64 with the spec's seed: the same spec gives the same
rows. DuckDB expands the per-day table into rows (several per day when `rows_per_day` > 1).

Modules: `catalogue` (accounts, regions and the kinds of billed resource), `spec` (what to
generate, and what was planted), `usage` (each resource's daily usage, drawn from the seed)
and `rows` (the FOCUS rows, as SQL over that usage, or written to a file).
"""

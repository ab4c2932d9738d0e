"""Collectors: read one resource type from AWS and return normalised `Resource`s.

One module per service; each `collect_*` function reads one type. Which function reads which
type, with which client and permissions, is a row of `tools.inventory.kinds.KINDS`;
`tools.inventory.inventory.collect` is the one entry point the tools use.
"""

"""The remediation actions, one per module; `tools.remediation.registry` lists them by name."""

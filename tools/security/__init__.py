"""Security posture: resource collectors, the rule engine and its rules.

Collectors turn cloud API responses into normalised `Resource`s; rules only ever look at
those, so the same rules can judge resources parsed from Terraform or CloudFormation.
"""

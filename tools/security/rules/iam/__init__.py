"""Rules for IAM identities."""

"""Rules for KMS keys."""

"""Rules for EBS volumes."""

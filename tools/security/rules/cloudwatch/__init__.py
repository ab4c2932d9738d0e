"""Rules for CloudWatch alarms on CloudTrail events (CIS section 4)."""

"""Rules for CloudTrail trails and the account's trail coverage."""

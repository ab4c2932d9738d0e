"""Rules for EC2 networking (security groups) and instances."""

"""Rules for RDS database instances."""

"""Savings opportunities: idle and forgotten resources, priced from the bill."""

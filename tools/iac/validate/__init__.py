"""Validators, one per format. Each parses the code itself and reports `CheckRun`s."""

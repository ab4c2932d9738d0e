"""Plumbing every front-end shares (the CLI's state and agent lifecycle); knows no chat platform."""

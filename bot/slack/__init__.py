"""Slack front-end: a Bolt app that turns Slack events into agent turns and renders replies."""

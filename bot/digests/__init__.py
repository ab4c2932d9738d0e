"""Scheduled digests: questions asked on a cron schedule, answers posted to Slack channels."""

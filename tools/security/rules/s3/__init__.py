"""Rules for S3 buckets."""

"""The service shell shared by every front-end: the HTTP server (limits, health, readiness,
metrics), the durable work queue and its workers, idempotency records and structured logs."""

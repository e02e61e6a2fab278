"""One router per area: optimize, jobs, history, metadata, ingest, health."""

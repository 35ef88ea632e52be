"""The HTTP API (FastAPI). Thin: parse, call a service, render. OpenAPI at /docs."""

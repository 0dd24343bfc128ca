"""FastAPI routers per user group; thin: validate, call, answer."""

"""Calls for applications: what HR publishes and applicants apply to."""

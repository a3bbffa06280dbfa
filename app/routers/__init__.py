"""Thin HTTP layer: parse, call a service, return."""

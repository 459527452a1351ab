"""Typed, read-only AWS investigation tools."""

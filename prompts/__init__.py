"""Prompt and report templates, as text files beside this module."""

"""Incident bundles: an incident's telemetry on disk, in AWS's own record shapes (see FORMAT.md)."""

from evals.bundle.bundle import KINDS, Bundle, BundleError
from evals.bundle.model import FORMAT, Manifest, Truth

__all__ = ["FORMAT", "KINDS", "Bundle", "BundleError", "Manifest", "Truth"]

"""Offline evaluation: incident bundles, replay behind boto3, scenarios, datasets and scoring."""

"""`sleuth capture`: snapshot a live incident into a bundle with read-only, budgeted AWS reads."""

from evals.capture.report import REPORT_FILE, CaptureReport, Cut, Gap
from evals.capture.snapshot import Captured, capture

__all__ = ["REPORT_FILE", "CaptureReport", "Captured", "Cut", "Gap", "capture"]

"""NEMT: an open platform for Medicaid Non-Emergency Medical Transportation."""

__version__ = "0.1.0"

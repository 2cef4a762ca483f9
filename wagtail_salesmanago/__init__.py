"""Send Wagtail form submissions to SALESmanago as contact custom details."""

__version__ = "0.1.0"

"""End to end: real Chromium, the demo, real workers, a fresh project, load."""

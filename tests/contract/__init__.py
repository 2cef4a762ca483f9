"""Contract tests: SALESmanago's API as public sources show it, against our client and our sandbox."""

"""What staff see in Wagtail's admin."""

"""zhili."""

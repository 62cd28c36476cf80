"""Histories as tables: the events table in Parquet, the replay's output tables (states and
decisions), a synthetic platform history, and the fold run on Spark component by component."""

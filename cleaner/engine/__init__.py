"""Engines execute a run's tasks; ``local`` uses the cores of this machine."""

"""Shared settings: hypothesis runs derandomised, so the suite is the same on every machine."""

from hypothesis import settings

settings.register_profile("course", derandomize=True, deadline=None, max_examples=200)
settings.load_profile("course")

"""Reporters render reports; they never decide verdicts."""

"""Hostile input against a real `rag serve` (probes.py); `python -m tests.adversarial` runs
every probe and the schemathesis run and prints pass/fail counts."""

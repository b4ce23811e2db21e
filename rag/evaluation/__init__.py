"""Offline evaluation: suites of questions with gold statements, run against a fresh store."""

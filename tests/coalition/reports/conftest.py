"""Tests of watchers' infringement reports: actions, pages, API.

The fixtures these tests use are in tests/conftest.py (platform → grievance → organiser, member,
outsider, staff → clients) and tests/coalition/conftest.py (clients by role, the counterfeit
grievance)."""

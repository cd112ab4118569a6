"""Tests of the seller's account: sign-up, profile pages, the /me API.

The fixtures these tests use are in tests/conftest.py (platform → grievance → organiser, member,
outsider, staff → clients) and tests/coalition/conftest.py (clients by role, the counterfeit
grievance)."""

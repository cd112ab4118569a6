"""The appeals pages (routes: appeals/urls.py): round pages and their controls (`rounds`), the
board and "my cases" (`board`), packets (`packets`), email preferences (`notifications`), and the
rounds section of coalition's grievance page (`sections`)."""

"""Every write of the coalition app, one module per domain (docs/architecture.md).

Views, forms, serializers, admin and management commands call these; they never save models
themselves. Each action takes the acting user keyword-only, runs in one transaction, saves with
update_fields and writes a timeline event (coalition/actions/timeline.py). Import the module you
need: `from coalition.actions.memberships import join_grievance`.
"""

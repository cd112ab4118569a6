"""Staff moderate grievances in the admin; they are registered on the site, through the action
that makes the creator the first organiser, so the admin has no way to add one or a member."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_admin_cannot_add_a_grievance_around_the_action(admin_client, grievance):
    assert admin_client.get(reverse("admin:coalition_grievance_add")).status_code == 403
    page = admin_client.get(reverse("admin:coalition_grievance_change", args=[grievance.pk]))
    assert page.status_code == 200
    [members] = page.context["inline_admin_formsets"]
    assert not members.has_add_permission and not members.formset.can_delete

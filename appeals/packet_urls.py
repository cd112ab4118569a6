"""Packet URLs. appeals/urls.py includes them into the "appeals" namespace with
`path("", include("appeals.packet_urls"))`."""

from django.urls import path

from appeals import packet_views as views

urlpatterns = [
    path("rounds/<int:pk>/packet/", views.round_packet, name="round_packet"),
    path(
        "rounds/<int:pk>/packet/evidence/",
        views.round_packet_evidence,
        name="round_packet_evidence",
    ),
    path("packets/<str:token>/", views.round_packet_shared, name="round_packet_shared"),
    path("grievances/<int:pk>/my-case/packet/", views.case_packet, name="case_packet"),
]

"""Appeals pages (namespace "appeals"): rounds, the board and "my cases", evidence packets, and
email preferences. Every change is a POST to its own URL; each answers with a redirect to the
round page, or re-renders the page with the form's errors next to its fields."""

from __future__ import annotations

from django.urls import path

from appeals.views import (
    analytics,
    announcements,
    board,
    exports,
    inbound,
    ladder,
    members,
    notifications,
    organising,
    packets,
    rounds,
)

app_name = "appeals"
urlpatterns = [
    # Rounds
    path("grievances/<int:grievance_id>/rounds/new/", rounds.round_new, name="round_new"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round_detail"),
    # Organisers
    path("rounds/<int:pk>/edit/", rounds.round_edit, name="round_edit"),
    path("rounds/<int:pk>/redraft/", rounds.round_regenerate, name="round_regenerate"),
    path("rounds/<int:pk>/open-signing/", rounds.round_open_signing, name="round_open_signing"),
    path("rounds/<int:pk>/close-signing/", rounds.round_close_signing, name="round_close_signing"),
    path("rounds/<int:pk>/submit/", rounds.round_submit, name="round_submit"),
    path("rounds/<int:pk>/responses/", rounds.round_response, name="round_response"),
    path("rounds/<int:pk>/information-sent/", rounds.round_info_sent, name="round_info_sent"),
    path("rounds/<int:pk>/withdraw/", rounds.round_withdraw, name="round_withdraw"),
    # Platform replies (appeals/inbound)
    path(
        "rounds/<int:pk>/replies/<int:response_pk>/classify/",
        inbound.classify_response,
        name="classify_response",
    ),
    path("inbound/<int:pk>/message.eml", inbound.inbound_raw, name="inbound_raw"),
    path("inbound/attachments/<int:pk>/", inbound.inbound_attachment, name="inbound_attachment"),
    path("rounds/<int:pk>/remind-now/", announcements.round_remind_now, name="round_remind_now"),
    path(
        "grievances/<int:grievance_id>/announcements/new/",
        announcements.announcement_new,
        name="announcement_new",
    ),
    # Members
    path("rounds/<int:pk>/sign/", rounds.round_sign, name="round_sign"),
    path("rounds/<int:pk>/unsign/", rounds.round_unsign, name="round_unsign"),
    path(
        "rounds/<int:pk>/my-submission/", rounds.round_log_submission, name="round_log_submission"
    ),
    path("submissions/<int:pk>/outcome/", rounds.submission_outcome, name="submission_outcome"),
    # Organisers at scale: the member list, its bulk actions, CSV exports
    path("grievances/<int:pk>/members/", members.member_list, name="member_list"),
    path("grievances/<int:pk>/members/bulk/", members.member_bulk, name="member_bulk"),
    path("grievances/<int:pk>/export/members.csv", exports.export_members, name="export_members"),
    path(
        "grievances/<int:pk>/export/own-appeals.csv",
        exports.export_outcomes,
        name="export_outcomes",
    ),
    path("rounds/<int:pk>/export/signers.csv", exports.export_signers, name="export_signers"),
    path("rounds/<int:pk>/organisers/", organising.round_organising, name="round_organising"),
    path("rounds/<int:pk>/assign/", organising.round_assign, name="round_assign"),
    path("rounds/<int:pk>/notes/", organising.round_note, name="round_note"),
    path("account/calendar/", organising.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", organising.calendar_ics, name="calendar_feed"),
    # The escalation ladder
    path("grievances/<int:pk>/ladder/climb/", ladder.ladder_climb, name="ladder_climb"),
    path("grievances/<int:pk>/ladder/dossier.zip", ladder.ladder_dossier, name="ladder_dossier"),
    # Overviews
    path("board/", board.board, name="board"),
    path(
        "grievances/<int:pk>/what-worked/",
        analytics.grievance_analytics,
        name="grievance_analytics",
    ),
    path("platforms/<slug:slug>/", analytics.platform_scorecard, name="platform_scorecard"),
    path("my-cases/", board.my_cases, name="my_cases"),
    # Email preferences: the settings page and the one-click unsubscribe links every email carries
    path(
        "account/notifications/",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path("notifications/unsubscribe/<uuid:token>/", notifications.unsubscribe, name="unsubscribe"),
    path(
        "notifications/unsubscribe/<uuid:token>/grievance/<int:grievance_id>/",
        notifications.unsubscribe,
        name="unsubscribe_grievance",
    ),
    path("notifications/resubscribe/<uuid:token>/", notifications.resubscribe, name="resubscribe"),
    path(
        "notifications/resubscribe/<uuid:token>/grievance/<int:grievance_id>/",
        notifications.resubscribe,
        name="resubscribe_grievance",
    ),
    # Evidence packets
    path("rounds/<int:pk>/packet/", packets.round_packet, name="round_packet"),
    path(
        "rounds/<int:pk>/packet/evidence/",
        packets.round_packet_evidence,
        name="round_packet_evidence",
    ),
    path("packets/<str:token>/", packets.round_packet_shared, name="round_packet_shared"),
    path("grievances/<int:pk>/my-case/packet/", packets.case_packet, name="case_packet"),
]

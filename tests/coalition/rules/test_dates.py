"""Plausible dates: not before 2000, not in the future anywhere, not before a given earliest."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from coalition.rules.dates import (
    latest_plausible_date,
    validate_date_between,
    validate_not_before,
    validate_plausible_date,
)

# 23:30 UTC on 16 March 2026: already 17 March from UTC+1 eastwards (07:30 in Beijing).
LATE_EVENING_UTC = datetime(2026, 3, 16, 23, 30, tzinfo=UTC)


def message(exc: ValidationError) -> str:
    error = exc.error_list[0]
    return str(error.message % error.params) if error.params else str(error.message)


@time_machine.travel(LATE_EVENING_UTC, tick=False)
def test_today_anywhere_on_earth_is_accepted():
    validate_plausible_date(date(2026, 3, 16))
    validate_plausible_date(date(2026, 3, 17))  # a seller in Beijing, at breakfast
    assert latest_plausible_date() == date(2026, 3, 17)


@time_machine.travel(LATE_EVENING_UTC, tick=False)
@pytest.mark.parametrize("day", [date(2026, 3, 18), date(9999, 12, 31)])
def test_a_date_in_the_future_is_refused(day):
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        validate_plausible_date(day)
    assert caught.value.error_list[0].code == "date_in_future"
    with translation.override("en"):
        assert message(caught.value) == "This date is in the future. Enter the day it happened."


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1999, 12, 31)])
def test_a_date_before_2000_is_refused(day):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        validate_plausible_date(day)
    assert caught.value.error_list[0].code == "date_too_early"
    with translation.override("en"):
        assert message(caught.value) == "Enter a date on or after Jan. 1, 2000."


def test_the_first_of_january_2000_is_accepted():
    validate_plausible_date(date(2000, 1, 1))
    validate_plausible_date(None)


def test_a_date_before_the_given_earliest_is_refused_and_the_earliest_is_named():
    store_created = datetime(2024, 5, 20, 22, 0, tzinfo=UTC)
    validate_not_before(date(2024, 5, 20), store_created)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        validate_not_before(date(2024, 5, 19), store_created)
    with translation.override("en"):
        assert message(caught.value) == "Enter a date on or after May 20, 2024."


def test_the_caller_may_word_the_earliest_date_its_own_way():
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        validate_not_before(
            date(2019, 1, 1), date(2022, 9, 1), message="Temu opened on %(earliest)s."
        )
    with translation.override("en"):
        assert message(caught.value) == "Temu opened on Sept. 1, 2022."


@time_machine.travel(LATE_EVENING_UTC, tick=False)
def test_the_whole_rule_at_once():
    validate_date_between(date(2025, 1, 1), earliest=date(2024, 1, 1))
    for day in (date(2023, 12, 31), date(1999, 1, 1), date(2027, 1, 1)):
        with pytest.raises(ValidationError):
            validate_date_between(day, earliest=date(2024, 1, 1))


class IncidentForm(forms.Form):
    incident_date = forms.DateField(validators=[validate_plausible_date])


@time_machine.travel(LATE_EVENING_UTC, tick=False)
def test_a_form_shows_the_message_next_to_its_field():
    with translation.override("en"):
        form = IncidentForm({"incident_date": "0001-01-01"})
        assert form.errors == {"incident_date": ["Enter a date on or after Jan. 1, 2000."]}
        form = IncidentForm({"incident_date": "9999-12-31"})
        assert form.errors == {
            "incident_date": ["This date is in the future. Enter the day it happened."]
        }
        assert IncidentForm({"incident_date": "2026-03-10"}).is_valid()

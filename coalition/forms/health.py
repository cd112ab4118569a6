"""A store's figures for a period: typed in, or imported from a CSV order export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coalition.forms.fields import plausible_date_field
from coalition.models import Store
from coalition.queries.sellers import own_stores
from coalition.rules.csv_import import (
    DEFAULT_FULFILLED_VALUES,
    DEFAULT_REFUND_WORDS,
    MAPPED_FIELDS,
    ColumnMapping,
    split_values,
)
from coalition.rules.thresholds import MAX_COUNT, PART_FIELDS, Figures, figure_errors


class _StoreAndPeriod(forms.Form):
    store = forms.ModelChoiceField(
        label=_("Store"), queryset=Store.objects.none(), empty_label=None
    )
    period_start = plausible_date_field(_("From"), required=True)
    period_end = plausible_date_field(_("To"), required=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = own_stores(user).order_by("platform__name", "name")
        self.fields["store"].label_from_instance = lambda s: f"{s.name} ({s.platform.name})"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end on or after the day it starts."))
        return data


def _count(label: Any, help_text: Any = "", required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, max_value=MAX_COUNT, required=required, help_text=help_text
    )


class HealthCheckForm(_StoreAndPeriod):
    orders = _count(_("Orders received"), required=True)
    unfulfillable_refunds = _count(
        _("Orders refunded because you could not fulfil them"),
        _("Out of stock, could not ship, and the like. Leave empty if you do not know."),
    )
    fulfilled_orders = _count(
        _("Orders fulfilled"), _("Shipped or delivered. Leave empty if you do not know.")
    )
    chargebacks = _count(_("Chargebacks"), _("Leave empty if you do not know."))
    late_shipments = _count(_("Late shipments"), _("Leave empty if you do not know."))
    replace = forms.BooleanField(
        label=_("Replace the figures I saved before for this period"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("orders") is not None:
            for name, message in figure_errors(self.figures()).items():
                self.add_error(name, message)
        return data

    def figures(self) -> Figures:
        d = self.cleaned_data
        return Figures(orders=d["orders"], **{f: d.get(f) for f in PART_FIELDS})


REPLACE_LABEL = _("Replace them")


class HealthUploadForm(_StoreAndPeriod):
    """Step 1 of an import: which store and period, and the file. Its columns are mapped next,
    from the file's own column names."""

    file = forms.FileField(
        label=_("Order export (CSV)"),
        help_text=_("The CSV file of orders your platform lets you download, UTF-8 or GB18030."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


NOT_IN_FILE = ("", _("— not in my file —"))
MAPPING_LABELS = {
    "order_id": _("Column with the order ID"),
    "status": _("Column with the order status"),
    "refund": _("Column that shows a refund because you could not fulfil the order"),
    "chargeback": _("Column that flags a chargeback"),
    "late": _("Column that flags a late shipment"),
}


class HealthMappingForm(forms.Form):
    """Step 2: which of the file's own columns holds what (chosen from its header, guessed in
    advance), what its values mean, and — when the period was checked before — whether to
    replace that check."""

    fulfilled_values = forms.CharField(
        label=_("Statuses that mean fulfilled"),
        max_length=300,
        required=False,
        initial=DEFAULT_FULFILLED_VALUES,
        help_text=_("Separated by commas; upper or lower case does not matter."),
    )
    refund_words = forms.CharField(
        label=_("Refund reasons that mean you could not fulfil it"),
        max_length=300,
        required=False,
        initial=DEFAULT_REFUND_WORDS,
        help_text=_("Separated by commas; a reason containing one of them counts."),
    )
    replace = forms.BooleanField(label=REPLACE_LABEL, required=False)

    def __init__(self, *args: Any, header: list[str], ask_replace: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        columns = [(h, h) for h in header if h]
        for name in reversed(MAPPED_FIELDS):
            choices = columns if name == "order_id" else [NOT_IN_FILE, *columns]
            self.fields = {
                name: forms.ChoiceField(
                    label=MAPPING_LABELS[name], choices=choices, required=name == "order_id"
                ),
                **self.fields,
            }
        if not ask_replace:
            del self.fields["replace"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("order_id") and not any(
            data.get(k) for k in ("status", "refund", "chargeback", "late")
        ):
            self.add_error(
                "status",
                _("Choose at least one column besides the order ID, e.g. the order status."),
            )
        return data

    def mapping(self) -> ColumnMapping:
        d = self.cleaned_data
        return ColumnMapping(
            order_id=d["order_id"],
            status=d.get("status", ""),
            refund=d.get("refund", ""),
            chargeback=d.get("chargeback", ""),
            late=d.get("late", ""),
            fulfilled_values=split_values(d.get("fulfilled_values") or DEFAULT_FULFILLED_VALUES),
            refund_words=split_values(d.get("refund_words") or ""),
        )

    def saved_mapping(self) -> dict[str, str]:
        keep = (*MAPPED_FIELDS, "fulfilled_values", "refund_words")
        return {k: self.cleaned_data.get(k) or "" for k in keep}

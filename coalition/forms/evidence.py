"""Bringing a file, and choosing who sees it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.categories import EvidenceKind
from coalition.models import Evidence
from coalition.rules.sniffing import max_bytes

ACCEPT = ".pdf,.png,.jpg,.jpeg,.webp,.txt,.csv,.tsv,.xlsx,.xls"


class EvidenceUploadForm(forms.Form):
    # The file comes last: if it is too large the rest of the body is dropped, so the fields
    # before it survive and the form comes back filled in.
    kind = forms.ChoiceField(label=gettext_lazy("What is it?"), choices=EvidenceKind.choices)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("For example: order numbers, dates, what the file shows."),
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can see it"),
        choices=Evidence.Visibility.choices,
        initial=Evidence.Visibility.ORGANISERS,
        widget=forms.RadioSelect,
    )
    redacted_of = forms.ModelChoiceField(
        label=gettext_lazy("This is a redacted copy of"),
        queryset=Evidence.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Only black out prices, nothing else, so the copy can be shared more widely."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, own: Any = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, PNG, JPEG, WebP, text, CSV or Excel; at most %(limit)s."
        ) % {"limit": filesizeformat(max_bytes())}
        if own is None:
            del self.fields["redacted_of"]
        else:
            self.fields["redacted_of"].queryset = own
            self.fields["redacted_of"].label_from_instance = lambda e: (
                f"{e.original_name} ({e.get_kind_display()})"
            )


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(choices=Evidence.Visibility.choices, widget=forms.RadioSelect)

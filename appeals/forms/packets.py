"""The packet's evidence, as organisers tick it on the round's evidence page."""

from __future__ import annotations

from django import forms

from coalition.models import Evidence


class PacketEvidenceForm(forms.Form):
    evidence = forms.ModelMultipleChoiceField(queryset=Evidence.objects.none(), required=False)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = choices

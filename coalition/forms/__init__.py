"""Forms for the coalition pages, one module per domain. Validation only: saving goes through
coalition/actions/.

These are plain forms, not ModelForms: a ModelForm copies the cleaned values onto its instance
while validating, and the actions decide what changed by comparing against that instance.
"""

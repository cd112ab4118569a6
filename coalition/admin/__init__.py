"""The coalition admin, one module per domain; importing them registers their ModelAdmins.

Staff find and look at rows here and handle abuse (hiding a grievance); every change a seller
could make goes through coalition/actions/, as on the site."""

from coalition.admin import grievances, reports, sellers, timeline  # noqa: F401  (registers)

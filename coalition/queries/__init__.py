"""Read-side querysets and permission questions: who may see what (docs/domain.md, permissions).

Every view and API viewset scopes its queryset with one of these modules, so an object a caller
may not know exists is a 404. Import the domain module you need: `from coalition.queries.grievances
import reachable_grievances`.
"""

"""Coalition web pages, one module per domain: server-rendered, and every one works without
JavaScript.

Each view finds what the viewer may see through coalition/queries/ and coalition/pages/ (404 for
what they may not know exists) and makes every change through coalition/actions/; an
ActionRefused becomes an error next to the form field it names, or an error message.
"""

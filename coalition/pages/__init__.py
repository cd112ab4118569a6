"""View-models for the pages: what a page shows and how it is found (a 404 for what the viewer
may not know exists), the URLs it links to, its to-do texts, the sections other apps add to the
grievance page. Views render them; queries decide who may see what (docs/architecture.md)."""

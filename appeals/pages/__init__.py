"""View-models for the appeals pages and the API that mirrors them (docs/architecture.md): the round
page (`rounds`), the organiser's board (`board`) and "my cases" (`my_cases`). They build URLs and
to-do texts; who may see what is decided below them, in appeals/queries."""

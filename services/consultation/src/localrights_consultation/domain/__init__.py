"""Rules of consultations that know neither HTTP nor SQL.

- ``questions``: question types, the rules of a definition and of each answer;
- ``lifecycle``: draft -> open -> closed -> published, and when responses are taken;
- ``results``: figures from tallies, with small-cell suppression;
- ``places``: ISO 3166 jurisdictions and SDG targets;
- ``codes``: participation codes;
- ``exports``: spreadsheet-safe cells.
"""

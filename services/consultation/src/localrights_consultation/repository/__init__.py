"""Where the consultation service's SQL lives: one module per resource.

``consultations`` (finding, closing, codes), ``responses`` (the one-statement submission and
its guards), ``results`` (tallies, group sizes, the raw export, figures kept at publication),
and ``core`` to run a statement in the caller's session. Nothing here commits.
"""

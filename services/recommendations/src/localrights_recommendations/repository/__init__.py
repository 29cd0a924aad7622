"""The SQL of the recommendations service, one module per resource.

Functions take the session of the caller's unit of work and never commit.
"""

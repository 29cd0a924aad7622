"""The SQL of the notifications service, one module per resource.

ORM functions take the session of the caller's unit of work and never commit; the
dispatcher's claims and records are single autocommitted statements on its asyncpg pool.
"""

"""Delivering notifications, read top-down as a delivery goes:

- ``dispatcher``: claims due deliveries, hands them to the pool, records the results;
- ``pool``: the workers per channel, and the slow lane for webhook calls that hang;
- ``policy``: one attempt under the circuit breaker, and the retry that follows;
- ``channels``: one object per channel (webhook, e-mail, inbox): its endpoint, body and send;
- ``senders``: the signed webhook POST and the SMTP message on the wire;
- ``recorder`` and ``health``: results written in batches, dead endpoints disabled.

The SQL of claims and records is in ``repository.claims``.
"""

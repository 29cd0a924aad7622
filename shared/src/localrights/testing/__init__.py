"""Test support: a pytest plugin with real PostgreSQL and Kafka-protocol broker fixtures."""

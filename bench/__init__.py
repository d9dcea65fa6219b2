"""Benchmarks for Invite Hygiene: data generation, commands, sweep, import and HTTP load (`make bench`)."""

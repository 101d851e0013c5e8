"""Many replications: seeded chunks on a worker pool, reduced to compact records."""

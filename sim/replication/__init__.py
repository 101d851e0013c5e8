"""One replication: the actors wired together in one SimPy environment, and what it produced."""

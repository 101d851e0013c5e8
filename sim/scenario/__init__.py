"""The scenario: its contract, distributions, reading YAML files, and the problems found in them."""

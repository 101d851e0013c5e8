"""The ``drawdown`` command line."""

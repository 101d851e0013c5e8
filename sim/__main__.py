"""``python -m sim`` runs the ``drawdown`` command line."""

from sim.cli import main

raise SystemExit(main())

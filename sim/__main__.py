"""``python -m sim`` runs the ``drawdown`` command line."""

import sys

try:
    from sim.cli.main import main
except KeyboardInterrupt:  # Ctrl-C while Python is still importing: no traceback
    sys.stderr.write("drawdown: interrupted\n")
    raise SystemExit(130) from None

raise SystemExit(main())

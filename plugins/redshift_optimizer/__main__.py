"""``python -m redshift_optimizer``: the command line (see redshift_optimizer.cli)."""

from redshift_optimizer.cli import main

raise SystemExit(main())

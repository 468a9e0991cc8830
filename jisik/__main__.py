"""``python -m jisik`` is the ``jisik`` command."""

from jisik.cli import main

raise SystemExit(main())

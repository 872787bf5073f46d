"""`python -m bot` is `dealcoach`."""

from bot.cli import main

raise SystemExit(main())

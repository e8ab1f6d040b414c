"""One module per ``digitlab`` subcommand: ``add_parser(subparsers)`` and ``run(args)``."""

"""One module per `launchready` subcommand."""

"""The typed environment model every layer reads: stack file → EnvironmentConfig (bounded, explained errors)."""

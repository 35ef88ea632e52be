"""The domain layer: entities, value objects and pure rule functions. No I/O, no clock, no database."""

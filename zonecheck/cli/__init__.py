"""Command line: parses arguments, runs the stages, maps errors to exit codes (SPEC §2)."""

"""Use-cases shared by the CLI and the pages (`service`), the demo database, and the CLI."""

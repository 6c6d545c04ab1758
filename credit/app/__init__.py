"""The top layer: use-cases shared by the CLI and the pages (`service`: database path, open store,
score, all-or-nothing batch import), the demo database, and the CLI (`python -m credit …`)."""

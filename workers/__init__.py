"""Background work over the same library the CLI uses: the batch worker and the nightly reindex."""

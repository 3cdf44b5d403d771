"""The store's typed failures, in a module light enough for the CLI to import at start-up."""


class StoreError(RuntimeError):
    """The database could not do what was asked. The message holds no candidate data."""


class AlreadyRecorded(StoreError):
    """A vetting with this ID or job key is already in the audit log."""

"""The user's own package named `server`: mindport's runner must not be confused by it."""

WHOSE = "user"

"""The reliability suite: database roles, backups, properties (`make reliability`)."""

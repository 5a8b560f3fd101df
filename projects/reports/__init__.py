"""The report door: a partner's contact records a milestone's outcome from a reminder mail."""

"""The local playground: a page that stands in for Slack and drives the real app over signed HTTP."""

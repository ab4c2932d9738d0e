"""The knowledge tool family: searching the team's runbooks and documents with citations."""

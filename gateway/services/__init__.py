"""Work that spans repositories and services (chat turns, retrieval), kept out of the routes."""

"""Talking to SALESmanago: the client, its deadlines, the endpoint."""

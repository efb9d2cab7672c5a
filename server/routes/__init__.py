"""HTTP routes of the server, under `sync.protocol.API_PREFIX`."""

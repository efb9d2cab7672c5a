"""Loyalty Till core: domain, pricing, local store and use cases. Imports no Qt, no hardware, no HTTP."""

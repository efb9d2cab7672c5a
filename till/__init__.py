"""The `till` command: the composition root that wires the core, the hardware and the UI."""

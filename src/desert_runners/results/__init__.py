"""Desert Runners."""

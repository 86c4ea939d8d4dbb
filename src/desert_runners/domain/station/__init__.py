"""Checkpoint stations: pure rules for what a station records and how it travels to camp.

A station is a laptop at a checkpoint with its own database and no network. Everything
here is pure (no I/O): the checks before an entry is saved, the prompt's commands, the
keys of a station's facts, and the two bundle formats (JSON lines and compact text).
"""

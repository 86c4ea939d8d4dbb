"""A realistic desert stage race, simulated: pure (numpy, no I/O, no database).

``simulation.simulate_race(race, entrants, seed)`` gives a ``SimulatedRace``: its field,
what really happened (``performance``) and what the timing saw (reads, typed entries,
rulings), with ``events()`` the whole of it as one time-ordered stream. See
docs/simulator.md for the model and its calibration (``calibrated``).
"""

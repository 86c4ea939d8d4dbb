"""Live mode: a simulated race played in accelerated time through the real ingestion
paths (simulated readers to the live reader client, simulated stations syncing to the
camp server over HTTP, the rulings services). ``services.live_simulation`` runs it."""

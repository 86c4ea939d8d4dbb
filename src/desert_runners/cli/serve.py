"""``desert-runners serve``: the camp server that stations sync to over the network."""

from __future__ import annotations

import typer

from desert_runners.cli.output import console


def serve(
    ctx: typer.Context,
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="The address to listen on: 0.0.0.0 for every network of the camp's laptop.",
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="The port to listen on."),
) -> None:
    """Run the camp server: stations send their entries to it (Ctrl-C stops it)."""
    import uvicorn

    from desert_runners.cli.app import context_of
    from desert_runners.web.app import create_app

    context = context_of(ctx)
    console.print(
        f"camp server for {context.store.safe_url} on http://{host}:{port}: "
        f"stations sync with `desert-runners station sync --to http://{host}:{port}`",
        markup=False,
    )
    uvicorn.run(create_app(context), host=host, port=port, log_level="warning")

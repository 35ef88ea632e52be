"""Platform commands: serve, db upgrade, demo seed, members import."""

from __future__ import annotations

import typer


def register(app: typer.Typer, bench: typer.Typer) -> None:
    @app.command()
    def serve(host: str = "127.0.0.1", port: int = 8000, reload: bool = False) -> None:
        """Serve the web application and API."""
        import uvicorn

        uvicorn.run("nemt.api.main:app", host=host, port=port, reload=reload)

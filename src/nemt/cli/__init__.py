"""The ``nemt`` command. Thin: parse arguments, call a service, print the result.

One module per area adds its commands through ``register(app)``; errors the user can fix go through the one error
printer, :mod:`nemt.cli.errors` (``error: field: message (rule)`` on stderr, exit status 2). The benchmarks are
not here: ``python -m benchmarks …`` from a checkout (``benchmarks/`` at the top of the repository).
"""

from __future__ import annotations

import typer

from nemt.cli import accounts, audit, billing, claims, decisions, dispatch, geo, jobs, network, platform, rides

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Medicaid NEMT broker platform.")

# Order is the order of `nemt --help`.
AREAS = (platform, accounts, audit, network, rides, dispatch, jobs, billing, claims, decisions, geo)

for _area in AREAS:
    _area.register(app)
app.callback()(audit.command_channel)  # audit records name the command they came through


def main() -> None:
    app()


if __name__ == "__main__":
    main()

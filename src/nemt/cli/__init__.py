"""The ``nemt`` command. Thin: parse arguments, call a service, print the result.

One module per area adds its commands through ``register(app)``; errors the user can fix go through the one error
printer, :mod:`nemt.cli.errors` (``error: field: message (rule)`` on stderr, exit status 2). The benchmarks are
not here: ``python -m benchmarks …`` from a checkout (``benchmarks/`` at the top of the repository).
"""

from __future__ import annotations

import typer

import nemt.cli.complaints as complaints  # issue 16: nemt complaints list|show|report
import nemt.cli.eligibility as eligibility  # issue 17: nemt eligibility inquiry|read-271|import-834
import nemt.cli.expenses as expenses  # issue 17: nemt expenses record|list|receipt
import nemt.cli.integrity as integrity  # issue 15: nemt integrity case open|hold|note|release|deny|list
from nemt.cli import accounts, audit, billing, claims, decisions, dispatch, geo, jobs, network, platform, rides

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Medicaid NEMT broker platform.")

# Order is the order of `nemt --help`.
AREAS = (platform, accounts, audit, network, rides, dispatch, jobs, billing, claims, decisions, geo)

for _area in AREAS:
    _area.register(app)
eligibility.register(app)
integrity.register(app)
complaints.register(app)
expenses.register(app)
app.callback()(audit.command_channel)  # audit records name the command they came through


def main() -> None:
    app()


if __name__ == "__main__":
    main()

"""The ``nemt`` command. Thin: parse arguments, call a service, print the result.

Each subsystem keeps its commands next to its code in ``nemt/<subsystem>/cli.py`` with a function
``register(app, bench)`` that adds them to the main command and to ``nemt bench``.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Medicaid NEMT broker platform.")
bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks, each against a named baseline run side by side.")
app.add_typer(bench_app, name="bench")

# Subsystems whose cli module registers commands. Order is the order of `nemt --help`.
SUBSYSTEM_CLIS: tuple[str, ...] = (
    "nemt.platform_cli",
    "nemt.network_cli",
    "nemt.dispatch_cli",
    "nemt.scheduling.cli",
    "nemt.billing.cli",
    "nemt.claims_cli",
    "nemt.decisions_cli",
    "nemt.geo.cli",
)


def _register_subsystems() -> None:
    for name in SUBSYSTEM_CLIS:
        importlib.import_module(name).register(app, bench_app)


_register_subsystems()


def main() -> None:
    app()


if __name__ == "__main__":
    main()

"""The benchmarks, each run side by side with a named baseline: ``python -m benchmarks geo|claims|insertion|darp``
from a checkout (``make bench`` runs all four at their documented settings, results under ``var/bench/``).

They live outside the ``nemt`` package they measure: ``geo`` (travel-time matrices), ``claims`` (837P export of
N claim lines), ``insertion`` (urgent insertion into a live day) and ``darp`` (the dial-a-ride solver on the
Cordeau / Ropke instances in ``data/darp/``). ``benchmarks.cli`` holds the commands.
"""

"""Types and constants shared by the compiled kernels (see :mod:`nemt.scheduling._kernels`)."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

# Argument types of the kernels, for the type checker (numba types the arguments from the values it is called with).
FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
#: ``(tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S, loc)``, see
#: :mod:`nemt.scheduling._kernels`: ``tt`` and ``cost`` are over locations, ``loc[node]`` is a node's location.
KernelInstance: TypeAlias = tuple[
    FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, IntArray, FloatArray, npt.NDArray[np.uint8],
    IntArray, FloatArray, int, int, int, IntArray,
]

EPS = 1e-9
INF = 1e18

# Removal operators
D_RANDOM, D_WORST, D_SHAW, D_ROUTE = 0, 1, 2, 3
NUM_DESTROY = 4
# Repair operators: regret level (1 = greedy) x noise on/off, index = 2 * (level - 1) + noise
REGRET_LEVELS = 4
NUM_REPAIR = 2 * REGRET_LEVELS

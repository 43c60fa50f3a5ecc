from typing import Literal, TypeAlias, overload

import numpy as np
import numpy.typing as npt

__version__: str
TIE_RTOL: float

ArrayLike: TypeAlias = npt.ArrayLike
FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
OnInvalid: TypeAlias = Literal["raise", "nan"]
Real: TypeAlias = float | int
SlDefinition: TypeAlias = Literal["answered", "offered", "excl_short_abandons", "short_abandons_ok", "virtual"]

class InvalidInputError(ValueError):
    parameter: str | None
    value: float | str | None
    index: int | tuple[int, ...] | None

class Staffing:
    load: float | FloatArray
    agents: int | IntArray
    scheduled: int | IntArray
    service_level: float | FloatArray
    asa_seconds: float | FloatArray
    occupancy: float | FloatArray
    def to_dict(self) -> dict[str, float | int | FloatArray | IntArray]: ...

class StaffingWarning(UserWarning): ...

class StaffingA:
    load: float | FloatArray
    agents: int | IntArray
    scheduled: int | IntArray
    service_level: float | FloatArray
    p_abandon: float | FloatArray
    asa_answered_seconds: float | FloatArray
    occupancy: float | FloatArray
    def to_dict(self) -> dict[str, float | int | FloatArray | IntArray]: ...

class ErlangA:
    p_wait: float | FloatArray
    p_abandon: float | FloatArray
    p_abandon_given_wait: float | FloatArray
    mean_queue: float | FloatArray
    asa_all_seconds: float | FloatArray
    asa_answered_seconds: float | FloatArray
    mean_wait_abandoned_seconds: float | FloatArray
    occupancy: float | FloatArray
    answered_within: float | FloatArray
    abandoned_within: float | FloatArray
    sl_answered: float | FloatArray
    sl_offered: float | FloatArray
    sl_excl_short_abandons: float | FloatArray
    sl_short_abandons_ok: float | FloatArray
    sl_virtual: float | FloatArray
    def to_dict(self) -> dict[str, float | FloatArray]: ...

@overload
def erlang_b(servers: Real, load: Real, *, on_invalid: OnInvalid = "raise") -> float: ...
@overload
def erlang_b(servers: ArrayLike, load: ArrayLike, *, on_invalid: OnInvalid = "raise") -> float | FloatArray: ...
@overload
def log_erlang_b(servers: Real, load: Real, *, on_invalid: OnInvalid = "raise") -> float: ...
@overload
def log_erlang_b(servers: ArrayLike, load: ArrayLike, *, on_invalid: OnInvalid = "raise") -> float | FloatArray: ...
@overload
def erlang_c(agents: Real, load: Real, *, on_invalid: OnInvalid = "raise") -> float: ...
@overload
def erlang_c(agents: ArrayLike, load: ArrayLike, *, on_invalid: OnInvalid = "raise") -> float | FloatArray: ...
@overload
def service_level(
    agents: Real, load: Real, aht_seconds: Real, threshold_seconds: Real, *, on_invalid: OnInvalid = "raise"
) -> float: ...
@overload
def service_level(
    agents: ArrayLike,
    load: ArrayLike,
    aht_seconds: ArrayLike,
    threshold_seconds: ArrayLike,
    *,
    on_invalid: OnInvalid = "raise",
) -> float | FloatArray: ...
@overload
def prob_wait_exceeds(
    agents: Real, load: Real, aht_seconds: Real, threshold_seconds: Real, *, on_invalid: OnInvalid = "raise"
) -> float: ...
@overload
def prob_wait_exceeds(
    agents: ArrayLike,
    load: ArrayLike,
    aht_seconds: ArrayLike,
    threshold_seconds: ArrayLike,
    *,
    on_invalid: OnInvalid = "raise",
) -> float | FloatArray: ...
@overload
def asa(agents: Real, load: Real, aht_seconds: Real, *, on_invalid: OnInvalid = "raise") -> float: ...
@overload
def asa(
    agents: ArrayLike, load: ArrayLike, aht_seconds: ArrayLike, *, on_invalid: OnInvalid = "raise"
) -> float | FloatArray: ...
@overload
def queue_length(agents: Real, load: Real, *, on_invalid: OnInvalid = "raise") -> float: ...
@overload
def queue_length(agents: ArrayLike, load: ArrayLike, *, on_invalid: OnInvalid = "raise") -> float | FloatArray: ...
@overload
def occupancy(agents: Real, load: Real, *, on_invalid: OnInvalid = "raise") -> float: ...
@overload
def occupancy(agents: ArrayLike, load: ArrayLike, *, on_invalid: OnInvalid = "raise") -> float | FloatArray: ...
@overload
def wait_quantile(
    agents: Real, load: Real, aht_seconds: Real, q: Real, *, on_invalid: OnInvalid = "raise"
) -> float: ...
@overload
def wait_quantile(
    agents: ArrayLike, load: ArrayLike, aht_seconds: ArrayLike, q: ArrayLike, *, on_invalid: OnInvalid = "raise"
) -> float | FloatArray: ...
@overload
def offered_load(
    calls: Real, aht_seconds: Real, interval_seconds: Real, *, on_invalid: OnInvalid = "raise"
) -> float: ...
@overload
def offered_load(
    calls: ArrayLike, aht_seconds: ArrayLike, interval_seconds: ArrayLike, *, on_invalid: OnInvalid = "raise"
) -> float | FloatArray: ...
def required_agents(
    calls: ArrayLike,
    aht_seconds: ArrayLike,
    interval_seconds: ArrayLike,
    *,
    sl_target: ArrayLike | None = None,
    threshold_seconds: ArrayLike | None = None,
    asa_target_seconds: ArrayLike | None = None,
    max_occupancy: ArrayLike | None = None,
    shrinkage: ArrayLike | None = None,
    on_invalid: OnInvalid = "raise",
) -> Staffing: ...
@overload
def required_lines(load: Real, blocking: Real, *, on_invalid: OnInvalid = "raise") -> int: ...
@overload
def required_lines(load: ArrayLike, blocking: ArrayLike, *, on_invalid: OnInvalid = "raise") -> int | IntArray: ...
@overload
def max_load(lines: Real, blocking: Real, *, on_invalid: OnInvalid = "raise") -> float: ...
@overload
def max_load(lines: ArrayLike, blocking: ArrayLike, *, on_invalid: OnInvalid = "raise") -> float | FloatArray: ...
def max_calls(
    agents: ArrayLike,
    aht_seconds: ArrayLike,
    interval_seconds: ArrayLike,
    *,
    sl_target: ArrayLike,
    threshold_seconds: ArrayLike,
    on_invalid: OnInvalid = "raise",
) -> float | FloatArray: ...
def max_aht(
    agents: ArrayLike,
    calls: ArrayLike,
    interval_seconds: ArrayLike,
    *,
    sl_target: ArrayLike,
    threshold_seconds: ArrayLike,
    on_invalid: OnInvalid = "raise",
) -> float | FloatArray: ...
def erlang_a(
    agents: ArrayLike,
    load: ArrayLike,
    aht_seconds: ArrayLike,
    patience_seconds: ArrayLike,
    threshold_seconds: ArrayLike,
    *,
    on_invalid: OnInvalid = "raise",
) -> ErlangA: ...
def required_agents_a(
    calls: ArrayLike,
    aht_seconds: ArrayLike,
    interval_seconds: ArrayLike,
    patience_seconds: ArrayLike,
    *,
    sl_target: ArrayLike | None = None,
    threshold_seconds: ArrayLike | None = None,
    sl_definition: SlDefinition = "answered",
    abandon_target: ArrayLike | None = None,
    max_occupancy: ArrayLike | None = None,
    shrinkage: ArrayLike | None = None,
    on_invalid: OnInvalid = "raise",
) -> StaffingA: ...
def group_totals_kernel(
    codes: npt.NDArray[np.int64],
    groups: int,
    sum_columns: list[FloatArray],
    max_columns: list[FloatArray],
) -> tuple[FloatArray, FloatArray, IntArray]: ...

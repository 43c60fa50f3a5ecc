"""wfmath: contact-center workforce math with a Rust core.

Erlang B and C, Erlang A (callers abandon), staffing to service-level, ASA and abandonment
targets, and the inverse problems, over scalars or NumPy arrays (broadcast like NumPy,
computed in Rust with the GIL released).
Units live in the names: ``aht_seconds``, ``interval_seconds``; targets are fractions.
"""

from wfmath._wfmath import (
    TIE_RTOL,
    ErlangA,
    InvalidInputError,
    Staffing,
    StaffingA,
    StaffingWarning,
    __version__,
    asa,
    erlang_a,
    erlang_b,
    erlang_c,
    log_erlang_b,
    max_aht,
    max_calls,
    max_load,
    occupancy,
    offered_load,
    prob_wait_exceeds,
    queue_length,
    required_agents,
    required_agents_a,
    required_lines,
    service_level,
    wait_quantile,
)
from wfmath.actuals import actuals, finish_actuals, plan_vs_actual
from wfmath.plans import evaluate, plan
from wfmath.rollups import finish_rollup, rebin, rollup, rollup_parts

__all__ = [
    "TIE_RTOL",
    "ErlangA",
    "InvalidInputError",
    "Staffing",
    "StaffingA",
    "StaffingWarning",
    "__version__",
    "actuals",
    "asa",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "evaluate",
    "finish_actuals",
    "finish_rollup",
    "log_erlang_b",
    "max_aht",
    "max_calls",
    "max_load",
    "occupancy",
    "offered_load",
    "plan",
    "plan_vs_actual",
    "prob_wait_exceeds",
    "queue_length",
    "rebin",
    "required_agents",
    "required_agents_a",
    "required_lines",
    "rollup",
    "rollup_parts",
    "service_level",
    "wait_quantile",
]

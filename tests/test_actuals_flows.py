"""ACD actuals with a short-abandon cut-off of its own and calls that flowed out of the queue.

Each expected figure is an exact fraction of the hand-summed counts (Fraction), converted once:
a ratio of two integer sums, so the float division the package does must give it exactly."""

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import wfmath

# Two queues, two intervals each. Per row: offered = answered + abandoned + flowed_out (+ waiting).
ACD = pd.DataFrame(
    {
        "interval_start": list(pd.date_range("2026-03-02 08:00", periods=2, freq="30min")) * 2,
        "queue": ["a", "a", "b", "b"],
        "offered": [120, 80, 30, 0],
        "answered": [95, 70, 25, 0],
        "answered_within": [70, 66, 20, 0],
        "abandoned": [17, 6, 3, 0],
        "abandoned_within": [9, 2, 1, 0],  # within the 20 s threshold
        "short_abandoned": [5, 1, 1, 0],  # within the 5 s short-abandon cut-off
        "flowed_out": [6, 3, 2, 0],  # overflowed to another queue before answer
    },
    index=pd.Index([3, 4, 5, 6], name="row"),
)


def exact(numerator, denominator):
    return float(Fraction(numerator, denominator))


def test_short_abandons_and_flow_outs_follow_the_vendor_definitions():
    before = ACD.copy()
    day = wfmath.actuals(ACD)
    pd.testing.assert_frame_equal(ACD, before)
    a = day.loc[("a", pd.Timestamp("2026-03-02"))]
    offered, answered, within, abandoned = 200, 165, 136, 23
    abandoned_within, short, flowed = 11, 6, 9
    assert (a["short_abandoned"], a["flowed_out"]) == (short, flowed)
    assert a["sl_offered"] == exact(within, offered)  # flow-outs and every abandon count against
    assert a["sl_offered_excl_short"] == exact(within, offered - short)  # short abandons were never offered
    assert a["sl_excl_flow_outs"] == exact(within, offered - flowed)  # a flow-out counts neither way
    assert a["sl_excl_short_abandons"] == exact(within, offered - abandoned_within)  # as before: threshold t
    assert a["sl_short_abandons_ok"] == exact(within + abandoned_within, offered)
    assert a["abandon_rate"] == exact(abandoned, offered)
    assert a["abandon_rate_excl_short"] == exact(abandoned - short, offered - short)  # by the cut-off, not t
    assert a["flow_out_rate"] == exact(flowed, offered)
    assert a["sl_answered"] == exact(within, answered)
    # Genesys Cloud's default, (answered within) / (answered + abandoned - short abandons), from the sums.
    genesys = a["answered_within"] / (a["answered"] + a["abandoned"] - a["short_abandoned"])
    assert genesys == exact(within, answered + abandoned - short)
    # Without the cut-off column the threshold serves as the cut-off, as before.
    no_cutoff = wfmath.actuals(ACD.drop(columns="short_abandoned")).loc[("a", pd.Timestamp("2026-03-02"))]
    assert no_cutoff["abandon_rate_excl_short"] == exact(abandoned - abandoned_within, offered - abandoned_within)
    assert "sl_offered_excl_short" not in no_cutoff


def test_per_row_and_in_parts_equal_the_whole():
    each = wfmath.actuals(ACD, freq=None, by=None)
    assert each.index.equals(ACD.index)
    assert each.loc[5, "sl_excl_flow_outs"] == exact(20, 28) and np.isnan(each.loc[6, "flow_out_rate"])
    assert "(answered + abandoned)" not in each.columns
    whole = wfmath.actuals(ACD)
    parts = wfmath.finish_actuals(pd.concat([wfmath.actuals(ACD.iloc[:1]), wfmath.actuals(ACD.iloc[1:])]))
    pd.testing.assert_frame_equal(parts[whole.columns], whole, check_exact=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"short_abandoned": 18}, r"^column 'short_abandoned' must be <= abandoned, got 18.0 at row 3$"),
        ({"flowed_out": 9}, r"^column 'flowed_out' must be <= offered - \(answered \+ abandoned\), got 9.0 at row 3$"),
        ({"flowed_out": -1}, r"^column 'flowed_out' must be finite and >= 0, got -1.0 at row 3$"),
        ({"abandoned": 26, "flowed_out": 0}, r"^column 'abandoned' must be <= offered - answered, got 26.0 at row 3$"),
    ],
)
def test_counts_that_cannot_be_are_named(change, message):
    bad = ACD.copy()
    for column, value in change.items():
        bad.loc[3, column] = value
    with pytest.raises(ValueError, match=message):
        wfmath.actuals(bad)
    with pytest.warns(RuntimeWarning, match="1 row"):
        kept = wfmath.actuals(bad, on_invalid="nan")
    assert kept.loc[("a", pd.Timestamp("2026-03-02")), "offered"] == 80  # the bad row is left out


def test_renamed_columns():
    names = {"short_abandoned": "aband_short", "flowed_out": "overflow_out", "answered": "ans"}
    renamed = ACD.rename(columns=names)
    r = wfmath.actuals(renamed, columns=names, freq=None, by=None)
    assert r.loc[3, "sl_offered_excl_short"] == exact(70, 115) and r.loc[3, "flow_out_rate"] == exact(6, 120)
    bad = renamed.copy()
    bad.loc[3, "overflow_out"] = 9
    with pytest.raises(ValueError, match=r"'overflow_out' must be <= offered - \(ans \+ abandoned\)"):
        wfmath.actuals(bad, columns=names)

"""wfmath.plots: figures that render to PNG and SVG and draw the engine's numbers."""

import subprocess
import sys
import xml.etree.ElementTree as ET

import matplotlib.dates as mdates
import matplotlib.image as mimage
import numpy as np
import pandas as pd
import polars as pl
import pytest
import wfmath
from wfmath import plots

CALLS, AHT, INTERVAL, THRESHOLD = 100.0, 180.0, 1800.0, 20.0


def day_profile(peak):
    """Calls per 30-minute interval over a day: none at night, peaks mid-morning and mid-afternoon."""
    hours = np.arange(48) / 2
    shape = np.exp(-(((hours - 10.5) / 2.0) ** 2)) + 0.7 * np.exp(-(((hours - 15.0) / 2.0) ** 2))
    return np.where((hours >= 6) & (hours < 22), np.round(peak * shape), 0.0)


@pytest.fixture(scope="module")
def two_days():
    """Two queues over two days of 30-minute intervals (more calls on the second day), planned."""
    parts = [
        pd.DataFrame(
            {
                "interval_start": pd.date_range(day, periods=48, freq="30min"),
                "queue": queue,
                "calls": day_profile(peak * scale),
                "aht_seconds": aht,
            }
        )
        for day, scale in (("2026-11-23", 1.0), ("2026-11-24", 1.1))
        for queue, peak, aht in (("sales", 250.0, 240.0), ("support", 400.0, 300.0))
    ]
    frame = pd.concat(parts, ignore_index=True)
    return wfmath.plan(frame, sl_target=0.8, threshold_seconds=THRESHOLD, shrinkage=0.3)


def line(ax, label):
    (found,) = [li for li in ax.get_lines() if li.get_label() == label]
    return found


def labels(ax):
    return [li.get_label() for li in ax.get_lines()]


def check_renders(fig, tmp_path, figsize, dpi):
    png, svg = tmp_path / "figure.png", tmp_path / "figure.svg"
    fig.savefig(png)
    fig.savefig(svg)
    assert png.stat().st_size > 0 and svg.stat().st_size > 0
    assert mimage.imread(png).shape == (round(figsize[1] * dpi), round(figsize[0] * dpi), 4)
    assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"


# staffing_curve


@pytest.mark.parametrize(("figsize", "dpi"), [((8.0, 4.5), 100), ((6.0, 4.0), 72)])
def test_staffing_curve_renders(tmp_path, figsize, dpi):
    fig = plots.staffing_curve(
        CALLS, AHT, INTERVAL, threshold_seconds=THRESHOLD, sl_target=0.8, figsize=figsize, dpi=dpi
    )
    check_renders(fig, tmp_path, figsize, dpi)


@pytest.mark.parametrize("calls", [100.0, 109.0, 436.0])
def test_staffing_curve_draws_the_engine_values(calls):
    fig = plots.staffing_curve(
        calls, AHT, INTERVAL, threshold_seconds=THRESHOLD, sl_target=0.8, asa_target_seconds=15.0
    )
    ax, ax_asa = fig.axes
    load = wfmath.offered_load(calls, AHT, INTERVAL)
    sl = line(ax, "service level")
    agents = sl.get_xdata()
    assert agents[0] == np.floor(load) + 1 and np.all(np.diff(agents) == 1)
    np.testing.assert_array_equal(sl.get_ydata(), wfmath.service_level(agents, load, AHT, THRESHOLD))
    asa_line = line(ax_asa, "ASA")
    np.testing.assert_array_equal(asa_line.get_xdata(), agents)
    np.testing.assert_array_equal(asa_line.get_ydata(), wfmath.asa(agents, load, AHT))
    required = wfmath.required_agents(
        calls, AHT, INTERVAL, sl_target=0.8, threshold_seconds=THRESHOLD, asa_target_seconds=15.0
    ).agents
    marker = line(ax, f"required: {required} agents")
    assert list(marker.get_xdata()) == [required, required]
    assert list(line(ax, "SL target 0.8").get_ydata()) == [0.8, 0.8]
    assert list(line(ax_asa, "ASA target 15 s").get_ydata()) == [15.0, 15.0]
    # The default range runs past both the required agents and where the curve flattens.
    assert agents[-1] > required and sl.get_ydata()[-1] >= 0.999
    assert f"load {load:.2f} Erlangs" in fig.texts[0].get_text()


def test_staffing_curve_marks_the_answer_under_an_occupancy_cap():
    fig = plots.staffing_curve(CALLS, AHT, INTERVAL, threshold_seconds=THRESHOLD, sl_target=0.8, max_occupancy=0.7)
    capped = wfmath.required_agents(CALLS, AHT, INTERVAL, sl_target=0.8, threshold_seconds=THRESHOLD, max_occupancy=0.7)
    plain = wfmath.required_agents(CALLS, AHT, INTERVAL, sl_target=0.8, threshold_seconds=THRESHOLD)
    assert capped.agents > plain.agents  # the cap binds here
    assert list(line(fig.axes[0], f"required: {capped.agents} agents").get_xdata()) == [capped.agents] * 2


def test_staffing_curve_asa_target_alone_and_no_target():
    fig = plots.staffing_curve(CALLS, AHT, INTERVAL, threshold_seconds=THRESHOLD, asa_target_seconds=30.0)
    required = wfmath.required_agents(CALLS, AHT, INTERVAL, asa_target_seconds=30.0).agents
    assert labels(fig.axes[0]) == ["service level", f"required: {required} agents"]
    plain = plots.staffing_curve(CALLS, AHT, INTERVAL, threshold_seconds=THRESHOLD)
    assert labels(plain.axes[0]) == ["service level"] and labels(plain.axes[1]) == ["ASA"]


def test_staffing_curve_max_agents():
    fig = plots.staffing_curve(CALLS, AHT, INTERVAL, threshold_seconds=THRESHOLD, max_agents=40)
    assert list(line(fig.axes[0], "service level").get_xdata()) == list(range(11, 41))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"calls": 0.0}, ValueError, r"calls must be > 0 to draw a staffing curve, got 0\.0"),
        ({"calls": -5.0}, wfmath.InvalidInputError, r"calls must be finite and >= 0, got -5\.0"),
        ({"aht_seconds": 0.0}, wfmath.InvalidInputError, r"aht_seconds must be finite and > 0, got 0\.0"),
        ({"interval_seconds": -1.0}, wfmath.InvalidInputError, r"interval_seconds must be finite and > 0"),
        (
            {"threshold_seconds": -1.0},
            wfmath.InvalidInputError,
            r"threshold_seconds must be finite and >= 0, got -1\.0$",
        ),
        ({"sl_target": 1.5}, wfmath.InvalidInputError, r"sl_target must be in \(0, 1\), got 1\.5"),
        ({"max_agents": 10}, ValueError, r"max_agents must be > the load 10 Erlangs, got 10"),
        ({"max_agents": 20.5}, TypeError, r"max_agents must be a whole number, got 20\.5"),
    ],
)
def test_staffing_curve_errors(kwargs, error, match):
    args = {"calls": CALLS, "aht_seconds": AHT, "interval_seconds": INTERVAL, "threshold_seconds": THRESHOLD} | kwargs
    with pytest.raises(error, match=match):
        plots.staffing_curve(args.pop("calls"), args.pop("aht_seconds"), args.pop("interval_seconds"), **args)


# interval_chart


def facet_rows(fig):
    """The subplot rows of the figure's panels (twin axes share their panel's row)."""
    return sorted({ax.get_subplotspec().rowspan.start for ax in fig.axes})


def panels(fig):
    """Per row: (calls axes, agents twin, service-level axes)."""
    grid = [ax for ax in fig.axes if ax.get_subplotspec().colspan.start == 0]
    rows = {}
    for ax in grid:
        rows.setdefault(ax.get_subplotspec().rowspan.start, []).append(ax)
    right = {ax.get_subplotspec().rowspan.start: ax for ax in fig.axes if ax.get_subplotspec().colspan.start == 1}
    return [(*rows[r], right[r]) for r in sorted(rows)]


def test_interval_chart_renders(tmp_path, two_days):
    fig = plots.interval_chart(two_days, sl_target=0.8)
    check_renders(fig, tmp_path, (12.0, 1.0 + 2.75 * 2), 100)
    small = plots.interval_chart(two_days, sl_target=0.8, figsize=(9.0, 6.0), dpi=80)
    check_renders(small, tmp_path, (9.0, 6.0), 80)


def test_interval_chart_one_facet_row_per_queue(two_days):
    fig = plots.interval_chart(two_days, sl_target=0.8)
    assert facet_rows(fig) == [0, 1] and len(fig.axes) == 6
    titles = [ax.get_title() for ax in fig.axes[:4]]
    assert titles == [
        "sales: calls and agents",
        "sales: service level",
        "support: calls and agents",
        "support: service level",
    ]
    one = plots.interval_chart(two_days[two_days["queue"] == "support"])
    assert facet_rows(one) == [0] and len(one.axes) == 3


def test_interval_chart_draws_only_the_chosen_day(two_days):
    fig = plots.interval_chart(two_days, sl_target=0.8, day="2026-11-24")
    day = two_days[two_days["interval_start"].dt.normalize() == pd.Timestamp("2026-11-24")]
    start, end = mdates.date2num(pd.Timestamp("2026-11-24")), mdates.date2num(pd.Timestamp("2026-11-25"))
    for (calls_ax, agents_ax, sl_ax), (_, rows) in zip(panels(fig), day.groupby("queue", sort=False)):
        bars = calls_ax.patches
        assert len(bars) == len(rows) == 48
        assert all(start <= bar.get_x() and bar.get_x() + bar.get_width() <= end + 1e-9 for bar in bars)
        np.testing.assert_allclose([bar.get_height() for bar in bars], rows["calls"])
        required = line(agents_ax, "required agents")
        np.testing.assert_array_equal(required.get_ydata()[:-1], rows["agents"])
        np.testing.assert_array_equal(line(agents_ax, "scheduled agents").get_ydata()[:-1], rows["scheduled"])
        sl = line(sl_ax, "service level")
        assert np.all((sl.get_xdata() > start) & (sl.get_xdata() < end))
        # Intervals without calls have no service level: blank, not 1.
        expected = np.where(rows["calls"] > 0, rows["service_level"], np.nan)
        np.testing.assert_array_equal(sl.get_ydata(), expected)
        assert list(line(sl_ax, "target 0.8").get_ydata()) == [0.8, 0.8]
    assert "Tue 2026-11-24" in fig.texts[0].get_text()
    first = plots.interval_chart(two_days)
    assert mdates.num2date(first.axes[0].patches[0].get_x()).date().isoformat() == "2026-11-23"


def test_interval_chart_leaves_missing_intervals_blank(two_days):
    day = two_days[two_days["interval_start"].dt.normalize() == pd.Timestamp("2026-11-23")]
    gap = day.drop(day.index[(day["queue"] == "sales") & (day["interval_start"].dt.hour == 12)])
    (calls_ax, agents_ax, sl_ax), _ = panels(plots.interval_chart(gap))
    assert len(calls_ax.patches) == 48
    hours = mdates.num2date(line(sl_ax, "service level").get_xdata())
    missing = np.array([h.hour == 12 for h in hours])
    assert np.isnan(line(sl_ax, "service level").get_ydata()[missing]).all()
    assert np.isnan(line(agents_ax, "required agents").get_ydata()[:-1][missing]).all()


def test_interval_chart_without_queue_and_with_renamed_columns(two_days):
    # Without interval_seconds the interval length comes from the timestamps.
    sales = two_days[two_days["queue"] == "sales"].drop(columns=["queue", "scheduled", "interval_seconds"])
    renamed = sales.rename(columns={"calls": "offered", "interval_start": "start"})
    fig = plots.interval_chart(renamed, columns={"calls": "offered", "interval": "start"})
    ((calls_ax, agents_ax, sl_ax),) = panels(fig)
    assert calls_ax.get_title() == "calls and agents" and labels(agents_ax) == ["agents"]  # no scheduled: staff
    np.testing.assert_allclose([bar.get_height() for bar in calls_ax.patches], sales["calls"].iloc[:48])


def test_interval_chart_time_zone_keeps_wall_clock(two_days):
    local = two_days.assign(interval_start=two_days["interval_start"].dt.tz_localize("Europe/Berlin"))
    fig = plots.interval_chart(local, day=pd.Timestamp("2026-11-24"))
    assert mdates.num2date(fig.axes[0].patches[0].get_x()).replace(tzinfo=None) == pd.Timestamp("2026-11-24 00:00")


def test_interval_chart_from_polars(two_days):
    frame = pl.from_pandas(two_days)
    fig = plots.interval_chart(frame, sl_target=0.8, day="2026-11-24")
    expected = plots.interval_chart(two_days, sl_target=0.8, day="2026-11-24")
    assert facet_rows(fig) == [0, 1]
    for got, want in zip(fig.axes, expected.axes):
        assert got.get_title() == want.get_title()
        for a, b in zip(got.get_lines(), want.get_lines()):
            np.testing.assert_array_equal(a.get_ydata(), b.get_ydata())
    # A plan computed from a polars frame comes back as polars and plots the same.
    raw = frame.select("interval_start", "queue", "calls", "aht_seconds")
    planned = wfmath.plan(raw, sl_target=0.8, threshold_seconds=THRESHOLD, shrinkage=0.3)
    assert isinstance(planned, pl.DataFrame)
    again = plots.interval_chart(planned, sl_target=0.8, day="2026-11-24")
    for got, want in zip(again.axes, expected.axes):
        for a, b in zip(got.get_lines(), want.get_lines()):
            np.testing.assert_array_equal(a.get_ydata(), b.get_ydata())


@pytest.mark.parametrize(
    ("change", "kwargs", "error", "match"),
    [
        (lambda p: p.drop(columns="service_level"), {}, ValueError, "plan lacks required column.*'service_level'"),
        (lambda p: p.drop(columns="calls"), {}, ValueError, "plan lacks required column.*'calls'"),
        (lambda p: p, {"columns": {"agents": "staff"}}, ValueError, "plan lacks required column.*'staff'"),
        (lambda p: p, {"columns": {"shift": "x"}}, ValueError, "unknown role 'shift'"),
        (
            lambda p: p,
            {"day": "2026-12-01"},
            ValueError,
            "day 2026-12-01 is not in the plan, which spans 2026-11-23 to 2026-11-24",
        ),
        (lambda p: p, {"day": "not a day"}, ValueError, "day must be a date.*got 'not a day'"),
        (lambda p: p, {"sl_target": 80}, ValueError, r"sl_target must be a fraction in \[0, 1\], got 80"),
        (lambda p: p.astype({"interval_start": str}), {}, TypeError, "column 'interval_start' must hold timestamps"),
        (lambda p: pd.concat([p, p.iloc[[3]]]), {}, ValueError, "duplicate rows for \\(queue, interval_start\\)"),
    ],
)
def test_interval_chart_errors(two_days, change, kwargs, error, match):
    with pytest.raises(error, match=match):
        plots.interval_chart(change(two_days), **kwargs)


# the module as a whole


def test_no_pyplot(tmp_path):
    """Figures come from matplotlib.figure alone: no GUI backend, no global pyplot state."""
    code = (
        "import sys; from wfmath import plots; "
        "plots.staffing_curve(100, 180, 1800, threshold_seconds=20, sl_target=0.8).savefig(sys.argv[1]); "
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "curve.png")], check=True)

"""Figures a planner reads: burndown fans, completion dates, sortie timelines, comparisons.

Every function takes a result and ``ax=None`` and returns the matplotlib Axes
it drew on; with ``ax=None`` it creates a new :class:`matplotlib.figure.Figure`
of a sensible size (never through ``pyplot``, so no global figure state is
touched and nothing is shown). matplotlib is imported only when a figure is
drawn, so the command line starts fast.

One module per figure family; the look they share (Okabe–Ito colours, the
deadline as a vermillion dashed line, dates in local Niamey time) is in
:mod:`sim.plots.style`:

- :mod:`~sim.plots.burndown` — people and cargo left on base (:func:`burndown`)
- :mod:`~sim.plots.completion` — completion dates (:func:`completion_distribution`)
- :mod:`~sim.plots.sortie_timeline` — one replication's sorties (:func:`sortie_timeline`)
- :mod:`~sim.plots.comparison` — several scenarios (:func:`compare_on_time`,
  :func:`compare_completion`)
- :mod:`~sim.plots.sweep` — a sweep (:func:`sweep_chart`)
- :mod:`~sim.plots.drivers` — lateness drivers (:func:`lateness_drivers`)
- :mod:`~sim.plots.solving` — what it takes (:func:`solve_curve`, :func:`frontier`)
- :mod:`~sim.plots.tornado` — what matters most (:func:`tornado`)
- :mod:`~sim.plots.forecast` — where we stand today: the forecast cone (:func:`forecast_cone`)
- :mod:`~sim.plots.saving` — a run's figures as files (:func:`figures_of`,
  :func:`save_figures`, :func:`figure_bytes`, :func:`median_replication`)
"""

from sim.plots.burndown import burndown
from sim.plots.comparison import compare_completion, compare_on_time
from sim.plots.completion import completion_distribution
from sim.plots.drivers import lateness_drivers
from sim.plots.forecast import forecast_cone
from sim.plots.saving import figure_bytes, figures_of, median_replication, save_figures
from sim.plots.solving import frontier, solve_curve
from sim.plots.sortie_timeline import sortie_timeline
from sim.plots.style import STATE_COLOURS, new_figure
from sim.plots.sweep import sweep_chart
from sim.plots.tornado import tornado

__all__ = [
    "STATE_COLOURS",
    "burndown",
    "compare_completion",
    "compare_on_time",
    "completion_distribution",
    "figure_bytes",
    "figures_of",
    "forecast_cone",
    "frontier",
    "lateness_drivers",
    "median_replication",
    "new_figure",
    "save_figures",
    "solve_curve",
    "sortie_timeline",
    "sweep_chart",
    "tornado",
]

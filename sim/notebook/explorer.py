"""A planner's what-if in a notebook: move three levers, see P(on time) and the fan chart.

The levers are the ones a planner argues about first: how many C-17 tails, the
day the host nation starts approving clearances, and how long one clearance
takes. Each move reruns the scenario (200 replications by default, same seed,
so two settings differ by the settings, not by luck) on one
:class:`~sim.montecarlo.engine.Engine` kept open between moves, so that its
worker processes start once; a move then takes about a second on two cores.

What a lever sets, after ``extends``, as an override validated like the file:

- ``tails`` → ``airlift.tails``;
- ``approvals_open`` → ``clearance.opens`` at 00:00 of that day, with
  ``clearance.opens_delay_days`` 0: approvals start on that day for certain
  (the file's random delay is what the lever replaces); the default is the
  file's opening plus the mean of its delay;
- ``lead_days`` → ``clearance.lead_days``: the file's distribution scaled so
  that its mean is L days, its shape kept (plan-1000's triangular 2–3–7 days
  at L = 4 stays triangular 2–3–7; a fixed number would hide the spread of
  waits the tails see).

:meth:`Explorer.run` is the computation (a :class:`~sim.answers.results.RunResult`,
shown with its fan chart); :meth:`Explorer.widget` wires it to ipywidgets
sliders (``pip install 'drawdown-sim[notebook]'``). Run headless (CI, nbconvert),
the widget shows as its text fallback and :meth:`run` still draws.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import TYPE_CHECKING, Any

from sim.answers.results import RunResult
from sim.montecarlo.engine import Engine
from sim.montecarlo.runs import run
from sim.scenario.contract import Clearance, Scenario
from sim.scenario.distributions import mean_of, scaled
from sim.scenario.reading import load_scenario

if TYPE_CHECKING:
    from ipywidgets import Widget

DEFAULT_REPLICATIONS = 200


def _widgets() -> Any:
    try:
        import ipywidgets
    except ImportError:  # pragma: no cover - ipywidgets is in the notebook extra
        raise ImportError(
            "the explorer needs ipywidgets: pip install 'drawdown-sim[notebook]'"
        ) from None
    return ipywidgets


class Explorer:
    """What-if runs of one scenario file on a warm engine (see the module docstring).

    Close it (or use it in a ``with`` block) to stop its worker processes; a
    notebook's kernel stops them when it ends.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        replications: int = DEFAULT_REPLICATIONS,
        seed: int | None = None,
        jobs: int = 2,
    ) -> None:
        self.path = os.fspath(path)
        self.scenario: Scenario = load_scenario(self.path)
        if self.scenario.clearance is None:
            raise ValueError(
                f"{self.path}: the explorer moves clearance levers: no clearance block"
            )
        self.clearance: Clearance = self.scenario.clearance
        self.replications = replications
        self.seed = seed
        self.engine = Engine(jobs, progress=False)

    def __enter__(self) -> Explorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.close()

    # --- the levers, as the file has them ----------------------------------------------

    @property
    def tails(self) -> int:
        airlift = self.scenario.airlift
        return 0 if airlift is None else airlift.tails

    @property
    def approvals_open(self) -> dt.date:
        """The file's opening plus the mean of its random delay, to the day."""
        clearance = self.clearance
        delay = clearance.opens_delay_days
        days = 0.0 if delay is None else mean_of(delay)
        return (clearance.opens + dt.timedelta(days=days)).date()

    @property
    def lead_days(self) -> float:
        """The mean of the file's clearance lead, to half a day."""
        return round(2 * mean_of(self.clearance.lead_days)) / 2

    def overrides(self, tails: int, approvals_open: dt.date, lead_days: float) -> dict[str, Any]:
        """The overrides that set the three levers (see the module docstring)."""
        lead = self.clearance.lead_days
        mean = mean_of(lead)
        lead = scaled(lead, lead_days / mean) if mean > 0 else lead_days
        return {
            "airlift.tails": tails,
            "clearance.opens": dt.datetime.combine(approvals_open, dt.time()),
            "clearance.opens_delay_days": 0,
            "clearance.lead_days": lead
            if isinstance(lead, float | int)
            else lead.model_dump(mode="json", by_alias=True, exclude_none=True),
        }

    def run(
        self,
        tails: int | None = None,
        approvals_open: dt.date | None = None,
        lead_days: float | None = None,
    ) -> RunResult:
        """The scenario with the levers set (the file's values for those not given)."""
        overrides = self.overrides(
            self.tails if tails is None else tails,
            self.approvals_open if approvals_open is None else approvals_open,
            self.lead_days if lead_days is None else lead_days,
        )
        return run(
            self.path,
            overrides=overrides,
            replications=self.replications,
            seed=self.seed,
            engine=self.engine,
        )

    # --- the widget ------------------------------------------------------------------------

    def widget(self, *, days: int = 60) -> Widget:
        """Sliders for the three levers above the result's view, rerun when a slider is let go."""
        widgets = _widgets()
        start = self.scenario.start.date()
        dates = [start + dt.timedelta(days=day) for day in range(days + 1)]
        opens = min(max(self.approvals_open, dates[0]), dates[-1])
        style = {"description_width": "11em"}
        layout = widgets.Layout(width="36em")
        tails = widgets.IntSlider(
            value=self.tails, min=1, max=max(8, self.tails), description="C-17 tails",
            continuous_update=False, style=style, layout=layout,
        )  # fmt: skip
        approvals = widgets.SelectionSlider(
            options=[(f"{day:%a %d %b}", day) for day in dates], value=opens,
            description="approvals open on", continuous_update=False, style=style, layout=layout,
        )  # fmt: skip
        lead = widgets.FloatSlider(
            value=self.lead_days, min=0.5, max=10.0, step=0.5, description="clearance lead (days)",
            continuous_update=False, style=style, layout=layout,
        )  # fmt: skip
        view = widgets.HTML()
        status = widgets.HTML()

        def update(_: object = None) -> None:
            status.value = "<i>running…</i>"
            started = time.perf_counter()
            result = self.run(tails.value, approvals.value, lead.value)
            view.value = result._repr_html_()
            status.value = (
                f"<small>{self.replications} replications in "
                f"{time.perf_counter() - started:.1f} s</small>"
            )

        for slider in (tails, approvals, lead):
            slider.observe(update, names="value")
        update()
        return widgets.VBox([tails, approvals, lead, status, view])

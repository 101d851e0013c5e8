"""Regression tests on simulated completion dates, the way Python users write them.

Two ways in:

* ``pytest scenarios/``: the pytest plugin (:mod:`sim.testing.plugin`, registered
  through the ``pytest11`` entry point) collects every scenario file with an
  ``expect:`` block as one test item and checks it like ``drawdown check``.
* assertions for your own test files, which allow for Monte Carlo error
  (:mod:`sim.testing.assertions`)::

      import sim
      from sim.testing import assert_completion, assert_on_time

      def test_more_tails_finish_in_august():
          result = sim.run("scenarios/plan-1000.yaml", overrides={"airlift.tails": 4})
          assert_on_time(result, at_least=0.9)
          assert_completion(result, "p50", before="2024-09-01")
"""

from __future__ import annotations

from sim.testing.assertions import assert_completion, assert_on_time

__all__ = ["assert_completion", "assert_on_time"]

"""The suite's collection rules.

``tests/scenarios/`` holds scenario files that the tests read as data (some with
an ``expect:`` block, which the drawdown-sim pytest plugin would otherwise
collect as test items): the library's expectations are checked by
``tests/test_scenarios.py`` and by ``pytest scenarios/``, not here.
"""

collect_ignore = ["scenarios"]

"""What one C-17 or airliner takes from Base 101: loading order, fit, seats and readiness."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_helpers import scenario

from sim.actors.loadmaster import Inventory
from sim.clock import Clock
from sim.scenario import compiled
from sim.scenario.compiled import compile_airlift, compile_scenario
from sim.scenario.contract import Scenario
from sim.scenario.laws import Draws


def inventory_of(sc: Scenario) -> Inventory:
    packing = sc.base.packing_positions_per_day
    return Inventory(
        compile_scenario(sc), Clock(sc.start), None if packing is None else Draws(packing, None)
    )


def airlift_of(sc: Scenario) -> compiled.Airlift:
    assert sc.airlift is not None
    return compile_airlift(sc.airlift)


def test_loading_order_is_sensitive_then_priority_then_file_order() -> None:
    sc = scenario(
        cargo=[
            {"name": "tents", "count": 1, "positions": 1, "weight_kg": 500},
            {"name": "MQ-9", "count": 1, "positions": 6, "weight_kg": 9000, "sensitive": True},
            {"name": "vehicles", "count": 1, "positions": 2, "weight_kg": 5000, "priority": 50},
            {"name": "crypto", "count": 1, "positions": 1, "weight_kg": 300, "sensitive": True,
             "priority": 10},
        ]
    )  # fmt: skip
    assert inventory_of(sc).order == [3, 1, 2, 0]
    plain = scenario(cargo=sc.model_dump()["cargo"], policy={"sensitive_first": False})
    assert inventory_of(plain).order == [3, 2, 0, 1]


def test_a_military_load_skips_what_does_not_fit_and_fills_with_the_next() -> None:
    """Positions 18, payload 45 t. Two 8-position vehicles (16), then a 6-position MQ-9 cannot
    fit the 2 positions left, but two 1-position boxes can."""
    sc = scenario(
        cargo=[
            {"name": "vehicles", "count": 3, "positions": 8, "weight_kg": 10000, "priority": 1},
            {"name": "MQ-9", "count": 1, "positions": 6, "weight_kg": 9000, "priority": 2},
            {"name": "boxes", "count": 5, "positions": 1, "weight_kg": 1000},
        ]
    )
    inventory = inventory_of(sc)
    load = inventory.load_military(0.0, airlift_of(sc))
    assert load.cargo == [(0, 2), (2, 2)]
    assert load.cargo_kg == 22000
    assert inventory.cargo_units_unloaded == 9 - 4
    assert inventory.cargo_units_aboard == 4
    inventory.took_off(load)
    assert inventory.cargo_units_aboard == 0


def test_seats_are_limited_by_the_payload_left() -> None:
    """42 t of cargo leaves 3000 kg: 22 passengers of 136 kg (22 × 136 = 2992)."""
    sc = scenario(
        cargo=[{"name": "generators", "count": 3, "positions": 1, "weight_kg": 14000}],
        personnel=[{"name": "airmen", "count": 100, "commercial": False}],
    )
    load = inventory_of(sc).load_military(0.0, airlift_of(sc))
    assert load.people == [(0, 22)]


@pytest.mark.parametrize(
    ("military_seats", "expected"),
    [
        # Last-out waits while cargo is unloaded; non-commercial before commercial.
        (True, [(1, 20), (0, 34)]),
        # Commercial cohorts may not take military seats.
        (False, [(1, 20)]),
    ],
)
def test_boarding_order_on_a_cargo_sortie(
    military_seats: bool, expected: list[tuple[int, int]]
) -> None:
    sc = scenario(
        cargo=[{"name": "boxes", "count": 20, "positions": 1, "weight_kg": 100}],
        personnel=[
            {"name": "contractors", "count": 100},
            {"name": "maintainers", "count": 20, "commercial": False},
            {"name": "security", "count": 10, "commercial": False, "last_out": True},
        ],
        policy={"military_seats": military_seats},
    )
    inventory = inventory_of(sc)
    load = inventory.load_military(0.0, airlift_of(sc))
    assert load.cargo == [(0, 18)]  # 2 boxes stay: security may not board yet
    assert load.people == expected
    assert not load.last_out_aboard


def test_last_out_boards_with_the_last_cargo() -> None:
    sc = scenario(
        cargo=[{"name": "boxes", "count": 5, "positions": 1, "weight_kg": 100}],
        personnel=[{"name": "security", "count": 10, "commercial": False, "last_out": True}],
    )
    load = inventory_of(sc).load_military(0.0, airlift_of(sc))
    assert load.cargo == [(0, 5)]
    assert load.people == [(0, 10)]
    assert load.last_out_aboard


def test_airliners_take_ready_commercial_people_in_file_order() -> None:
    sc = scenario(
        personnel=[
            {"name": "late contractors", "count": 10, "ready": "2024-06-04T00:00"},
            {"name": "maintainers", "count": 10, "commercial": False},
            {"name": "security", "count": 10, "last_out": True},
            {"name": "contractors", "count": 10},
        ]
    )
    inventory = inventory_of(sc)
    assert inventory.board_airliner(0.0, 15) == [(3, 10)]  # the late ones are not ready
    assert inventory.board_airliner(24.0, 15) == [(0, 10)]
    assert inventory.airline_eligible_left() == 0


def test_packing_makes_cargo_ready_in_loading_order_at_the_daily_rate() -> None:
    """12 positions a day. Loading order: MQ-9 (sensitive, 6 positions each) then boxes.
    MQ-9 #1 is ready at 24·6/12 = 12 h, #2 at 24 h; box k at 24 + 2·k h (2 h a position).
    The crates line has its own ready date and is not packed by the base."""
    sc = scenario(
        cargo=[
            {"name": "boxes", "count": 3, "positions": 1, "weight_kg": 100},
            {"name": "MQ-9", "count": 2, "positions": 6, "weight_kg": 9000, "sensitive": True},
            {"name": "crates", "count": 2, "positions": 1, "weight_kg": 100,
             "ready": "2024-06-03T05:00"},
        ],
        base={"packing_positions_per_day": 12},
    )  # fmt: skip
    inventory = inventory_of(sc)
    assert inventory.line_ready == [[26.0, 28.0, 30.0], [12.0, 24.0], [5.0, 5.0]]
    assert inventory.next_ready_after(12.0) == 24.0
    assert inventory.next_ready_after(30.0) == float("inf")


def test_a_unit_spanning_two_packing_days_is_ready_when_its_last_position_is() -> None:
    """5 positions a day, units of 3: #1 at 24·3/5 = 14.4 h; #2 needs 2 of day 1 and 1 of day 2:
    24 + 24·1/5 = 28.8 h."""
    sc = scenario(
        cargo=[{"name": "pallets", "count": 2, "positions": 3, "weight_kg": 100}],
        base={"packing_positions_per_day": 5},
    )
    assert inventory_of(sc).line_ready[0] == pytest.approx([14.4, 28.8])


def test_military_loads_count_full_sorties_of_ready_work() -> None:
    """27 positions of cargo = 1.5 loads; 2 loads carry 2 × 54 = 108 passengers in the
    sidewall seats, the other 51 make half a 102-seat passenger load: 2.0 loads."""
    sc = scenario(
        cargo=[{"name": "boxes", "count": 27, "positions": 1, "weight_kg": 100}],
        personnel=[{"name": "airmen", "count": 159, "commercial": False}],
    )
    inventory = inventory_of(sc)
    assert inventory.military_loads(0.0, airlift_of(sc)) == pytest.approx(2.0)


_LINE = st.fixed_dictionaries(
    {
        "count": st.integers(0, 12),
        # Positions that fill an aircraft exactly, and weights light and heavy, so
        # that loads often end exactly at an aircraft's limits.
        "positions": st.sampled_from([1, 2, 3, 6, 9, 18, 5, 7]),
        "weight_kg": st.sampled_from([100, 500, 2300, 9000, 20000]),
        "sensitive": st.booleans(),
    }
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(_LINE, min_size=1, max_size=5),
    packing=st.one_of(st.none(), st.integers(3, 40)),
    last_out=st.integers(0, 300),
    steps=st.lists(st.sampled_from([0.0, 0.5, 6.0, 24.0]) | st.floats(0, 48), max_size=12),
)
def test_kept_totals_and_the_final_lift_shortcut_agree_with_a_full_count(
    lines: list[dict[str, Any]], packing: int | None, last_out: int, steps: list[float]
) -> None:
    """What the loadmaster keeps as loads are taken (unloaded positions, open lines, the
    last unloaded ready time, work left) equals a count from scratch after every load,
    and the final-lift answer with its shortcut equals the full plan for 1-4 aircraft."""
    cargo = [{"name": f"line {i}", **line} for i, line in enumerate(lines)]
    sc = scenario(
        cargo=cargo,
        personnel=[
            {"name": "staff", "count": 40, "commercial": False},
            {"name": "last out", "count": last_out, "commercial": False, "last_out": True},
        ],
        base={"packing_positions_per_day": packing},
    )
    inventory, airlift = inventory_of(sc), airlift_of(sc)
    hours = 0.0
    for step in [0.0, *steps]:
        hours += step
        left = [
            len(r) - n for r, n in zip(inventory.line_ready, inventory.line_loaded, strict=True)
        ]
        assert inventory.positions_unloaded == sum(
            n * p for n, p in zip(left, inventory.line_positions, strict=True)
        )
        assert inventory.open_lines == [i for i, n in enumerate(left) if n > 0]
        assert inventory.last_unloaded_ready == max(
            (inventory.line_ready[i][-1] for i, n in enumerate(left) if n > 0), default=-math.inf
        )
        assert inventory.military_work_left(airlift) == (
            inventory.military_loads(math.inf, airlift) > 0
        )
        for committed in range(1, 5):
            assert inventory.extra_tails_for_the_last_out(hours, airlift, committed) == (
                inventory._extra_tails_by_plan(hours, airlift, committed)
                if inventory.cargo_units_unloaded and inventory.last_out_left
                else 0
            )
        inventory.took_off(inventory.load_military(hours, airlift))

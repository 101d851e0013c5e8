"""The actors of the drawdown, one module each.

The airfield, the C-17 tails, the clearance office, the airliners, the weather
and the loadmaster.
"""

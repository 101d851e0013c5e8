"""The colours every figure uses: the Okabe–Ito palette (Okabe & Ito 2008).

Distinguishable with the common forms of colour blindness. A module of its own,
with no imports, so that small figures drawn from plain arrays
(:mod:`sim.plots.fan`) share the look without depending on the results.
"""

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#999999"
LIGHT_GREY = "#DDDDDD"

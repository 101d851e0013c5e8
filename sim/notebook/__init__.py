"""The notebook front end: interactive what-ifs (:mod:`sim.notebook.explorer`).

Like :mod:`sim.cli` for the terminal, it runs the model on a user's request and
shows the answer; the figures and views it shows are the package's own.
"""

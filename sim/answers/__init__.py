"""Answers from many replications: the score, comparisons, expectations and calibration."""

"""Behavioural verification: run a candidate and its reference, compare what they do.

``checks``  the detectors (pure Python, compare two observations)
``worker``  the child-process side: runs ``main(**config)`` under instrumentation
``runner``  the parent side: child processes, Hypothesis search, verdicts
"""

"""One test module per bug class (``test_<class id with underscores>.py``), as LibCST keeps one per codemod.

A package, so that its modules are imported as ``bug_classes.test_...`` and never clash with
``tests/conftest.py`` or the other test files on pytest's path.
"""

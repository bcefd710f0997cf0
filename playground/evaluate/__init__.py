"""Answer-quality evaluation: data sets, sandboxed checks, and the harness behind `python -m playground.evaluate`.

Model output is executed only by this package, in a sandboxed subprocess (see sandbox.py);
the app and the rest of the core never run generated code.
"""

"""The append benchmark (bench/append.py) by concern: workload, backends, runs, report."""

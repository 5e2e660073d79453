"""The projections benchmark (bench/projections.py) by concern: generator, ledgers, throughput, memory, report."""

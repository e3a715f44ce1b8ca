"""learnstream's benchmarks: workloads W1–W3 and microbenchmarks, run by `python -m benchmarks`.

See `benchmarks/README.md` for what each measures and the latest figures.
"""

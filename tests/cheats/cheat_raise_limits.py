"""Cheat (map): lifts its own limits, then builds a huge list."""

import resource

for name in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NPROC"):
    which = getattr(resource, name, None)
    if which is None:
        continue
    try:
        resource.setrlimit(which, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        try:
            hard = resource.getrlimit(which)[1]
            resource.setrlimit(which, (hard, hard))
        except (ValueError, OSError):
            pass


def double(stream):
    hoard = bytearray(3 * 1024**3)
    for x in stream:
        yield 2 * x + len(hoard) * 0

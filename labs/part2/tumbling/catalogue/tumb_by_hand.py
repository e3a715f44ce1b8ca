"""Wrong: windows computed by hand with stateful logic, which keeps late readings."""

from datetime import UTC, datetime, timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
WAIT = timedelta(seconds=10)

def build_flow(source, sink):
    flow = Dataflow("t")
    readings = op.input("in", flow, source)
    keyed = op.key_on("k", readings, lambda r: f'{r["sensor"]}|{(r["ts"] - ALIGN) // timedelta(minutes=1)}')
    sums = op.fold_final("f", keyed, lambda: (0.0, 0), lambda a, r: (a[0] + r["temp"], a[1] + 1))

    def shape(kv):
        key, (total, count) = kv
        sensor, wid = key.split("|")
        return (sensor, (int(wid), total / count))

    op.output("o", op.map("shape", sums, shape), sink)
    return flow

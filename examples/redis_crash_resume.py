"""Crash and resume: a word count over a Redis stream, killed mid-run, counts every word once.

Needs a Redis server (REDIS_URL, by default redis://localhost:6379/0) and
`pip install "learnstream[broker]"`. Run it with `python redis_crash_resume.py`:
it writes words to the stream `course:words`, starts the flow below with
recovery (`learnstream run redis_crash_resume:flow -r DB -s 0 -b 0`), kills it
with SIGKILL once some entries are acknowledged, runs it again, and compares
the counts with the words it wrote.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta

import learnstream.operators as op
from learnstream.connectors.redis import RedisStreamSink, RedisStreamSource
from learnstream.dataflow import Dataflow

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

flow = Dataflow("crash_resume")
source = RedisStreamSource(
    "course:words",
    "counters",
    "counter",
    url=REDIS_URL,
    batch_size=3,
    stop_after_idle=timedelta(seconds=1),
)
# Slowly, so that there is a "mid-run" to kill it in.
words = op.map("slowly", op.input("inp", flow, source), lambda e: time.sleep(0.02) or e)
counted = op.count_final("count", words, lambda e: e["word"])
as_entries = op.map("entry", counted, lambda kv: {"word": kv[0], "n": kv[1]})
op.output("out", as_entries, RedisStreamSink("course:word-counts", url=REDIS_URL))


def main() -> None:
    import redis

    r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    r.delete("course:words", "course:word-counts")
    r.xgroup_create("course:words", "counters", id="0", mkstream=True)
    written = [f"word{i % 7}" for i in range(90)]
    for word in written:
        r.xadd("course:words", {"word": word})
    print(len(written), "words written to course:words")

    db = tempfile.mkdtemp(prefix="recovery-")
    subprocess.run([sys.executable, "-m", "learnstream.recovery", db, "1"], check=True)
    here = os.path.dirname(os.path.abspath(__file__))
    run = [sys.executable, "-m", "learnstream", "run", "redis_crash_resume:flow"]
    run += ["-r", db, "-s", "0", "-b", "0"]

    def acknowledged() -> int:
        (group,) = r.xinfo_groups("course:words")
        return (group["entries-read"] or 0) - group["pending"]

    first = subprocess.Popen(run, cwd=here)
    while acknowledged() < 30:
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait()
    print("killed the first run (SIGKILL) before the end:", acknowledged() < len(written))
    subprocess.run(run, cwd=here, check=True)
    counts = {e["word"]: int(e["n"]) for _, e in r.xrange("course:word-counts")}
    print("resumed run's counts equal the words written:", counts == Counter(written))


if __name__ == "__main__":
    main()

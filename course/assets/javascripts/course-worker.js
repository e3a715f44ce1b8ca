/* The page's Python: Pyodide running learnstream's pure-Python twin, in a Web Worker.
 *
 * Started by course-runner.js. Everything it loads is a file of the built site
 * (browser/: Pyodide's core files and the wheels named in browser/manifest.json,
 * put there by learnstream.coursebook.site_assets at build time).
 *
 * Messages in:  {type: "init", base, files}           load Python, write the page's files
 *               {type: "run", id, code, where}        run one block (learnstream.coursebook.runner.run_code)
 *               {type: "grade", id, part, exercise, source, seed, hung}
 *                                                     grade a submission (learnstream.grading.in_browser)
 * Messages out: {type: "ready", timings} (milliseconds: Python started, wheels, imports), {type: "out", id, text}, {type: "done", id, result?},
 *               {type: "call" | "returned", id, number, seconds} around each call into the
 *               learner's code, {type: "failed", id?, message}
 * A block that never ends is stopped by the page terminating this worker.
 */
"use strict";

let pyodide = null;
let site = null;
let base = null;

async function unpack(names) {
  for (const name of names) {
    const response = await fetch(base + "wheels/" + name);
    if (!response.ok) throw new Error(`${name}: ${response.status} ${response.statusText}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    pyodide.unpackArchive(bytes, "wheel", { extractDir: site });
  }
}

async function init(message) {
  const clock = [performance.now()];
  base = message.base;
  importScripts(base + "pyodide/pyodide.js");
  const manifestResponse = await fetch(base + "manifest.json");
  const manifest = await manifestResponse.json();
  self.manifest = manifest;
  pyodide = await loadPyodide({
    indexURL: base + "pyodide/",
    env: { LEARNSTREAM_BACKEND: "python", HOME: "/home/pyodide" },
    stderr: (text) => console.warn(text),
  });
  clock.push(performance.now());
  site = pyodide.runPython("import site; site.getsitepackages()[0]");
  await unpack(manifest.wheels);
  clock.push(performance.now());
  pyodide.FS.mkdirTree("/home/pyodide/course");
  for (const [name, text] of Object.entries(message.files || {})) {
    pyodide.FS.writeFile("/home/pyodide/course/" + name, text);
  }
  pyodide.runPython(`
import os
os.chdir("/home/pyodide/course")
from learnstream.coursebook.runner import run_code as _run_code
_namespace = {"__name__": "__course__"}

class _Out:
    """Forward what a block prints to the page, a few times a second at most."""

    def __init__(self, send):
        import time
        self._send, self._clock, self._parts, self._last = send, time.monotonic, [], 0.0

    def write(self, text):
        self._parts.append(text)
        if self._clock() - self._last > 0.1 or sum(map(len, self._parts)) > 1 << 14:
            self.flush()
        return len(text)

    def flush(self):
        if self._parts:
            self._send("".join(self._parts))
            self._parts.clear()
        self._last = self._clock()

def _run_block(code, where, send):
    out = _Out(send)
    try:
        _run_code(code, _namespace, where, out)
    finally:
        out.flush()
`);
  clock.push(performance.now());
  const [start, python, wheels, ready] = clock.map(Math.round);
  return { python: python - start, wheels: wheels - python, imports: ready - wheels };
}

self.onmessage = async (event) => {
  const message = event.data;
  try {
    if (message.type === "init") {
      const timings = await init(message);
      self.postMessage({ type: "ready", timings });
    } else if (message.type === "run") {
      const send = (text) => self.postMessage({ type: "out", id: message.id, text });
      pyodide.globals.get("_run_block")(message.code, message.where, send);
      self.postMessage({ type: "done", id: message.id });
    } else if (message.type === "grade") {
      const grade = pyodide.pyimport("learnstream.grading.in_browser").grade_json;
      const notify = (event, number, seconds) =>
        self.postMessage({ type: event, id: message.id, number, seconds });
      const result = grade(message.part, message.exercise, message.source, message.seed, message.hung, notify);
      self.postMessage({ type: "done", id: message.id, result });
    }
  } catch (error) {
    self.postMessage({ type: "failed", id: message.id, message: String(error && error.message || error) });
  }
};

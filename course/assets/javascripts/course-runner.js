/* Run and Grade buttons: the course's code and exercises run in the page.
 *
 * The build (learnstream.coursebook.in_page) leaves a slot <div class="ls-run"
 * data-block="N"> after each runnable block and the page's code as JSON in
 * <script id="ls-page-code">. Run starts one Web Worker per page
 * (course-worker.js: Pyodide on learnstream's twin) and runs the blocks in
 * order in one namespace, as the tests do: Run on a block first runs the blocks
 * above it that have not run yet. Stop terminates the worker: a block that never
 * ends is stopped, and the next Run starts Python afresh.
 */
"use strict";

(function () {
  const script = document.currentScript;
  const here = new URL(".", script.src);
  const BROWSER = new URL("../../browser/", here).href;
  const WORKER = new URL("course-worker.js", here).href;
  const MAX_SHOWN = 200000;

  /** One Python for the page: a worker, the blocks it ran, the messages it answers. */
  class PagePython {
    constructor(files) {
      this.files = files;
      this.worker = null;
      this.ran = new Set();
      this.waiting = new Map();
      this.sequence = 0;
      this.listeners = [];
    }

    start() {
      this.worker = new Worker(WORKER);
      this.ran = new Set();
      this.ready = new Promise((resolve, reject) => {
        this.worker.onmessage = (event) => {
          const message = event.data;
          if (message.type === "ready") {
            window.learnstreamTimings = message.timings;
            return resolve();
          }
          const pending = this.waiting.get(message.id);
          if (message.type === "failed" && message.id === undefined) return reject(new Error(message.message));
          if (!pending) return;
          if (message.type === "out") pending.on.out(message.text);
          else if (message.type === "call" || message.type === "returned") pending.on[message.type](message);
          else if (message.type === "done") { this.waiting.delete(message.id); pending.resolve(message.result); }
          else if (message.type === "failed") { this.waiting.delete(message.id); pending.reject(new Error(message.message)); }
        };
        this.worker.onerror = (event) => reject(new Error(event.message || "Python could not start"));
      });
      const worker = this.worker;
      // A Python that could not start is dropped: the next Run tries again.
      this.ready.catch(() => {
        if (this.worker === worker) {
          worker.terminate();
          this.worker = null;
        }
      });
      this.worker.postMessage({ type: "init", base: BROWSER, files: this.files });
      return this.ready;
    }

    /** Send a request; `on.out` receives what the code prints on the way, `on.call` and
     * `on.returned` the grader's calls into the learner's code. */
    async request(message, on = {}) {
      if (!this.worker) this.start();
      await this.ready;
      const id = ++this.sequence;
      const handlers = { out() {}, call() {}, returned() {}, ...on };
      return new Promise((resolve, reject) => {
        this.waiting.set(id, { resolve, reject, on: handlers });
        this.worker.postMessage({ ...message, id });
      });
    }

    /** Terminate the worker: whatever runs stops, and every pending request says so. */
    stop() {
      if (!this.worker) return;
      this.worker.terminate();
      this.worker = null;
      for (const pending of this.waiting.values()) pending.reject(new Error("stopped"));
      this.waiting.clear();
      this.ran = new Set();
    }
  }

  function button(label, kind) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = `md-button ls-${kind}`;
    element.textContent = label;
    return element;
  }

  function setupRunButtons(page) {
    const python = new PagePython(page.files);
    window.learnstreamPage = python;
    const slots = [];
    let queue = Promise.resolve();

    for (const slot of document.querySelectorAll(".ls-run[data-block]")) {
      const index = Number(slot.dataset.block);
      const run = button("Run", "run-button");
      const stop = button("Stop", "stop-button");
      stop.disabled = true;
      const status = document.createElement("span");
      status.className = "ls-status";
      const output = document.createElement("pre");
      output.className = "ls-output";
      output.hidden = true;
      slot.append(run, stop, status, output);
      const ui = { slot, run, stop, status, output, index };
      slots[index] = ui;
      // Python starts while the pointer is on its way to Run: the first output comes sooner.
      run.addEventListener("pointerenter", () => { if (!python.worker) python.start(); });
      run.addEventListener("click", () => {
        slot.dataset.state = "queued";
        status.textContent = "Waiting for the blocks above…";
        queue = queue.then(() => runUpTo(index)).catch(() => {});
      });
      stop.addEventListener("click", () => {
        python.stop();
        for (const other of slots) if (other) other.stop.disabled = true;
        status.textContent = "Stopped. Python starts afresh at the next Run (the blocks above run again).";
        slot.dataset.state = "stopped";
      });
    }

    async function runOne(ui) {
      const block = page.blocks[ui.index];
      ui.output.textContent = "";
      ui.output.hidden = true;
      ui.stop.disabled = false;
      ui.slot.dataset.state = "running";
      if (!python.worker) ui.status.textContent = "Starting Python in the page…";
      else ui.status.textContent = "Running…";
      let shown = 0;
      const started = python.worker ? null : performance.now();
      try {
        const out = (text) => {
          ui.status.textContent = "Running…";
          if (shown < MAX_SHOWN) {
            ui.output.textContent += text.slice(0, MAX_SHOWN - shown);
            shown += text.length;
            if (shown >= MAX_SHOWN) ui.output.textContent += "\n… (the rest is not shown)";
          }
          ui.output.hidden = false;
        };
        await python.request({ type: "run", code: block.code, where: block.where }, { out });
        python.ran.add(ui.index);
        ui.slot.dataset.state = "done";
        ui.status.textContent = ui.output.textContent ? "" : "Done (it prints nothing).";
        if (started !== null) ui.slot.dataset.startMs = String(Math.round(performance.now() - started));
      } catch (error) {
        if (ui.slot.dataset.state !== "stopped") {
          ui.slot.dataset.state = "failed";
          ui.status.textContent = error.message === "stopped" ? "Stopped." : `Python in the page failed: ${error.message}`;
        }
        throw error;
      } finally {
        ui.stop.disabled = true;
      }
    }

    async function runUpTo(index) {
      for (let earlier = 0; earlier < index; earlier++) {
        if (!python.ran.has(earlier) && slots[earlier]) await runOne(slots[earlier]);
      }
      await runOne(slots[index]);
    }
  }

  /* Grade in the page: an editor holding the stub, Grade, Stop, Reset, Download.
   *
   * The checks run in the worker (learnstream.grading.in_browser). The worker says
   * when each call into the learner's code starts and returns; a call that runs past
   * the exercise's limit (times PYODIDE_SLOWER: Python in the page is slower than on
   * the machine) gets the worker terminated, and the grading runs again in a new one,
   * told which calls hung: they fail as they do in `learnstream grade`.
   */
  const PYODIDE_SLOWER = 3;
  const STORE = "learnstream:";

  function setupGrading(page) {
    let python = null;
    for (const slot of document.querySelectorAll(".ls-grade")) {
      const name = slot.dataset.exercise;
      const exercise = page.exercises[name];
      if (!exercise) {
        const note = document.createElement("p");
        note.className = "ls-local-note";
        note.textContent = slot.dataset.why || "";
        slot.append(note);
        continue;
      }
      const key = `${STORE}${exercise.part}/${name}`;
      const editor = document.createElement("textarea");
      editor.className = "ls-editor";
      editor.spellcheck = false;
      editor.value = localStorage.getItem(`${key}:source`) ?? exercise.stub;
      editor.rows = Math.min(40, exercise.stub.split("\n").length + 2);
      editor.addEventListener("input", () => localStorage.setItem(`${key}:source`, editor.value));
      editor.addEventListener("keydown", (event) => {
        if (event.key !== "Tab" || event.shiftKey) return;
        event.preventDefault();
        editor.setRangeText("    ", editor.selectionStart, editor.selectionEnd, "end");
        editor.dispatchEvent(new Event("input"));
      });
      const grade = button("Grade", "grade-button");
      const stop = button("Stop", "stop-button");
      const reset = button("Back to the stub", "reset-button");
      const download = button(`Download ${exercise.file}`, "download-button");
      stop.disabled = true;
      const status = document.createElement("span");
      status.className = "ls-status";
      const report = document.createElement("div");
      report.className = "ls-report";
      const bar = document.createElement("div");
      bar.className = "ls-bar";
      bar.append(grade, stop, reset, download, status);
      const heading = document.createElement("div");
      heading.className = "ls-file";
      heading.textContent = `${exercise.part}/${exercise.file}`;
      slot.append(heading, editor, bar, report);
      const last = JSON.parse(localStorage.getItem(`${key}:score`) || "null");
      if (last) status.textContent = `Last graded here: ${last.score}/${last.max_score}${last.passed ? " ✓" : ""}`;

      reset.addEventListener("click", () => {
        editor.value = exercise.stub;
        localStorage.removeItem(`${key}:source`);
      });
      download.addEventListener("click", () => {
        const link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([editor.value], { type: "text/x-python" }));
        link.download = exercise.file;
        link.click();
        URL.revokeObjectURL(link.href);
        status.textContent = `Put ${exercise.file} in your workspace's ${exercise.part}/ folder and run ` +
          `learnstream grade ${exercise.part} ${name}: the same checks, on your machine.`;
      });
      stop.addEventListener("click", () => {
        slot.dataset.state = "stopped";
        if (python) python.stop();
        status.textContent = "Stopped. Grade starts Python afresh.";
      });
      grade.addEventListener("click", async () => {
        if (!python) python = new PagePython({});
        grade.disabled = true;
        stop.disabled = false;
        slot.dataset.state = "grading";
        report.innerHTML = "";
        const seed = slot.dataset.seed ? Number(slot.dataset.seed) : Math.floor(Math.random() * 100000);
        const hung = [];
        try {
          for (;;) {
            status.textContent = python.worker ? "Grading…" : "Starting Python in the page…";
            let timer = null;
            let timedOut = null;
            const watch = {
              call(message) {
                status.textContent = "Grading…";
                clearTimeout(timer);
                timer = setTimeout(() => {
                  timedOut = message.number;
                  python.stop();
                }, message.seconds * PYODIDE_SLOWER * 1000);
              },
              returned() { clearTimeout(timer); },
            };
            try {
              const source = editor.value;
              const result = await python.request(
                { type: "grade", part: exercise.part, exercise: name, source, seed, hung }, watch);
              clearTimeout(timer);
              const graded = JSON.parse(result);
              report.innerHTML = graded.html;
              slot.dataset.result = JSON.stringify(graded.json);
              slot.dataset.report = graded.text;
              const done = graded.json.exercises[0];
              localStorage.setItem(`${key}:score`, JSON.stringify(
                { score: done.score, max_score: done.max_score, passed: done.passed }));
              status.textContent = done.passed ? "Every check passed." : `${done.score}/${done.max_score}`;
              slot.dataset.state = "graded";
              break;
            } catch (error) {
              clearTimeout(timer);
              if (timedOut === null) throw error;
              hung.push(timedOut);
              status.textContent = "A call into your code did not return: grading the rest afresh…";
            }
          }
        } catch (error) {
          if (slot.dataset.state !== "stopped") {
            slot.dataset.state = "failed";
            status.textContent = `Python in the page failed: ${error.message}`;
          }
        } finally {
          grade.disabled = false;
          stop.disabled = true;
        }
      });
    }
  }

  function setupLocalNotes() {
    for (const slot of document.querySelectorAll(".ls-run.ls-local")) {
      const note = document.createElement("p");
      note.className = "ls-local-note";
      note.textContent = `Runs on your machine only. ${slot.dataset.why}`;
      slot.append(note);
    }
  }

  function setup() {
    const data = document.getElementById("ls-page-code");
    if (!data) return;
    const page = JSON.parse(data.textContent);
    window.learnstreamPageCode = page;
    if (page.local) setupLocalNotes();
    else if (page.blocks.length) setupRunButtons(page);
    if (document.querySelector(".ls-grade")) setupGrading(page);
  }

  window.learnstreamSite = { BROWSER, WORKER, PagePython };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();

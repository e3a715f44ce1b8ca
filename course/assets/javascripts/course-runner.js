/* Run buttons: each runnable block of a course page runs in the page.
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
          if (message.type === "ready") return resolve();
          const pending = this.waiting.get(message.id);
          if (message.type === "failed" && message.id === undefined) return reject(new Error(message.message));
          if (!pending) return;
          if (message.type === "out") pending.out(message.text);
          else if (message.type === "done") { this.waiting.delete(message.id); pending.resolve(message.result); }
          else if (message.type === "failed") { this.waiting.delete(message.id); pending.reject(new Error(message.message)); }
        };
        this.worker.onerror = (event) => reject(new Error(event.message || "Python could not start"));
      });
      this.worker.postMessage({ type: "init", base: BROWSER, files: this.files });
      return this.ready;
    }

    /** Send a request; `out` receives what the code prints on the way. */
    async request(message, out) {
      if (!this.worker) this.start();
      await this.ready;
      const id = ++this.sequence;
      return new Promise((resolve, reject) => {
        this.waiting.set(id, { resolve, reject, out: out || (() => {}) });
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
        await python.request({ type: "run", code: block.code, where: block.where }, (text) => {
          ui.status.textContent = "Running…";
          if (shown < MAX_SHOWN) {
            ui.output.textContent += text.slice(0, MAX_SHOWN - shown);
            shown += text.length;
            if (shown >= MAX_SHOWN) ui.output.textContent += "\n… (the rest is not shown)";
          }
          ui.output.hidden = false;
        });
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
    else setupRunButtons(page);
  }

  window.learnstreamSite = { BROWSER, WORKER, PagePython };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();

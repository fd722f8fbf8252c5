#!/usr/bin/env node
// Loads an HTML report in headless Chromium and acts on it as a person would, through the
// Chrome DevTools protocol over a pipe (--remote-debugging-pipe): no npm package, no port, no
// browser download. Used by the HTML tests (tests/integration/html.rs) and by
// scripts/bench-html.sh to time loading.
//
//   node scripts/html-browser.mjs --chromium /usr/bin/chromium --page report.html [--steps steps.json]
//
// Steps (a JSON array), run in order after the page's script has finished
// (html[data-report-ready]):
//   {"action": "type", "selector": "#q", "text": "kms"}      click the field, replace its text
//   {"action": "click", "selector": "#reset"}                 a mouse click at the element's centre
//   {"action": "select", "selector": "#unit", "value": "..."} choose an option (as Playwright does)
//   {"action": "settle"}                                       wait until the page has applied its filters
//   {"action": "wait", "expression": "js", "timeout": 10000}   wait until the expression is truthy
//   {"action": "eval", "name": "x", "expression": "js"}        record the expression's value
//   {"action": "screenshot", "path": "page.png", "full": false}  the window, or the whole page
// Prints one JSON object: console messages and page errors, every network request, load
// timings, each step's duration and the recorded values. Exits 1 if it could not do its job
// (the page's own errors are reported, not fatal).

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

function parseArgs(argv) {
  const args = { chromium: "chromium", page: null, steps: null, timeout: 180000 };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, "");
    if (!(name in args)) { fail(`unknown argument ${argv[i]}`); }
    args[name] = argv[++i];
  }
  if (!args.page) { fail("--page FILE is required"); }
  return args;
}

function fail(message) {
  process.stderr.write(`html-browser: ${message}\n`);
  process.exit(1);
}

const args = parseArgs(process.argv.slice(2));
const steps = args.steps ? JSON.parse(readFileSync(args.steps, "utf8")) : [];
const profile = mkdtempSync(join(tmpdir(), "html-browser-"));
const chromium = spawn(args.chromium, [
  "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--disable-extensions", "--mute-audio", "--window-size=1400,1000",
  `--user-data-dir=${profile}`, "about:blank",
], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"], detached: true });
// Chromium's own children (renderer, zygote, crash handler) outlive its main process for a
// moment and keep writing to the profile: the whole process group is stopped before the profile
// is removed.
const stopChromium = () => { try { process.kill(-chromium.pid, "SIGKILL"); } catch { /* already gone */ } };
process.on("exit", stopChromium);
let chromiumErrors = "";
chromium.stderr.on("data", (chunk) => { chromiumErrors = (chromiumErrors + chunk).slice(-4000); });
chromium.on("error", (e) => fail(`cannot start ${args.chromium}: ${e.message}`));
const overall = setTimeout(() => finish(new Error(`timed out after ${args.timeout} ms`)), +args.timeout);

// --- The protocol: JSON messages separated by NUL bytes, in both directions.
const toBrowser = chromium.stdio[3], fromBrowser = chromium.stdio[4];
let nextId = 1, buffered = "";
const waiting = new Map();
const listeners = [];
fromBrowser.on("data", (chunk) => {
  buffered += chunk.toString("utf8");
  let end;
  while ((end = buffered.indexOf("\0")) !== -1) {
    const message = JSON.parse(buffered.slice(0, end));
    buffered = buffered.slice(end + 1);
    if (message.id && waiting.has(message.id)) {
      const { resolve: ok, reject, method } = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) { reject(new Error(`${method}: ${message.error.message}`)); } else { ok(message.result); }
    } else if (message.method) {
      listeners.forEach((listen) => listen(message));
    }
  }
});
function send(method, params = {}, sessionId) {
  const id = nextId++;
  const message = { id, method, params };
  if (sessionId) { message.sessionId = sessionId; }
  toBrowser.write(JSON.stringify(message) + "\0");
  return new Promise((ok, reject) => waiting.set(id, { resolve: ok, reject, method }));
}
function nextEvent(method, sessionId) {
  return new Promise((ok) => {
    const listen = (m) => {
      if (m.method === method && m.sessionId === sessionId) { listeners.splice(listeners.indexOf(listen), 1); ok(m.params); }
    };
    listeners.push(listen);
  });
}
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// --- What the page does.
const report = { console: [], errors: [], requests: [], timings: {}, steps: [], results: {} };
function describe(arg) { return arg.value !== undefined ? String(arg.value) : arg.description || arg.type; }
listeners.push((m) => {
  const p = m.params;
  switch (m.method) {
    case "Runtime.consoleAPICalled": report.console.push(`${p.type}: ${p.args.map(describe).join(" ")}`); break;
    case "Runtime.exceptionThrown": report.errors.push(p.exceptionDetails.exception?.description || p.exceptionDetails.text); break;
    case "Log.entryAdded": report.console.push(`${p.entry.level} (${p.entry.source}): ${p.entry.text}`); break;
    case "Network.requestWillBeSent": report.requests.push(p.request.url); break;
    default: break;
  }
});

async function run() {
  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
  const page = (method, params) => send(method, params, sessionId);
  await Promise.all(["Page.enable", "Runtime.enable", "Log.enable", "Network.enable"].map((m) => page(m)));
  const evaluate = async (expression) => {
    const { result, exceptionDetails } = await page("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    if (exceptionDetails) { throw new Error(`${expression}: ${exceptionDetails.exception?.description || exceptionDetails.text}`); }
    return result.value;
  };
  const waitFor = async (expression, timeout = 60000) => {
    const until = Date.now() + timeout;
    for (;;) {
      if (await evaluate(expression)) { return; }
      if (Date.now() > until) { throw new Error(`still false after ${timeout} ms: ${expression}`); }
      await sleep(20);
    }
  };
  const centre = async (selector) => {
    const box = await evaluate(`(() => { const e = document.querySelector(${JSON.stringify(selector)});
      if (!e) { return null; } e.scrollIntoView({ block: "center" }); const r = e.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height }; })()`);
    if (!box) { throw new Error(`no element matches ${selector}`); }
    if (!box.w || !box.h) { throw new Error(`${selector} is not visible`); }
    return box;
  };
  const click = async (selector) => {
    const { x, y } = await centre(selector);
    await page("Input.dispatchMouseEvent", { type: "mouseMoved", x, y });
    await page("Input.dispatchMouseEvent", { type: "mousePressed", x, y, button: "left", clickCount: 1 });
    await page("Input.dispatchMouseEvent", { type: "mouseReleased", x, y, button: "left", clickCount: 1 });
  };

  const url = pathToFileURL(resolve(args.page)).href;
  const loaded = nextEvent("Page.loadEventFired", sessionId);
  const started = performance.now();
  await page("Page.navigate", { url });
  await loaded;
  report.timings.load_event_ms = Math.round(performance.now() - started);
  await waitFor("document.documentElement.dataset.reportReady === 'true'", 120000);
  report.timings.ready_ms = Math.round(performance.now() - started);
  report.timings.page = await evaluate(`(() => { const n = performance.getEntriesByType("navigation")[0];
    return { dom_content_loaded_ms: Math.round(n.domContentLoadedEventEnd), load_event_ms: Math.round(n.loadEventEnd),
             script_ready_ms: +document.documentElement.dataset.readyMs, transfer_bytes: n.decodedBodySize }; })()`);

  for (const step of steps) {
    const stepStarted = performance.now();
    switch (step.action) {
      case "type":
        await click(step.selector);
        await evaluate(`document.querySelector(${JSON.stringify(step.selector)}).select()`);
        if (step.text) {
          await page("Input.insertText", { text: step.text });
        } else {
          for (const type of ["rawKeyDown", "keyUp"]) {
            await page("Input.dispatchKeyEvent", { type, key: "Backspace", code: "Backspace", windowsVirtualKeyCode: 8 });
          }
        }
        break;
      case "click": await click(step.selector); break;
      case "select":
        await centre(step.selector);
        await evaluate(`(() => { const e = document.querySelector(${JSON.stringify(step.selector)}); e.focus();
          if (![...e.options].some((o) => o.value === ${JSON.stringify(step.value)})) { throw new Error("no option " + ${JSON.stringify(step.value)}); }
          e.value = ${JSON.stringify(step.value)}; e.dispatchEvent(new Event("input", { bubbles: true }));
          e.dispatchEvent(new Event("change", { bubbles: true })); })()`);
        break;
      case "settle": await waitFor("!document.documentElement.dataset.pending", step.timeout || 60000); break;
      case "wait": await waitFor(step.expression, step.timeout || 60000); break;
      case "eval": report.results[step.name] = await evaluate(step.expression); break;
      case "screenshot": {
        // "full": the whole page rather than the window.
        const size = step.full ? await evaluate("({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight })") : null;
        const clip = size ? { x: 0, y: 0, width: size.width, height: Math.min(size.height, 16000), scale: 1 } : undefined;
        const { data } = await page("Page.captureScreenshot", { format: "png", captureBeyondViewport: !!size, clip });
        writeFileSync(step.path, Buffer.from(data, "base64"));
        break;
      }
      default: throw new Error(`unknown step ${JSON.stringify(step)}`);
    }
    report.steps.push({ action: step.action, selector: step.selector || step.name || "", ms: Math.round(performance.now() - stepStarted) });
  }
  await send("Browser.close").catch(() => {});
}

let finished = false;
function finish(error) {
  if (finished) { return; }
  finished = true;
  clearTimeout(overall);
  if (error) {
    process.stderr.write(`html-browser: ${error.message}\n${chromiumErrors ? "chromium said:\n" + chromiumErrors + "\n" : ""}`);
  }
  // The profile can go once Chromium has stopped writing to it; then the report, and exit once
  // it is written (a pipe takes large writes in parts).
  const done = () => {
    stopChromium();
    try { rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }); } catch (e) { process.stderr.write(`html-browser: ${e.message}\n`); }
    process.stdout.write(JSON.stringify(report) + "\n", () => process.exit(error ? 1 : 0));
  };
  if (chromium.exitCode !== null || chromium.signalCode !== null) { done(); return; }
  chromium.once("exit", done);
  chromium.kill("SIGKILL");
}
run().then(() => finish(), finish);

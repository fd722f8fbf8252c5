// The trailwarden HTML report's script (crates/core/src/report/html/). It reads the embedded
// data (report/html/data.rs: columns of small integers and one table of distinct strings) and
// renders the findings, the accounts and the unreadable facts a page at a time, with search and
// filters over all of them. Every value from the report is written with textContent, never as
// markup, so a name from a snapshot can only ever be text.
"use strict";
(function () {
  var root = document.documentElement;
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var S = data.strings, OUTCOMES = data.outcomes, SEVERITIES = data.severities;

  function ints(values) { return Int32Array.from(values); }
  var RULES = { id: ints(data.rules.id), title: ints(data.rules.title), references: data.rules.references };
  var RES = { arn: ints(data.resources.arn), kind: ints(data.resources.kind), account: ints(data.resources.account), region: ints(data.resources.region), unit: ints(data.resources.unit), location: ints(data.resources.location) };
  var F = {
    rule: ints(data.findings.rule), outcome: ints(data.findings.outcome), severity: ints(data.findings.severity),
    resource: ints(data.findings.resource), message: ints(data.findings.message), remediation: ints(data.findings.remediation),
    frameworks: ints(data.findings.frameworks), suppression: new Int32Array(data.findings.rule.length).fill(-1),
    baseline: data.findings.baseline ? ints(data.findings.baseline) : null
  };
  data.findings.suppressed.forEach(function (pair) { F.suppression[pair[0]] = pair[1]; });
  var FRAMEWORK_SETS = data.framework_sets;
  var ACCOUNTS = { id: ints(data.accounts.id), unit: ints(data.accounts.unit), counts: ints(data.accounts.counts) };
  var GAPS = data.gaps;
  var N = F.rule.length;
  data = null;

  // ---------------------------------------------------------------------------------------
  // Text

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function fmt(n) { return n.toLocaleString("en-US"); }
  function label(name) { return name.replace(/_/g, " "); }
  function byId(id) { return document.getElementById(id); }

  // Messages and remediations are templates over their finding's resource
  // (report/html/placeholders.rs): MARK and a letter stand for one of the resource's values,
  // and MARK MARK for MARK itself.
  var MARK = "\u0001";
  function nameOf(arn) { return arn.slice(Math.max(arn.lastIndexOf("/"), arn.lastIndexOf(":")) + 1); }
  function field(letter, r) {
    switch (letter) {
      case "a": return S[RES.arn[r]];
      case "n": return nameOf(S[RES.arn[r]]);
      case "c": return S[RES.account[r]];
      case "r": return S[RES.region[r]];
      case "u": return RES.unit[r] >= 0 ? S[RES.unit[r]] : "";
      default: return letter;
    }
  }
  function expand(template, r) {
    if (template.indexOf(MARK) === -1) { return template; }
    var out = "", at = 0;
    for (;;) {
      var mark = template.indexOf(MARK, at);
      if (mark === -1 || mark + 1 >= template.length) { return out + template.slice(at); }
      out += template.slice(at, mark) + field(template.charAt(mark + 1), r);
      at = mark + 2;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Search: every word must occur (case-insensitively) in one of a finding's texts: rule id
  // and title, references, message, ARN, kind, account, Region, unit, frameworks, suppression
  // reason, remediation. Each word is looked up once per distinct string, not once per
  // finding; a finding then matches by a few array lookups.

  var lower = null;        // S, lowercased
  var templates = null;    // template string index → {text, pieces}
  function prepareSearch() {
    if (lower) { return; }
    lower = S.map(function (s) { return s.toLowerCase(); });
    templates = new Map();
    var seen = new Uint8Array(S.length);
    [F.message, F.remediation].forEach(function (column) {
      for (var i = 0; i < N; i++) {
        var t = column[i];
        if (!seen[t]) { seen[t] = 1; templates.set(t, literalPieces(S[t])); }
      }
    });
  }
  // The literal text between a template's placeholders, lowercased.
  function literalPieces(template) {
    var pieces = [], current = "";
    for (var i = 0; i < template.length; i++) {
      var c = template.charAt(i);
      if (c === MARK && i + 1 < template.length) {
        i += 1;
        if (template.charAt(i) === MARK) { current += MARK; } else { pieces.push(current.toLowerCase()); current = ""; }
      } else {
        current += c;
      }
    }
    pieces.push(current.toLowerCase());
    return { text: pieces.join("\u0000"), pieces: pieces };
  }
  // Whether `word` could run across a placeholder's edge (partly in the value, partly in the
  // text around it). A word inside the value alone is found through the resource's fields.
  function mayStraddle(pieces, word) {
    var last = pieces.length - 1;
    for (var j = 0; j < last; j++) {
      var before = pieces[j], after = pieces[j + 1];
      for (var split = 1; split < word.length; split++) {
        var head = word.slice(0, split), tail = word.slice(split);
        if (before.endsWith(head) || (j > 0 && head.endsWith(before))) { return true; }
        if (after.startsWith(tail) || (j + 1 < last && tail.startsWith(after))) { return true; }
      }
    }
    return false;
  }
  var matchers = new Map();
  function wordMatcher(word) {
    if (matchers.has(word)) { return matchers.get(word); }
    prepareSearch();
    var hit = new Uint8Array(S.length);
    for (var s = 0; s < S.length; s++) { if (lower[s].indexOf(word) !== -1) { hit[s] = 1; } }
    var ruleHit = new Uint8Array(RULES.id.length);
    for (var r = 0; r < ruleHit.length; r++) {
      ruleHit[r] = hit[RULES.id[r]] || hit[RULES.title[r]] || RULES.references[r].some(function (ref) { return hit[ref]; }) ? 1 : 0;
    }
    var resourceHit = new Uint8Array(RES.arn.length);
    for (var x = 0; x < resourceHit.length; x++) {
      resourceHit[x] = hit[RES.arn[x]] || hit[RES.kind[x]] || hit[RES.account[x]] || hit[RES.region[x]] || (RES.unit[x] >= 0 && hit[RES.unit[x]]) || (RES.location[x] >= 0 && hit[RES.location[x]]) ? 1 : 0;
    }
    var frameworkHit = FRAMEWORK_SETS.map(function (set) { return set.some(function (pair) { return hit[pair[0]] || hit[pair[1]]; }); });
    // 1: the template's own text has the word; 2: it may run across a placeholder, so the
    // finding's expanded text decides.
    var templateHit = new Uint8Array(S.length);
    templates.forEach(function (t, index) {
      if (t.text.indexOf(word) !== -1) { templateHit[index] = 1; } else if (word.length > 1 && mayStraddle(t.pieces, word)) { templateHit[index] = 2; }
    });
    function inTemplate(t, r) {
      var h = templateHit[t];
      return h === 1 || (h === 2 && expand(S[t], r).toLowerCase().indexOf(word) !== -1);
    }
    var matcher = function (i, r) {
      if (ruleHit[F.rule[i]] || resourceHit[r] || frameworkHit[F.frameworks[i]]) { return true; }
      var suppression = F.suppression[i];
      if (suppression >= 0 && hit[suppression]) { return true; }
      return inTemplate(F.message[i], r) || inTemplate(F.remediation[i], r);
    };
    if (matchers.size > 50) { matchers.clear(); }
    matchers.set(word, matcher);
    return matcher;
  }

  // ---------------------------------------------------------------------------------------
  // Paging: a list shown `size` items at a time, with First/Previous/Next/Last controls in
  // every `.pager[data-for=name]` element.

  function Paged(name, container, size, render, noun) {
    this.container = container;
    this.size = size;
    this.render = render;
    this.noun = noun;
    this.items = new Int32Array(0);
    this.page = 0;
    var self = this;
    this.navs = Array.prototype.map.call(document.querySelectorAll('.pager[data-for="' + name + '"]'), function (holder) {
      return self.controls(holder);
    });
  }
  Paged.prototype.controls = function (holder) {
    var self = this;
    var nav = el("nav");
    nav.setAttribute("aria-label", "Pages of " + this.noun + "s");
    function button(text, title, go) {
      var b = el("button", "", text);
      b.type = "button";
      b.title = title;
      b.addEventListener("click", function () { self.go(go()); });
      nav.appendChild(b);
      return b;
    }
    var parts = {
      first: button("« First", "First page", function () { return 0; }),
      previous: button("‹ Previous", "Previous page", function () { return self.page - 1; }),
      status: nav.appendChild(el("span", "status")),
      next: button("Next ›", "Next page", function () { return self.page + 1; }),
      last: button("Last »", "Last page", function () { return self.pages() - 1; })
    };
    holder.replaceChildren(nav);
    return parts;
  };
  Paged.prototype.pages = function () { return Math.max(1, Math.ceil(this.items.length / this.size)); };
  Paged.prototype.set = function (items) { this.items = items; this.page = 0; this.draw(); };
  Paged.prototype.go = function (page) { this.page = Math.min(Math.max(0, page), this.pages() - 1); this.draw(); };
  Paged.prototype.draw = function () {
    var start = this.page * this.size, end = Math.min(this.items.length, start + this.size);
    var fragment = document.createDocumentFragment();
    for (var i = start; i < end; i++) { fragment.appendChild(this.render(this.items[i])); }
    this.container.replaceChildren(fragment);
    var status = this.items.length === 0
      ? "no " + this.noun
      : "page " + fmt(this.page + 1) + " of " + fmt(this.pages()) + " · " + this.noun + "s " + fmt(start + 1) + "–" + fmt(end) + " of " + fmt(this.items.length);
    var self = this;
    this.navs.forEach(function (nav) {
      nav.status.textContent = status;
      nav.first.disabled = nav.previous.disabled = self.page === 0;
      nav.next.disabled = nav.last.disabled = self.page >= self.pages() - 1;
    });
  };
  function range(n) { var out = new Int32Array(n); for (var i = 0; i < n; i++) { out[i] = i; } return out; }

  // ---------------------------------------------------------------------------------------
  // A finding

  function definition(list, term, value) {
    list.appendChild(el("dt", "", term));
    var dd = list.appendChild(el("dd"));
    if (typeof value === "string") { dd.textContent = value; } else { dd.appendChild(value); }
  }
  function itemList(values, className) {
    var ul = el("ul");
    values.forEach(function (v) { ul.appendChild(el("li")).appendChild(el("span", className, v)); });
    return ul;
  }
  function findingElement(i) {
    var outcome = OUTCOMES[F.outcome[i]], severity = SEVERITIES[F.severity[i]], r = F.resource[i], rule = F.rule[i];
    var details = el("details", "finding o-" + outcome + (outcome === "fail" ? " s-" + severity : ""));
    var summary = details.appendChild(el("summary"));
    var badges = summary.appendChild(el("span", "badges"));
    badges.appendChild(el("span", "badge o-" + outcome, label(outcome)));
    badges.appendChild(el("span", "badge outline s-" + severity, severity));
    if (F.baseline && F.baseline[i]) {
      var status = F.baseline[i] === 1 ? "new" : "existing";
      badges.appendChild(el("span", "badge b-" + status, status));
    }
    var head = summary.appendChild(el("span", "head", S[RULES.title[rule]] + " "));
    head.appendChild(el("span", "rule", S[RULES.id[rule]]));
    var message = summary.appendChild(el("span", "msg", expand(S[F.message[i]], r)));
    message.appendChild(el("br"));
    // A resource declared in infrastructure as code is shown where it is declared.
    message.appendChild(el("span", "arn", RES.location[r] >= 0 ? S[RES.location[r]] : S[RES.arn[r]]));

    var body = details.appendChild(el("div", "body"));
    var list = body.appendChild(el("dl"));
    var resource = el("span");
    resource.appendChild(el("code", "", S[RES.arn[r]]));
    resource.appendChild(document.createTextNode(" (" + label(S[RES.kind[r]]) + ")"));
    definition(list, "Resource", resource);
    if (RES.location[r] >= 0) { definition(list, "Declared at", S[RES.location[r]]); }
    definition(list, "Account", S[RES.account[r]]);
    definition(list, "Region", S[RES.region[r]]);
    if (RES.unit[r] >= 0) { definition(list, "Unit", S[RES.unit[r]]); }
    if (F.suppression[i] >= 0) { definition(list, "Suppressed", S[F.suppression[i]]); }
    var frameworks = FRAMEWORK_SETS[F.frameworks[i]];
    if (frameworks.length) {
      definition(list, "Frameworks", itemList(frameworks.map(function (pair) { return S[pair[0]] + ": " + S[pair[1]]; }), ""));
    }
    var references = RULES.references[rule];
    if (references.length) { definition(list, "References", itemList(references.map(function (ref) { return S[ref]; }), "ref")); }
    var remediation = expand(S[F.remediation[i]], r);
    if (remediation) {
      body.appendChild(el("strong", "", "Remediation"));
      body.appendChild(el("pre", "", remediation));
    }
    return details;
  }

  // ---------------------------------------------------------------------------------------
  // The findings list and its filters

  var q = byId("q"), severity = byId("severity"), ruleSelect = byId("rule"), unitSelect = byId("unit"), subunits = byId("subunits");
  var account = byId("account"), newOnly = byId("new-only"), count = byId("count"), empty = byId("empty");
  var outcomeBoxes = Array.prototype.slice.call(document.querySelectorAll(".f-outcome"));
  var findings = new Paged("findings", byId("list"), 50, findingElement, "finding");

  var unitIds = null;        // the distinct unit strings of the resources
  var accountIds = null;     // account id → string index
  function distinctUnits() {
    if (!unitIds) {
      var seen = new Set();
      for (var r = 0; r < RES.unit.length; r++) { if (RES.unit[r] >= 0) { seen.add(RES.unit[r]); } }
      unitIds = Array.from(seen);
    }
    return unitIds;
  }
  // null: any unit; otherwise {none: findings outside the tree match, match: string index → 1}.
  function unitFilter() {
    if (!unitSelect || unitSelect.value === "") { return null; }
    var filter = { none: unitSelect.value === "none", match: new Uint8Array(S.length) };
    if (!filter.none) {
      var path = unitSelect.value.slice(2), within = subunits.checked;
      distinctUnits().forEach(function (u) {
        if (S[u] === path || (within && S[u].startsWith(path + "/"))) { filter.match[u] = 1; }
      });
    }
    return filter;
  }
  // -1: any account; -2: an account the report does not have; else its string index.
  function accountFilter() {
    var id = account.value.trim();
    if (!id) { return -1; }
    if (!accountIds) {
      accountIds = new Map();
      for (var r = 0; r < RES.account.length; r++) { accountIds.set(S[RES.account[r]], RES.account[r]); }
    }
    return accountIds.has(id) ? accountIds.get(id) : -2;
  }

  function apply() {
    var started = performance.now();
    clearTimeout(pending);
    delete root.dataset.pending;
    var allowed = [false, false, false, false, false];
    outcomeBoxes.forEach(function (box) { allowed[+box.value] = box.checked; });
    var maxSeverity = +severity.value;
    var rule = ruleSelect.value === "" ? -1 : +ruleSelect.value;
    var units = unitFilter();
    var accountIndex = accountFilter();
    var onlyNew = !!(newOnly && newOnly.checked && F.baseline);
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean).map(wordMatcher);
    var shown = new Int32Array(N), k = 0;
    for (var i = 0; i < N; i++) {
      if (!allowed[F.outcome[i]] || F.severity[i] > maxSeverity) { continue; }
      if (rule >= 0 && F.rule[i] !== rule) { continue; }
      if (onlyNew && F.baseline[i] !== 1) { continue; }
      var r = F.resource[i];
      if (accountIndex !== -1 && RES.account[r] !== accountIndex) { continue; }
      if (units && !(RES.unit[r] < 0 ? units.none : units.match[RES.unit[r]])) { continue; }
      var ok = true;
      for (var w = 0; ok && w < words.length; w++) { ok = words[w](i, r); }
      if (ok) { shown[k++] = i; }
    }
    findings.set(shown.subarray(0, k));
    count.textContent = fmt(k) + " of " + fmt(N) + " finding(s)";
    empty.hidden = k !== 0;
    root.dataset.shown = String(k);
    root.dataset.filterMs = (performance.now() - started).toFixed(1);
  }

  // Typing waits for a pause; html[data-pending] says a filter is waiting (tests wait for it).
  var pending = 0;
  function applySoon() {
    clearTimeout(pending);
    root.dataset.pending = "true";
    pending = setTimeout(apply, 150);
  }
  [q, account].forEach(function (input) { input.addEventListener("input", applySoon); });
  [severity, ruleSelect, unitSelect, subunits, newOnly].concat(outcomeBoxes).forEach(function (input) {
    if (input) { input.addEventListener("change", apply); }
  });

  function clearFilters(outcomes) {
    q.value = ""; severity.value = "4"; ruleSelect.value = ""; account.value = "";
    if (unitSelect) { unitSelect.value = ""; subunits.checked = true; }
    if (newOnly) { newOnly.checked = false; }
    outcomeBoxes.forEach(function (box) { box.checked = outcomes.indexOf(+box.value) !== -1; });
  }
  var FAILING = [0, 1], ALL = [0, 1, 2, 3, 4];
  byId("reset").addEventListener("click", function () { clearFilters(FAILING); apply(); });
  function showFindings() { apply(); byId("findings").scrollIntoView(); }
  function setUnit(key, withSubunits) {
    if (!unitSelect) { return; }
    unitSelect.value = key === "" ? "none" : "u:" + key;
    subunits.checked = withSubunits;
  }

  // A matrix cell lists that rule's findings in that account or unit, whatever their outcome.
  Array.prototype.forEach.call(document.querySelectorAll("table.matrix td.cell button"), function (button) {
    button.addEventListener("click", function () {
      clearFilters(ALL);
      ruleSelect.value = button.dataset.ruleIndex;
      if (button.dataset.by === "account") { account.value = button.dataset.key; } else { setUnit(button.dataset.key, button.dataset.subtree === "true"); }
      showFindings();
    });
  });
  // A unit of the unit table lists the failing findings of its own accounts.
  Array.prototype.forEach.call(document.querySelectorAll("button.unit-link"), function (button) {
    button.addEventListener("click", function () { clearFilters(FAILING); setUnit(button.dataset.unit, false); showFindings(); });
  });

  // ---------------------------------------------------------------------------------------
  // By rule: a rule's row opens onto its resources, paged.

  var byRule = null;   // rule index → its findings' indexes, in reading order
  function findingsOfRule(rule) {
    if (!byRule) {
      var sizes = new Int32Array(RULES.id.length);
      for (var i = 0; i < N; i++) { sizes[F.rule[i]] += 1; }
      byRule = Array.prototype.map.call(sizes, function (size) { return { items: new Int32Array(size), size: 0 }; });
      for (var j = 0; j < N; j++) { var list = byRule[F.rule[j]]; list.items[list.size++] = j; }
    }
    return byRule[rule].items;
  }
  function resourceRow(i) {
    var r = F.resource[i], tr = el("tr", "o-" + OUTCOMES[F.outcome[i]]);
    tr.appendChild(el("td")).appendChild(el("span", "badge o-" + OUTCOMES[F.outcome[i]], label(OUTCOMES[F.outcome[i]])));
    tr.appendChild(el("td", "", SEVERITIES[F.severity[i]]));
    tr.appendChild(el("td", "arn", RES.location[r] >= 0 ? S[RES.location[r]] : S[RES.arn[r]]));
    tr.appendChild(el("td", "", S[RES.account[r]]));
    tr.appendChild(el("td", "", RES.unit[r] >= 0 ? S[RES.unit[r]] : "—"));
    tr.appendChild(el("td", "", S[RES.region[r]]));
    tr.appendChild(el("td", "", expand(S[F.message[i]], r)));
    return tr;
  }
  Array.prototype.forEach.call(document.querySelectorAll("button.expand"), function (button) {
    var row = byId(button.getAttribute("aria-controls")), paged = null;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      row.hidden = !open;
      if (open && !paged) {
        var holder = row.querySelector(".rule-resources");
        var name = "rule-" + button.dataset.ruleIndex;
        var table = el("table", "resources");
        var head = table.appendChild(el("thead")).appendChild(el("tr"));
        ["Outcome", "Severity", "Resource", "Account", "Unit", "Region", "Message"].forEach(function (h) {
          head.appendChild(el("th", "", h)).setAttribute("scope", "col");
        });
        var body = table.appendChild(el("tbody"));
        var pager = el("div", "pager");
        pager.dataset.for = name;
        holder.appendChild(pager);
        holder.appendChild(table);
        paged = new Paged(name, body, 20, resourceRow, "resource");
        paged.set(findingsOfRule(+button.dataset.ruleIndex));
      }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("button.to-findings"), function (button) {
    button.addEventListener("click", function () { clearFilters(ALL); ruleSelect.value = button.dataset.ruleIndex; showFindings(); });
  });

  // ---------------------------------------------------------------------------------------
  // By account: worst first (the data's order), paged, with a filter on id and unit.

  var accountRows = new Paged("accounts", byId("accounts-body"), 25, function (a) {
    var tr = el("tr"), counts = ACCOUNTS.counts.subarray(a * 9, a * 9 + 9);
    var id = S[ACCOUNTS.id[a]];
    var link = tr.appendChild(el("th")).appendChild(el("button", "account-link", id));
    link.parentNode.setAttribute("scope", "row");
    link.type = "button";
    link.addEventListener("click", function () { clearFilters(FAILING); account.value = id; showFindings(); });
    tr.appendChild(el("td", "", ACCOUNTS.unit[a] >= 0 ? S[ACCOUNTS.unit[a]] : "—"));
    for (var c = 0; c < 9; c++) {
      tr.appendChild(el("td", "num" + (counts[c] === 0 ? " zero" : c < 5 ? " bad" : ""), fmt(counts[c])));
    }
    var evaluated = counts[0] + counts[1] + counts[2] + counts[3] + counts[4] + counts[5] + counts[7];
    tr.appendChild(el("td", "num", evaluated ? Math.floor(100 * counts[7] / evaluated) + "%" : "—"));
    var failed = counts[0] + counts[1] + counts[2] + counts[3] + counts[4];
    tr.className = failed ? "o-fail" : counts[5] ? "o-inconclusive" : counts[7] ? "o-pass" : "o-none";
    return tr;
  }, "account");
  var accountFind = byId("account-filter"), accountCount = byId("account-count");
  function filterAccounts() {
    var text = accountFind.value.trim().toLowerCase(), total = ACCOUNTS.id.length;
    var items = range(total);
    if (text) {
      var k = 0;
      for (var a = 0; a < total; a++) {
        var unit = ACCOUNTS.unit[a] >= 0 ? S[ACCOUNTS.unit[a]].toLowerCase() : "";
        if (S[ACCOUNTS.id[a]].toLowerCase().indexOf(text) !== -1 || unit.indexOf(text) !== -1) { items[k++] = a; }
      }
      items = items.subarray(0, k);
    }
    accountRows.set(items);
    accountCount.textContent = fmt(items.length) + " of " + fmt(total) + " account(s)";
  }
  accountFind.addEventListener("input", filterAccounts);

  // ---------------------------------------------------------------------------------------
  // Facts that could not be read

  var gapsBody = byId("gaps-body");
  if (gapsBody) {
    var gaps = new Paged("gaps", gapsBody, 50, function (g) {
      var tr = el("tr");
      tr.appendChild(el("td", "", S[GAPS.account[g]]));
      tr.appendChild(el("td", "", S[GAPS.region[g]]));
      tr.appendChild(el("td")).appendChild(el("code", "", S[GAPS.api[g]]));
      tr.appendChild(el("td", "arn", S[GAPS.resource[g]]));
      tr.appendChild(el("td", "", S[GAPS.reason[g]]));
      tr.appendChild(el("td", "", S[GAPS.detail[g]]));
      return tr;
    }, "fact");
    gaps.set(range(GAPS.account.length));
  }

  // Print the findings of the page shown, expanded.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".finding, .framework"), function (d) { d.open = true; });
  });

  filterAccounts();
  apply();
  root.dataset.readyMs = performance.now().toFixed(0);
  root.setAttribute("data-report-ready", "true");
  // Ready the search while the reader reads, so that the first search is as quick as the next.
  (window.requestIdleCallback || setTimeout)(prepareSearch);
})();

// cleaner report: search and the per-document view over the documents embedded in the page. No dependencies.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const docs = data.samples;
  const byId = new Map(docs.map((d) => [d.id, d]));
  const search = document.getElementById("search");
  const results = document.getElementById("results");
  const view = document.getElementById("doc");

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) node.append(c);
    return node;
  }

  // "reason:boilerplate.date site:example.org words" -> every term must match
  function matches(doc, query) {
    for (const term of query.toLowerCase().split(/\s+/).filter(Boolean)) {
      const [key, ...rest] = term.split(":");
      const value = rest.join(":");
      if (rest.length && key === "reason") { if (!doc.reasons.some((r) => r.toLowerCase() === value)) return false; }
      else if (rest.length && key === "site") { if (doc.site.toLowerCase() !== value) return false; }
      else if (rest.length && key === "status") { if (doc.status !== value) return false; }
      else if (rest.length && key === "id") { if (!doc.id.toLowerCase().startsWith(value)) return false; }
      else {
        const hay = [doc.id, doc.source, doc.site, doc.title || "", doc.reasons.join(" ")].join(" ").toLowerCase();
        if (!hay.includes(term)) return false;
      }
    }
    return true;
  }

  function showList(query) {
    const found = docs.filter((d) => matches(d, query));
    results.replaceChildren(...found.map((d) => el("li", {},
      el("a", { href: "#doc=" + encodeURIComponent(d.id), "data-id": d.id },
        el("b", {}, d.title || d.source), el("br"),
        el("small", {}, `${d.id} · ${d.site} · ${d.status}` + (d.reasons.length ? ` · ${d.reasons.length} reason(s)` : ""))))));
    document.getElementById("count").textContent = `${found.length} of ${docs.length} embedded documents`;
    return found;
  }

  function showDoc(id) {
    const doc = byId.get(id);
    if (!doc) { view.replaceChildren(el("p", {}, `No embedded document ${id}.`)); return; }
    for (const a of results.querySelectorAll("a")) a.classList.toggle("current", a.dataset.id === id);
    const meta = el("div", { class: "meta" },
      `id ${doc.id} · source ${doc.source} · site ${doc.site}` + (doc.language ? ` · language ${doc.language}` : ""));
    const status = el("div", { class: doc.status === "rejected" ? "status-rejected" : "" },
      doc.status === "rejected" ? `Rejected: ${doc.reasons[0]}` + (doc.detail ? ` (${doc.detail})` : "") : "Kept");
    const repairs = el("div", { class: "repairs" });
    for (const [name, n] of Object.entries(doc.repairs || {})) repairs.append(el("span", { class: "badge" }, `${name}: ${n}`));
    const lines = doc.lines.map((line) => line.r
      ? el("div", { class: "line removed", "data-reason": line.r }, el("del", {}, ...withEdits(line)),
          reasonLink("reason", line.r))
      : el("div", { class: "line" }, ...(line.e ? withEdits(line) : [line.t || "\u00a0"])));
    const cut = doc.cut ? [el("p", { class: "note" }, `Shown up to ${data.sampling.max_chars.toLocaleString()} characters.`)] : [];
    const unplaced = (doc.unplaced || []).length ? [el("div", { class: "unplaced" },
      el("p", {}, "Edits not shown in place (a later step changed those words again):"),
      el("ul", {}, ...doc.unplaced.map((e) => el("li", {}, editSpan(e.before, e.after, e.labels)))))] : [];
    view.replaceChildren(el("h2", {}, doc.title || doc.source), meta, status, repairs, ...lines, ...cut, ...unplaced);
  }

  function reasonLink(cls, reason) {
    return el("a", { class: cls, href: "#q=" + encodeURIComponent("reason:" + reason) }, reason);
  }

  // an edit a step made: the old words struck, the new ones after them, and the step and kind
  function editSpan(before, after, labels) {
    return el("span", { class: "edit", "data-kind": labels.join(" "), title: `${labels.join(", ")}: “${before}” → “${after}”` },
      el("del", {}, before), el("ins", {}, after), ...labels.map((label) => reasonLink("kind", label)));
  }

  // a line's text as it was, with each edit of a later step marked over the words it changed
  function withEdits(line) {
    const chars = Array.from(line.t);  // the marks count code points, as Python does
    const parts = [];
    let at = 0;
    for (const [start, end, after, labels] of line.e || []) {
      parts.push(chars.slice(at, start).join(""), editSpan(chars.slice(start, end).join(""), after, labels));
      at = end;
    }
    parts.push(chars.slice(at).join(""));
    return parts;
  }

  function showSection(name) {
    for (const s of document.querySelectorAll("main > section")) s.hidden = s.id !== name;
    for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.getAttribute("href") === "#" + name);
  }

  function route() {
    const hash = decodeURIComponent(location.hash.slice(1));
    if (hash.startsWith("doc=")) {
      showSection("documents");
      if (!results.children.length) showList(search.value);
      showDoc(hash.slice(4));
    } else if (hash.startsWith("q=")) {
      showSection("documents");
      search.value = hash.slice(2);
      const found = showList(search.value);
      if (found.length) showDoc(found[0].id);
    } else if (hash === "documents" || hash === "changes") {
      showSection(hash);
      if (hash === "documents" && !results.children.length) showList(search.value);
    } else {
      showSection("overview");
    }
  }

  search.addEventListener("input", () => showList(search.value));
  window.addEventListener("hashchange", route);
  showList("");
  route();
  document.body.dataset.ready = "1";
})();

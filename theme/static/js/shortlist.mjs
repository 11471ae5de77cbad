// "Add to my list" and the My list page. Progressive enhancement only: without
// JavaScript the buttons never appear and every activity page still prints on its own.
// The list lives in this browser's localStorage and is never sent anywhere.

const KEY = "healthdir:my-list";

function read() {
  try {
    const items = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(items) ? items.filter((item) => item && item.url) : [];
  } catch {
    return [];
  }
}

function write(items) {
  localStorage.setItem(KEY, JSON.stringify(items));
}

let announcer;
function announce(text) {
  if (!announcer) {
    announcer = document.createElement("div");
    announcer.className = "nhsuk-u-visually-hidden";
    announcer.setAttribute("aria-live", "polite");
    document.body.append(announcer);
  }
  announcer.textContent = text;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(label, name, onClick, extraClass = "") {
  const node = element("button", `nhsuk-button nhsuk-button--secondary nhsuk-button--small ${extraClass}`);
  node.type = "button";
  node.append(label);
  if (name) node.append(element("span", "nhsuk-u-visually-hidden", `: ${name}`));
  node.addEventListener("click", onClick);
  return node;
}

function addButtons() {
  for (const holder of document.querySelectorAll("[data-activity]")) {
    let card;
    try {
      card = JSON.parse(holder.dataset.activity);
    } catch {
      continue;
    }
    const toggle = button("", card.name, () => {
      const items = read();
      const listed = items.some((item) => item.url === card.url);
      write(listed ? items.filter((item) => item.url !== card.url) : [...items, card]);
      show();
      const count = read().length;
      announce(`${listed ? "Removed" : "Added"} ${card.name}. Your list has ${count} ${count === 1 ? "activity" : "activities"}.`);
    }, "hd-shortlist__button hd-no-print");
    const show = () => {
      const listed = read().some((item) => item.url === card.url);
      toggle.firstChild.textContent = listed ? "Remove from my list" : "Add to my list";
    };
    toggle.prepend(document.createTextNode(""));
    show();
    holder.append(toggle);
  }
}

const FACTS = [
  ["When", "when"],
  ["Where", "where"],
  ["Cost", "cost"],
  ["How to join", "join"],
  ["Contact", "contact"],
  ["Accessibility", "access"],
];

// What the link worker adds to the sheet, typed on screen and printed as plain lines.
// Who it is for and the notes go with this list (and are cleared with it); the link
// worker's own organisation and phone are kept for the next sheet.
const SHEET_KEY = "healthdir:my-list-sheet";
const WORKER_KEY = "healthdir:link-worker";
const SHEET_FIELDS = [
  { key: "for", store: SHEET_KEY, label: "Who is it for? (optional)", hint: "Their name, as you want it on the sheet." },
  { key: "notes", store: SHEET_KEY, label: "Notes (optional)", hint: "Printed under the activities, such as what you agreed to try first.", multiline: true },
  { key: "organisation", store: WORKER_KEY, label: "Your organisation (optional)" },
  { key: "phone", store: WORKER_KEY, label: "Your phone number (optional)", type: "tel" },
];

function readFields(key) {
  try {
    const fields = JSON.parse(localStorage.getItem(key) || "{}");
    return fields && typeof fields === "object" && !Array.isArray(fields) ? fields : {};
  } catch {
    return {};
  }
}

function sheetValue(key) {
  const field = SHEET_FIELDS.find((one) => one.key === key);
  const value = readFields(field.store)[key];
  return typeof value === "string" ? value.trim() : "";
}

// The printed lines that show what was typed; each shows only when it has something.
function printedLines() {
  const from = [sheetValue("organisation"), sheetValue("phone")].filter(Boolean).join(", ");
  return {
    for: sheetValue("for") && `For: ${sheetValue("for")} · `,
    from: from && `From: ${from}`,
    notes: sheetValue("notes"),
  };
}

function updatePrinted(container) {
  const lines = printedLines();
  for (const node of container.querySelectorAll("[data-printed]")) {
    node.textContent = lines[node.dataset.printed];
    node.hidden = !lines[node.dataset.printed];
  }
  for (const node of container.querySelectorAll("[data-printed-box]")) {
    node.hidden = !lines[node.dataset.printedBox];
  }
}

function printed(tag, name, className = "") {
  const node = element(tag, className);
  node.dataset.printed = name;
  return node;
}

function sheetFields(container) {
  const fieldset = element("fieldset", "nhsuk-fieldset hd-sheet__fields hd-no-print");
  const legend = element("legend", "nhsuk-fieldset__legend nhsuk-fieldset__legend--m", "Add to the sheet");
  fieldset.append(
    legend,
    element("p", "nhsuk-hint", "Kept in this browser only. ‘Clear my list’ clears who it is for and the notes."),
  );
  for (const field of SHEET_FIELDS) {
    const id = `hd-sheet-${field.key}`;
    const group = element("div", "nhsuk-form-group");
    const label = element("label", "nhsuk-label", field.label);
    label.htmlFor = id;
    group.append(label);
    const input = element(field.multiline ? "textarea" : "input", field.multiline ? "nhsuk-textarea" : "nhsuk-input");
    input.id = id;
    if (field.multiline) input.rows = 4;
    else input.type = field.type || "text";
    if (field.hint) {
      const hint = element("div", "nhsuk-hint", field.hint);
      hint.id = `${id}-hint`;
      input.setAttribute("aria-describedby", hint.id);
      group.append(hint);
    }
    input.value = readFields(field.store)[field.key] || "";
    input.addEventListener("input", () => {
      localStorage.setItem(field.store, JSON.stringify({ ...readFields(field.store), [field.key]: input.value }));
      updatePrinted(container);
    });
    group.append(input);
    fieldset.append(group);
  }
  return fieldset;
}

function renderList(container) {
  const items = read();
  container.replaceChildren();
  if (!items.length) {
    container.append(element("p", "", container.dataset.emptyText));
    return;
  }
  container.append(element("p", "hd-no-print", `${items.length} ${items.length === 1 ? "activity" : "activities"} in your list.`));
  // On paper: who it is for, the day it was printed and who it is from.
  const top = element("div", "hd-print-only hd-sheet__top");
  const dated = element("p");
  dated.append(printed("span", "for"), new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" }));
  top.append(dated, printed("p", "from"));
  const notes = element("div", "hd-print-only hd-sheet__notes");
  notes.dataset.printedBox = "notes";
  notes.append(element("h2", "hd-sheet__notes-heading", "Notes"), printed("p", "notes"));
  const list = element("ol", "hd-sheet__list");
  items.forEach((card, index) => {
    const item = element("li", "hd-sheet__item");
    const heading = element("h2", "nhsuk-heading-m hd-sheet__name");
    const link = element("a", "", card.name);
    link.href = card.url;
    heading.append(link);
    const about = element("p", "hd-sheet__summary");
    about.append(element("strong", "hd-sheet__by", card.provider), `: ${card.summary}`);
    item.append(heading, about);
    const facts = element("dl", "hd-facts hd-sheet__facts");
    for (const [term, key] of FACTS) {
      if (!card[key]) continue;
      const row = element("div");
      row.append(element("dt", "", term), element("dd", "", card[key]));
      facts.append(row);
    }
    item.append(facts, element("p", "hd-sheet__confirmed", `Details last confirmed on ${card.confirmed}`));
    const tools = element("div", "hd-sheet__tools hd-no-print");
    const move = (to) => () => {
      const next = read();
      const [moved] = next.splice(index, 1);
      next.splice(to, 0, moved);
      write(next);
      renderList(container);
      announce(`Moved ${card.name} to number ${to + 1}.`);
      container.querySelectorAll(".hd-sheet__name a")[to]?.focus();
    };
    if (index > 0) tools.append(button("Move up", card.name, move(index - 1)));
    if (index < items.length - 1) tools.append(button("Move down", card.name, move(index + 1)));
    tools.append(button("Remove", card.name, () => {
      write(read().filter((other) => other.url !== card.url));
      renderList(container);
      announce(`Removed ${card.name}.`);
      container.querySelector("h1, .hd-sheet__name a, p")?.focus();
    }));
    item.append(tools);
    list.append(item);
  });
  const actions = element("div", "hd-sheet__actions hd-no-print");
  actions.append(
    button("Print this list", "", () => window.print(), "hd-print-list"),
    button("Clear my list", "", () => {
      write([]);
      localStorage.removeItem(SHEET_KEY);
      renderList(container);
      announce("Your list is empty.");
    }),
  );
  container.append(top, list, notes, sheetFields(container), actions);
  updatePrinted(container);
}

addButtons();
const container = document.getElementById("hd-my-list");
if (container) renderList(container);

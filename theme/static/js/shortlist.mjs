// "Add to my list" and the My list page. Progressive enhancement only: without
// JavaScript the buttons never appear and every activity page still prints on its own.
// The list lives in this browser's localStorage and is never sent anywhere.

const KEY = "healthdir:my-list";

// The words, in the page's language, from the catalogs: the page carries them as data
// (partials/js_messages.html). A page without them gets no buttons and no list, as
// without JavaScript, rather than words in the wrong language.
function readWords() {
  try {
    const words = JSON.parse(document.getElementById("hd-messages")?.textContent || "null");
    return words && typeof words === "object" ? words : null;
  } catch {
    return null;
  }
}
const WORDS = readWords();
const LANG = document.documentElement.lang || "en-GB";

// A word with its {placeholders} filled in from values.
function fill(text, values) {
  return String(text ?? "").replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all));
}

function say(key, values = {}) {
  return fill(WORDS[key], values);
}

// A counted message ({count}): the page gives each of its plural forms by the category
// Intl.PluralRules names for a count in the page's language ("one", "few", "many",
// "other"…), as a language may have more forms than English's two (Polish has three).
function counted(key, count) {
  const forms = WORDS[key] || {};
  let category = "other";
  try {
    category = new Intl.PluralRules(LANG).select(count);
  } catch {
    // a language the browser does not know: "other"
  }
  return fill(forms[category] ?? forms.other, { count });
}

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
      announce(`${say(listed ? "removed" : "added", { name: card.name })} ${counted("list_has", read().length)}`);
    }, "hd-shortlist__button hd-no-print");
    const show = () => {
      const listed = read().some((item) => item.url === card.url);
      toggle.firstChild.textContent = say(listed ? "remove_from" : "add");
    };
    toggle.prepend(document.createTextNode(""));
    show();
    holder.append(toggle);
  }
}

// The facts of an activity on the sheet: the card's keys, each the key of its word too.
const FACTS = ["when", "where", "cost", "join", "contact", "access"];

// What the link worker adds to the sheet, typed on screen and printed as plain lines.
// Who it is for and the notes go with this list (and are cleared with it); the link
// worker's own organisation and phone are kept for the next sheet.
const SHEET_KEY = "healthdir:my-list-sheet";
const WORKER_KEY = "healthdir:link-worker";
// Each field's label is the word `${key}_label`, its hint (if any) `${key}_hint`.
const SHEET_FIELDS = [
  { key: "for", store: SHEET_KEY, hint: true },
  { key: "notes", store: SHEET_KEY, hint: true, multiline: true },
  { key: "organisation", store: WORKER_KEY },
  { key: "phone", store: WORKER_KEY, type: "tel" },
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
    for: sheetValue("for") && `${say("for_line", { name: sheetValue("for") })} · `,
    from: from && say("from_line", { sender: from }),
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
  const legend = element("legend", "nhsuk-fieldset__legend nhsuk-fieldset__legend--m", say("sheet"));
  fieldset.append(legend, element("p", "nhsuk-hint", say("sheet_hint")));
  for (const field of SHEET_FIELDS) {
    const id = `hd-sheet-${field.key}`;
    const group = element("div", "nhsuk-form-group");
    const label = element("label", "nhsuk-label", say(`${field.key}_label`));
    label.htmlFor = id;
    group.append(label);
    const input = element(field.multiline ? "textarea" : "input", field.multiline ? "nhsuk-textarea" : "nhsuk-input");
    input.id = id;
    if (field.multiline) input.rows = 4;
    else input.type = field.type || "text";
    if (field.hint) {
      const hint = element("div", "nhsuk-hint", say(`${field.key}_hint`));
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
  container.append(element("p", "hd-no-print", counted("in_list", items.length)));
  // On paper: who it is for, the day it was printed and who it is from.
  const top = element("div", "hd-print-only hd-sheet__top");
  const dated = element("p");
  dated.append(printed("span", "for"), new Date().toLocaleDateString(LANG, { day: "numeric", month: "long", year: "numeric" }));
  top.append(dated, printed("p", "from"));
  const notes = element("div", "hd-print-only hd-sheet__notes");
  notes.dataset.printedBox = "notes";
  notes.append(element("h2", "hd-sheet__notes-heading", say("notes_heading")), printed("p", "notes"));
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
    for (const key of FACTS) {
      if (!card[key]) continue;
      const row = element("div");
      row.append(element("dt", "", say(key)), element("dd", "", card[key]));
      facts.append(row);
    }
    item.append(facts, element("p", "hd-sheet__confirmed", say("confirmed", { date: card.confirmed })));
    const tools = element("div", "hd-sheet__tools hd-no-print");
    const move = (to) => () => {
      const next = read();
      const [moved] = next.splice(index, 1);
      next.splice(to, 0, moved);
      write(next);
      renderList(container);
      announce(say("moved", { name: card.name, position: to + 1 }));
      container.querySelectorAll(".hd-sheet__name a")[to]?.focus();
    };
    if (index > 0) tools.append(button(say("move_up"), card.name, move(index - 1)));
    if (index < items.length - 1) tools.append(button(say("move_down"), card.name, move(index + 1)));
    tools.append(button(say("remove"), card.name, () => {
      write(read().filter((other) => other.url !== card.url));
      renderList(container);
      announce(say("removed", { name: card.name }));
      container.querySelector("h1, .hd-sheet__name a, p")?.focus();
    }));
    item.append(tools);
    list.append(item);
  });
  const actions = element("div", "hd-sheet__actions hd-no-print");
  actions.append(
    button(say("print"), "", () => window.print(), "hd-print-list"),
    button(say("clear"), "", () => {
      write([]);
      localStorage.removeItem(SHEET_KEY);
      renderList(container);
      announce(say("empty"));
    }),
  );
  container.append(top, list, notes, sheetFields(container), actions);
  updatePrinted(container);
}

if (WORDS) {
  addButtons();
  const container = document.getElementById("hd-my-list");
  if (container) renderList(container);
}

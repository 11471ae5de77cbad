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

function renderList(container) {
  const items = read();
  container.replaceChildren();
  if (!items.length) {
    container.append(element("p", "", container.dataset.emptyText));
    return;
  }
  container.append(element("p", "hd-no-print", `${items.length} ${items.length === 1 ? "activity" : "activities"} in your list.`));
  const list = element("ol", "hd-sheet__list");
  items.forEach((card, index) => {
    const item = element("li", "hd-sheet__item");
    const heading = element("h2", "nhsuk-heading-m hd-sheet__name");
    const link = element("a", "", card.name);
    link.href = card.url;
    heading.append(link);
    item.append(heading, element("p", "hd-sheet__by", card.provider), element("p", "", card.summary));
    const facts = element("dl", "hd-facts");
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
      renderList(container);
      announce("Your list is empty.");
    }),
  );
  container.append(list, actions);
}

addButtons();
const container = document.getElementById("hd-my-list");
if (container) renderList(container);

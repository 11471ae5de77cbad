// Progressive enhancement only: every page works fully without JavaScript.
import { initAll } from "./nhsuk-frontend.min.js";

initAll();

// Print buttons (the print_button macro) stay hidden until there is a script to press them.
for (const button of document.querySelectorAll(".hd-print-button")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

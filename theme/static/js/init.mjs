// Progressive enhancement only: every page works fully without JavaScript.
import { initAll } from "./nhsuk-frontend.min.js";

initAll();

import { bump, n } from "./shared.js";
bump();
__log.push("last sees " + n);
window.__done = true;

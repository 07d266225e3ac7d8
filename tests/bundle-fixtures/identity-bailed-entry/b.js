import { bump } from "./shared.js";
bump();
window.__done = true;

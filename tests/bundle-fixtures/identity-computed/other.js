import { bump } from "./shared.js";
bump();
window.__locale().then((m) => {
  __log.push("locale saw " + m.seen);
  window.__done = true;
});

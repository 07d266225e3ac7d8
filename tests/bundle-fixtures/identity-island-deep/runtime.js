// Outside the module graph (only the island loads it), but it imports a module of it.
import { bump } from "./shared.js";
export function render(C, el) {
  el.textContent = C() + " " + bump();
  __finish();
}

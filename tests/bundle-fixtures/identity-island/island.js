import { bump } from "./shared.js";
export default function hydrate(el) {
  el.textContent = String(bump());
  __finish();
}

import { render } from "./runtime.js";
export default (el) => (C) => render(C, el);

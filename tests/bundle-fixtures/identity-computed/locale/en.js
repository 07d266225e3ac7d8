// No page names this file: main.js computes its URL.
import { bump } from "../shared.js";
export const seen = bump();

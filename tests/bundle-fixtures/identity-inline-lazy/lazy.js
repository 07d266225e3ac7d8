import { bump } from "./shared.js";
export const seen = bump();

import { bump } from "./shared.js";
bump();

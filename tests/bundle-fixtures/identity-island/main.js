import { bump } from "./shared.js";
bump();
__finish();

// import.meta other than in new URL(): a.js cannot be bundled.
import { bump } from "./shared.js";
bump();
__log.push("a knows its URL: " + import.meta.url.endsWith(".js"));

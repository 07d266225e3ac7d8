// A client-side router in short (Astro's ClientRouter does this): fetch the
// next page and run its module scripts in this document.
import { bump } from "./shared.js";
bump();
fetch("./page2.html")
  .then((r) => r.text())
  .then((html) => {
    const next = new DOMParser().parseFromString(html, "text/html");
    for (const old of next.querySelectorAll('script[type="module"]')) {
      const s = document.createElement("script");
      s.type = "module";
      s.textContent = old.textContent;
      document.body.append(s);
    }
  });

const lang = document.documentElement.lang || "en";
window.__locale = () => import("./locale/" + lang + ".js");

window.__lazy = () => import("./lazy.js");

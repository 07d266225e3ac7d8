// An entry point that shares nothing: bundled whatever happens to the others.
export const keep = 1;
document.documentElement.dataset.keep = String(keep);

export function message(path) {
  return `lazy module loaded for ${path}`;
}
